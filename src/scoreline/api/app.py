"""The API gateway: one FastAPI app, ``/api/v1``, JSON errors, security headers, health, metrics.

``create_app`` builds it from a fully built ``ApiContext`` (``api.context``), so
tests and ``scoreline api`` build the same thing; ``api.server`` adds Socket.IO
and the background work around it. Errors have one JSON shape for every route
(``api.errors``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import scoreline
from scoreline.api.context import ApiContext
from scoreline.api.errors import install_error_handlers
from scoreline.api.fast_path import CachedPredictions
from scoreline.api.hygiene import InputHygiene
from scoreline.api.routes import ROUTERS
from scoreline.api.web import mount_dashboard, mount_docs
from scoreline.services import health

__all__ = ["create_app"]

_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
}


def create_app(context: ApiContext) -> FastAPI:
    """The gateway app over ``context`` (which ``app.state.context`` then holds)."""
    settings = context.settings
    app = _GatewayApp(
        title="Scoreline API",
        version=scoreline.__version__,
        docs_url=None,  # served by api.web.mount_docs, without a CDN
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.context = context
    measured = context.metrics
    for router in ROUTERS:
        app.include_router(router, prefix="/api/v1")

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=True,
            allow_methods=["GET", "POST", "PUT", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-API-Key"],
        )

    uploads = [app.url_path_for("upload_football_data")]

    def outer(inner: ASGIApp) -> ASGIApp:
        guarded = InputHygiene(
            CachedPredictions(inner, context=context),
            templates=lambda: app.openapi()["paths"],
            max_body_bytes=settings.max_body_bytes,
            max_upload_bytes=settings.max_upload_bytes,
            uploads=uploads,
        )
        return _HeadersAndMetrics(guarded, requests=measured.requests, latency=measured.latency)

    app.outer = outer

    install_error_handlers(app)

    @app.get("/health/live", tags=["health"])
    async def liveness() -> dict[str, str]:
        """The process answers."""
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"], responses={503: {}})
    async def ready() -> JSONResponse:
        """Everything this process needs answers: the database, Redis when configured, and
        each consumer it runs (settlement, the realtime bridge, the cache invalidators).
        503 naming what failed, else 200 with each check."""
        checks = await run_in_threadpool(_readiness, context)
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ok" if ok else "down", "checks": checks}, status_code=200 if ok else 503
        )

    @app.get("/metrics", tags=["health"], include_in_schema=False)
    def metrics() -> Response:
        """Prometheus text exposition."""
        return Response(measured.exposition(), media_type=CONTENT_TYPE_LATEST)

    mount_docs(app, settings.web_dir)
    mount_dashboard(app, settings.web_dir)  # last: its catch-all must not shadow the API
    return app


def _readiness(context: ApiContext) -> dict[str, str]:
    """Each check's verdict, by part: "ok" or what is wrong."""
    checks = {"database": health.database_problem(context.unit_of_work) or "ok"}
    for check in context.ready_checks:
        try:
            problem = check.problem()
        except Exception as error:  # a check that cannot tell says so; it is not ready
            problem = f"check failed: {type(error).__name__}"
        checks[check.part] = problem or "ok"
    return checks


class _GatewayApp(FastAPI):
    """FastAPI with our outermost layers outside its own middleware stack.

    Security headers and metrics must cover every answer, input hygiene and body
    limits (``api.hygiene``) must come before anything reads the request, and the
    cached-read fast path (``api.fast_path``) pays off only if it runs before
    Starlette's and FastAPI's layers; ``outer`` wraps the stack FastAPI builds.
    """

    outer: Callable[[ASGIApp], ASGIApp] | None = None

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        return stack if self.outer is None else self.outer(stack)


class _HeadersAndMetrics:
    """Security headers on every response, and request counts and latency by route.

    A plain ASGI middleware: ``BaseHTTPMiddleware`` would wrap every response
    in a stream and cost more than most routes themselves.
    """

    def __init__(self, app: ASGIApp, *, requests: Counter, latency: Histogram) -> None:
        self.app, self.requests, self.latency = app, requests, latency
        # Labelled children, looked up once: ``labels()`` costs more than the count itself.
        self._counts: dict[tuple[str, int], Any] = {}
        self._latencies: dict[str, Any] = {}
        self.headers = [(k.lower().encode(), v.encode()) for k, v in _SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name for name, _ in headers}
                headers += [(n, v) for n, v in self.headers if n not in present]
                if api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            latency = self._latencies.get(route)
            if latency is None:
                latency = self._latencies[route] = self.latency.labels(route=route)
            latency.observe(time.perf_counter() - started)
            count = self._counts.get((route, status))
            if count is None:
                count = self._counts[route, status] = self.requests.labels(
                    route=route, status=str(status)
                )
            count.inc()
