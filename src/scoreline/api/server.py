"""The gateway as one ASGI application: REST, the dashboard, Socket.IO, and background work.

::

    build_context(settings, unit_of_work, bus=, streams=, redis=)  ─► ApiContext
    create_app(context)                                            ─► FastAPI (api.app)
    compose(app, sockets=, background=)                            ─► the ASGI app to serve
    build_server(...)                 all three at once, with the caches' invalidators and
                                      the realtime bridge as background work ─► Server

``compose`` wraps the REST app with Socket.IO and gives it a lifespan that
starts the Socket.IO manager, then each background service (anything with
``start()`` and ``stop()``: cache invalidators, the realtime bridge, a
settlement consumer the composition root adds), and stops them in reverse.
``start`` runs on the event loop, so a service can capture it; ``stop`` runs on
a thread, so a service that emits on the loop can finish while it stops.

With Redis configured (``redis``, or ``settings.redis_url``), several API
processes share one login limiter, the far tier of the caches and, through
Socket.IO's Redis manager, their sockets; on a Redis Cluster the client is a
cluster client and the Socket.IO channel is hash-tagged like the streams.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from fastapi import FastAPI
from starlette.types import ASGIApp

from scoreline.api.app import create_app
from scoreline.api.authenticator import Authenticator
from scoreline.api.cache import (
    CacheInvalidator,
    MemoryCache,
    PredictionCache,
    RedisCache,
    RedisClient,
    TieredPredictionCache,
)
from scoreline.api.context import ApiContext, ReadyCheck
from scoreline.api.metrics import ApiMetrics
from scoreline.api.rate_limit import login_limiter
from scoreline.api.realtime import (
    AlertRelay,
    RealtimeBridge,
    SocketServer,
    WebhookSender,
    socket_manager,
)
from scoreline.api.refits import RefitRunner
from scoreline.api.sessions import SessionStore
from scoreline.config import Settings
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import ALERTS_GROUP, REALTIME_GROUP, Streams
from scoreline.messaging.redis_bus import redis_client
from scoreline.services import catalog, fair_prices
from scoreline.services.passwords import PasswordChecker
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "Background",
    "Server",
    "Watched",
    "build_context",
    "build_server",
    "competition_lookup",
    "compose",
    "jwt_secret_of",
]


class Background(Protocol):
    """Work that runs beside the app, started and stopped by its lifespan."""

    def start(self) -> object: ...

    def stop(self) -> object: ...


@runtime_checkable
class Watched(Protocol):
    """Background work readiness asks after: ``ready_part`` names it in ``/health/ready``."""

    @property
    def ready_part(self) -> str: ...

    def is_alive(self) -> bool: ...


def jwt_secret_of(settings: Settings) -> str:
    """The configured signing secret, or a random one (tokens then end with the process)."""
    secret = settings.jwt_secret
    return secret.get_secret_value() if secret else secrets.token_urlsafe(48)


def competition_lookup(unit_of_work: UnitOfWorkFactory) -> Callable[[int], str | None]:
    """A fixture's competition code, remembered (a fixture never changes competition)."""
    known: dict[int, str] = {}

    def lookup(fixture_id: int) -> str | None:
        if fixture_id not in known:
            code = catalog.competition_codes(unit_of_work, [fixture_id]).get(fixture_id)
            if code is None:
                return None
            known[fixture_id] = code
        return known[fixture_id]

    return lookup


def _caches(
    unit_of_work: UnitOfWorkFactory, redis: RedisClient | None
) -> tuple[TieredPredictionCache, TieredPredictionCache]:
    """The predictions and market caches: this process's memory in front of Redis."""
    competition_of = competition_lookup(unit_of_work)
    shared = None if redis is None else RedisCache(redis)

    def tiers(namespace: str) -> TieredPredictionCache:
        far = None
        if shared is not None:
            far = PredictionCache(shared, competition_of=competition_of, namespace=namespace)
        near = PredictionCache(MemoryCache(), competition_of=competition_of, namespace=namespace)
        return TieredPredictionCache(near, far)

    return tiers("prediction"), tiers("market")


def build_context(
    settings: Settings,
    unit_of_work: UnitOfWorkFactory,
    *,
    bus: Bus | None = None,
    streams: Streams | None = None,
    redis: RedisClient | None = None,
    cached: bool = False,
    ready_checks: Sequence[ReadyCheck] = (),
    metrics: ApiMetrics | None = None,
) -> ApiContext:
    """Every part of the context from settings, in one go.

    ``cached`` makes the predictions and market caches; only with their invalidators
    running (``build_server``) do they stay true, so a bare context has none.
    """
    secret = jwt_secret_of(settings)
    prefix = settings.stream_prefix if streams is None else streams.prefix
    sessions = SessionStore(unit_of_work)
    predictions, market = _caches(unit_of_work, redis) if cached else (None, None)

    def drop_cached() -> None:  # a refit's new version answers nothing cached yet
        for cache in (predictions, market):
            if cache is not None:
                cache.invalidate_all()

    return ApiContext(
        settings=settings,
        unit_of_work=unit_of_work,
        jwt_secret=secret,
        login_limiter=login_limiter(redis, key_prefix=f"{prefix}:login:"),
        sessions=sessions,
        auth=Authenticator(unit_of_work, jwt_secret=secret, sessions=sessions),
        refits=RefitRunner.of_models(
            unit_of_work, artifacts_dir=settings.data_dir / "models", after=drop_cached
        ),
        predictions_cache=predictions,
        market_cache=market,
        bus=bus,
        streams=streams,
        ready_checks=tuple(ready_checks),
        metrics=metrics or ApiMetrics(),
        passwords=PasswordChecker(workers=settings.login_workers, queue=settings.login_queue),
    )


def compose(
    app: FastAPI, *, sockets: SocketServer | None = None, background: Sequence[Background] = ()
) -> ASGIApp:
    """``app`` with Socket.IO around it (when given) and a lifespan running ``background``."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        started: list[Background] = []
        if sockets is not None:
            await sockets.start()
        try:
            for service in background:
                service.start()
                started.append(service)
            yield
        finally:
            for service in reversed(started):
                await asyncio.to_thread(service.stop)
            if sockets is not None:
                await sockets.stop()

    app.router.lifespan_context = lifespan
    return app if sockets is None else sockets.wrap(app)


@dataclass(frozen=True, slots=True)
class Server:
    """The ASGI app to serve, and its parts (for tests and the OpenAPI document)."""

    asgi: ASGIApp
    app: FastAPI
    context: ApiContext
    sockets: SocketServer
    bridge: RealtimeBridge
    invalidators: tuple[CacheInvalidator, ...]
    background: tuple[Background, ...] = field(default=())
    relay: AlertRelay | None = None


def build_server(
    settings: Settings,
    unit_of_work: UnitOfWorkFactory,
    *,
    bus: Bus,
    streams: Streams,
    redis: RedisClient | None = None,
    background: Sequence[Background] = (),
    metrics: ApiMetrics | None = None,
) -> Server:
    """REST and realtime on one app, the caches' invalidators and the realtime bridge (then
    ``background``) in its lifespan. Without ``redis``, a client is made from
    ``settings.redis_url`` when it is set. Readiness asks Redis (when there is one) and
    every background part that is ``Watched``; dead letters count on ``metrics``."""
    owned: list[Background] = []
    if redis is None and settings.redis_url:
        redis = redis_client(settings.redis_url, cluster=settings.redis_cluster)
        owned.append(_Closing(redis))
    context = build_context(
        settings,
        unit_of_work,
        bus=bus,
        streams=streams,
        redis=redis,
        cached=True,
        metrics=metrics,
    )
    invalidators = _invalidators(context, bus, streams)
    manager = socket_manager(settings.redis_url, channel=streams.socketio_channel)
    sockets = SocketServer(context.auth, cors_origins=settings.cors_origins, manager=manager)
    bridge = RealtimeBridge(
        bus,
        streams,
        unit_of_work=unit_of_work,
        emit=sockets.emit,
        on_dead_letter=context.metrics.dead_lettered(REALTIME_GROUP),
    )
    relay = AlertRelay(
        bus,
        streams,
        unit_of_work=unit_of_work,
        emit=sockets.emit,
        fair_rule=lambda: fair_prices.rule(settings),
        webhooks=WebhookSender(
            unit_of_work,
            allow_private=settings.alert_webhook_private,
            timeout_s=settings.alert_webhook_timeout_s,
        ),
        on_dead_letter=context.metrics.dead_lettered(ALERTS_GROUP),
    )
    everything = (*owned, *invalidators, bridge, relay, *background)
    checks = [] if redis is None else [_redis_check(redis)]
    checks += [_alive_check(part) for part in everything if isinstance(part, Watched)]
    context = dataclasses.replace(context, ready_checks=tuple(checks))
    app = create_app(context)
    asgi = compose(app, sockets=sockets, background=everything)
    return Server(asgi, app, context, sockets, bridge, invalidators, tuple(background), relay=relay)


def _invalidators(context: ApiContext, bus: Bus, streams: Streams) -> tuple[CacheInvalidator, ...]:
    """One invalidator per cache, each on the stream that announces its changes, both
    watching what no stream announces (``catalog.cache_signature``)."""
    assert context.predictions_cache is not None
    assert context.market_cache is not None
    unit_of_work = context.unit_of_work

    def signature() -> tuple[object, ...]:
        return catalog.cache_signature(unit_of_work)

    return tuple(
        CacheInvalidator(bus, cache, stream=stream, watch=signature)
        for cache, stream in (
            (context.predictions_cache, streams.predictions),
            (context.market_cache, streams.odds),
        )
    )


def _redis_check(client: RedisClient) -> ReadyCheck:
    """Redis answers a PING (the caches, the login limiter and Socket.IO depend on it)."""

    def check() -> str | None:
        try:
            client.ping()
        except Exception as error:  # any failure means not ready; the reason is reported
            return f"down: {type(error).__name__}"
        return None

    return ReadyCheck("redis", check)


def _alive_check(part: Watched) -> ReadyCheck:
    """A consumer this process runs is running and went round lately."""

    def check() -> str | None:
        return None if part.is_alive() else "down: stopped or not going round"

    return ReadyCheck(part.ready_part, check)


@dataclass(frozen=True, slots=True)
class _Closing:
    """Closes a client this module made, last (it starts nothing)."""

    client: Any

    def start(self) -> None:
        """Nothing to start."""

    def stop(self) -> None:
        self.client.close()
