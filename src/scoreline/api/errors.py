"""Every error the gateway returns, in one shape: ``{"detail": [{"loc", "msg", "type"}]}``.

The shape is FastAPI's own validation error, so the OpenAPI document's 422
schema holds for every error, and clients parse one format whatever went
wrong. ``type`` is a stable code (``not_found``, ``conflict``, ``invalid``,
``unauthorized``, ``forbidden``, ``rate_limited``…); ``msg`` says what and
what to do next; ``loc`` names the input at fault where there is one.
Domain errors map once, here: not found (or not yours) 404, conflict 409, bad
input 422, bad credentials 401.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from scoreline.api.security import AuthError
from scoreline.errors import ConflictError, DataError, NotFoundError, ScorelineError

__all__ = ["TYPES", "error_body", "install_error_handlers"]

logger = logging.getLogger(__name__)

TYPES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "rate_limited",
    500: "internal",
    503: "unavailable",
}


def error_body(status: int, message: str, loc: list[str | int] | None = None) -> dict[str, Any]:
    """The one error shape."""
    return {"detail": [{"loc": loc or [], "msg": message, "type": TYPES.get(status, "error")}]}


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
    async def domain_error(_: Request, error: ScorelineError) -> JSONResponse:
        status = 500
        if isinstance(error, NotFoundError):
            status = 404
        elif isinstance(error, ConflictError):
            status = 409
        elif isinstance(error, DataError):
            status = 422
        elif isinstance(error, AuthError):
            status = 401
        if status == 500:
            logger.error("unhandled domain error: %s", error)
        message = str(error) if status != 500 else "internal error"
        return JSONResponse(error_body(status, message), status_code=status)
