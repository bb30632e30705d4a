"""The gateway as one ASGI application: REST, Socket.IO, and the background consumers.

``build_server`` is what ``scoreline api`` serves: the FastAPI app from
``create_app``, wrapped by the Socket.IO server (``realtime``), with a lifespan
that starts and stops the stream bridge and the settlement consumer. With
``SCORELINE_REDIS_URL`` set, several API processes share the work through
Redis consumer groups and broadcast through Socket.IO's Redis manager.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI

from scoreline.api.app import create_app
from scoreline.config import Settings
from scoreline.pipeline.bus import Bus, Streams
from scoreline.storage.db import UnitOfWork

__all__ = ["Server", "build_server"]


@dataclass
class Server:
    """The ASGI app to serve, and the FastAPI app inside it (for tests and OpenAPI)."""

    asgi: Any
    app: FastAPI


def build_server(
    settings: Settings,
    unit_of_work: Callable[[], UnitOfWork],
    *,
    bus: Bus,
    streams: Streams,
) -> Server:
    """REST and realtime on one app, with their background work in its lifespan."""
    from scoreline.api.realtime import Realtime  # noqa: PLC0415
    from scoreline.api.settlement_consumer import SettlementConsumer  # noqa: PLC0415

    app = create_app(settings, unit_of_work)
    realtime = Realtime(
        app.state.gateway, redis_url=settings.redis_url, bus=bus, streams=streams
    )
    settlement = SettlementConsumer(unit_of_work, bus=bus, streams=streams, notify=realtime)
    app.state.realtime = realtime

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await realtime.start()
        settlement.start()
        try:
            yield
        finally:
            settlement.stop()
            await realtime.stop()

    app.router.lifespan_context = lifespan
    return Server(asgi=realtime.asgi(app), app=app)
