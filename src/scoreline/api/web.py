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
from fastapi.responses import FileResponse, Response

__all__ = ["mount_dashboard"]

_NOT_SPA = ("api/", "docs", "health/", "metrics", "socket.io")
_MEDIA_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


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
                headers = {
                    "Cache-Control": "public, max-age=31536000, immutable"
                    if immutable
                    else "no-cache",
                    "Vary": "Accept-Encoding",
                }
                packed = wanted.with_name(wanted.name + ".gz")
                if "gzip" in request.headers.get("accept-encoding", "") and packed.is_file():
                    return FileResponse(
                        packed,
                        media_type=_MEDIA_TYPES.get(wanted.suffix),
                        headers={**headers, "Content-Encoding": "gzip"},
                    )
                return FileResponse(wanted, headers=headers)
            if wanted.suffix and wanted.parent.name == "assets":
                raise HTTPException(404, f"/{path} not found")  # a stale hashed file
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return True
