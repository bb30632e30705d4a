"""Every error the gateway returns, in one shape: ``{"detail": [{"loc", "msg", "type"}]}``.

The shape is FastAPI's own validation error, declared once as
``schemas.common.ErrorResponse`` on every router (``routes.common.ERRORS``), so
the OpenAPI document describes every error and clients parse one format
whatever went wrong. ``type`` is a stable code (``not_found``, ``conflict``,
``invalid``, ``unauthorized``, ``forbidden``, ``rate_limited``…); ``msg`` says
what and what to do next; ``loc`` names the input at fault where there is one.

Domain errors map to HTTP here and nowhere else::

    AuthError                  401  WWW-Authenticate: Bearer
    PermissionDeniedError      403
    NotFoundError              404  (also what another user's object is)
    ConflictError              409
    DataError                  422
    RateLimitedError           429  Retry-After
    StorageUnavailableError    503  Retry-After (also a lock race lost after the service's
                                    retries: StorageContentionError)
    BusUnavailableError        503
    any other ScorelineError   500  logged with its traceback; the body says only "internal error"
    any other exception        500  likewise (a bug: the server logs it)
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from scoreline.errors import (
    AuthError,
    BusUnavailableError,
    ConflictError,
    DataError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ScorelineError,
    StorageUnavailableError,
)

__all__ = ["STATUSES", "TYPES", "error_body", "install_error_handlers", "status_of"]

logger = logging.getLogger(__name__)

TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}

STATUSES: tuple[tuple[type[ScorelineError], int], ...] = (
    (AuthError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (ConflictError, 409),
    (DataError, 422),
    (RateLimitedError, 429),
    (StorageUnavailableError, 503),
    (BusUnavailableError, 503),
)
"""Each domain error's status; the first match wins, anything else is 500."""


def error_body(status: int, message: str, loc: list[str | int] | None = None) -> dict[str, Any]:
    """The one error shape."""
    return {"detail": [{"loc": loc or [], "msg": message, "type": TYPES.get(status, "error")}]}


def status_of(error: ScorelineError) -> int:
    """The HTTP status of a domain error."""
    return next((status for kind, status in STATUSES if isinstance(error, kind)), 500)


def _headers(error: ScorelineError) -> dict[str, str] | None:
    if isinstance(error, AuthError):
        return {"WWW-Authenticate": "Bearer"}
    if isinstance(error, RateLimitedError):
        return {"Retry-After": str(error.retry_after_seconds)}
    if isinstance(error, StorageUnavailableError):
        return {"Retry-After": "1"}
    return None


def install_error_handlers(app: FastAPI) -> None:
    """Route every error through ``error_body``."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            error_body(error.status_code, str(error.detail)),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        detail = [
            {
                "loc": [p if isinstance(p, int) else str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "invalid")),
                "type": "invalid",
            }
            for e in error.errors()
        ]
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(ScorelineError)
    async def domain_error(request: Request, error: ScorelineError) -> JSONResponse:
        status = status_of(error)
        if status == 500:
            logger.error(
                "%s %s failed: %s", request.method, request.url.path, error, exc_info=error
            )
        message = str(error) if status != 500 else "internal error"
        return JSONResponse(
            error_body(status, message), status_code=status, headers=_headers(error)
        )

    @app.exception_handler(Exception)
    async def bug(_: Request, __: Exception) -> JSONResponse:
        # Starlette's outermost middleware calls this, then re-raises, so the server still
        # logs the traceback; the client gets the declared shape instead of plain text.
        return JSONResponse(error_body(500, "internal error"), status_code=500)
