"""The REST routers, one per resource, in the order they are matched.

Each module holds one ``router`` with its prefix and tags; ``api.app`` includes
them under ``/api/v1`` in this order (the hot catalog reads first).
"""

from __future__ import annotations

from fastapi import APIRouter

from scoreline.api.routes import admin, auth, board, book, catalog, model_health

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    catalog.router,
    board.router,
    model_health.router,
    book.router,
    auth.router,
    admin.router,
)
