"""The dashboard, served by the gateway on its own origin (no CORS, no Node.js at run time).

``web/dist`` is what ``npm run build`` makes: ``index.html`` and hashed files
under ``assets/``. Hashed files never change, so browsers may keep them for a
year; ``index.html`` names the current ones and is never cached. Next to each
script and stylesheet ``scripts/web.sh`` writes a gzip copy (``.gz``), sent to
browsers that accept it: compressed once at build time, not on every request. Any other
path that is not the API's answers with ``index.html``, so that the
dashboard's own routes (``/portfolio``, ``/fixtures/12``) survive a reload.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

__all__ = ["mount_dashboard", "mount_docs"]

_NOT_SPA = ("api/", "docs", "health/", "metrics", "socket.io")
_MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


_DOCS_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Scoreline API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="stylesheet" href="/docs/fit.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script><script src="/docs/init.js"></script>
</body></html>
"""
_DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true
});
"""
# Swagger UI is laid out for a desktop; on a phone its long paths, code and tables wrap or
# scroll inside their own box instead of widening the page (a file: the CSP refuses inline CSS).
_DOCS_FIT = """.swagger-ui .wrapper { padding: 0 8px; box-sizing: border-box; }
.swagger-ui .opblock .opblock-summary { flex-wrap: wrap; }
.swagger-ui .opblock .opblock-summary-path { word-break: break-all; max-width: 100%; }
.swagger-ui .opblock-summary-description { word-break: break-word; }
.swagger-ui pre, .swagger-ui .microlight { white-space: pre-wrap; word-break: break-word; }
.swagger-ui table, .swagger-ui .model-box, .swagger-ui .responses-inner {
  display: block; max-width: 100%; overflow-x: auto;
}
.swagger-ui .info .title { word-break: break-word; }
.swagger-ui .scheme-container .schemes { flex-wrap: wrap; }
"""
_DOCS_MISSING = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Scoreline API</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Scoreline API</h1>
<p>The docs viewer is installed with the dashboard (<code>scripts/web.sh</code>).
The OpenAPI document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p>
</main></body></html>
"""


def mount_docs(app: FastAPI, folder: Path) -> None:
    """Swagger UI at ``/docs`` from files the dashboard build copied in (``web/dist/docs``).

    FastAPI's own page loads Swagger UI from a CDN and starts it with an inline
    script, which our ``Content-Security-Policy: default-src 'self'`` refuses;
    this one loads everything from the gateway itself.
    """
    root = (folder / "docs").resolve()
    assets = {
        "swagger-ui-bundle.js": "text/javascript",
        "swagger-ui.css": "text/css",
    }

    @app.get("/docs", include_in_schema=False)
    def docs() -> Response:
        ready = all((root / name).is_file() for name in assets)
        return HTMLResponse(_DOCS_PAGE if ready else _DOCS_MISSING)

    @app.get("/docs/init.js", include_in_schema=False)
    def docs_init() -> Response:
        return Response(_DOCS_INIT, media_type="text/javascript")

    @app.get("/docs/fit.css", include_in_schema=False)
    def docs_fit() -> Response:
        return Response(_DOCS_FIT, media_type="text/css")

    @app.get("/docs/{name}", include_in_schema=False)
    def docs_asset(name: str, request: Request) -> Response:
        if name not in assets or not (root / name).is_file():
            raise HTTPException(404, f"/docs/{name} not found")
        return _file(root / name, request, cache="public, max-age=86400")


def _file(path: Path, request: Request, *, cache: str) -> FileResponse:
    """A file, or its gzip copy (``.gz`` beside it) for a browser that accepts gzip."""
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
    packed = path.with_name(path.name + ".gz")
    if "gzip" in request.headers.get("accept-encoding", "") and packed.is_file():
        return FileResponse(
            packed,
            media_type=_MEDIA_TYPES.get(path.suffix),
            headers={**headers, "Content-Encoding": "gzip"},
        )
    return FileResponse(path, headers=headers)


def mount_dashboard(app: FastAPI, folder: Path) -> bool:
    """Serve the built dashboard from ``folder``; False (nothing mounted) when it is not built."""
    root = folder.resolve()
    index = root / "index.html"
    if not index.is_file():
        return False

    @app.get("/{path:path}", include_in_schema=False)
    def dashboard(path: str, request: Request) -> Response:
        if path.startswith(_NOT_SPA):
            raise HTTPException(404, f"/{path} not found")
        if path:
            wanted = (root / path).resolve()
            if wanted.is_relative_to(root) and wanted.is_file():
                immutable = wanted.parent.name == "assets"
                cache = "public, max-age=31536000, immutable" if immutable else "no-cache"
                return _file(wanted, request, cache=cache)
            if wanted.suffix and wanted.parent.name == "assets":
                raise HTTPException(404, f"/{path} not found")  # a stale hashed file
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return True
