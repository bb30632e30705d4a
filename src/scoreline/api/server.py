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
from scoreline.api.cache import (
    MemoryCache,
    PredictionCache,
    TieredPredictionCache,
    make_cache,
)
from scoreline.api.cache_invalidator import CacheInvalidator
from scoreline.config import Settings
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.services import catalog
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["Server", "build_server", "competition_lookup"]


def competition_lookup(unit_of_work: Callable[[], UnitOfWork]) -> Callable[[int], str | None]:
    """A fixture's competition code, remembered (a fixture never changes competition)."""
    known: dict[int, str] = {}

    def lookup(fixture_id: int) -> str | None:
        if fixture_id not in known:
            with unit_of_work() as uow:
                code = uow.fixtures.competition_codes([fixture_id]).get(fixture_id)
            if code is None:
                return None
            known[fixture_id] = code
        return known[fixture_id]

    return lookup


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
    gateway = app.state.gateway
    gateway.bus, gateway.streams = bus, streams
    competition_of = competition_lookup(unit_of_work)

    # One Redis client (and connection pool) serves both namespaces.
    shared = (
        None
        if settings.redis_url is None
        else make_cache(settings.redis_url, cluster=settings.redis_cluster)
    )

    def tiers(namespace: str) -> TieredPredictionCache:
        """This process's memory in front of Redis (when configured), both versioned."""
        far = None
        if shared is not None:
            far = PredictionCache(shared, competition_of=competition_of, namespace=namespace)
        near = PredictionCache(MemoryCache(), competition_of=competition_of, namespace=namespace)
        return TieredPredictionCache(near, far)

    def signature() -> tuple[object, ...]:
        return catalog.cache_signature(unit_of_work)

    gateway.predictions_cache = tiers("prediction")
    gateway.market_cache = tiers("market")
    invalidators = [
        CacheInvalidator(bus, cache, stream=stream, watch=signature)
        for cache, stream in (
            (gateway.predictions_cache, streams.predictions),
            (gateway.market_cache, streams.odds),
        )
    ]
    realtime = Realtime(app.state.gateway, redis_url=settings.redis_url, bus=bus, streams=streams)
    settlement = SettlementConsumer(unit_of_work, bus=bus, streams=streams, notify=realtime)
    app.state.realtime = realtime
    app.state.invalidators = invalidators

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        for invalidator in invalidators:
            invalidator.start()
        await realtime.start()
        settlement.start()
        try:
            yield
        finally:
            settlement.stop()
            await realtime.stop()
            for invalidator in invalidators:
                invalidator.stop()

    app.router.lifespan_context = lifespan
    return Server(asgi=realtime.asgi(app), app=app)
