"""The composition root: every part of Scoreline built from settings, in one place.

::

    Settings ──► Platform ──► engine, units of work, model registry folder
                          ├─► bus (Redis Streams, on a server or a cluster, or in process)
                          │     and the stream names
                          ├─► Redis client (caches, login limiter, Socket.IO manager)
                          ├─► ingestion engine, worker, settlement consumer   (pipeline)
                          └─► API context, ASGI app with realtime and caches  (api)

Each part is made on first use and then shared, so a command builds only what
it needs (``scoreline fit`` never imports FastAPI, ``scoreline --help`` imports
none of this) and no object is ever half-built: whatever a part depends on is
built before it and handed to its constructor. Commands (``scoreline.cli``) are
thin shells over this module; nothing below the command line imports it.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scoreline.config import Settings, get_settings
from scoreline.errors import ConfigError
from scoreline.messaging.names import Streams

if TYPE_CHECKING:  # the parts are imported when first built, to keep commands light
    from sqlalchemy import Engine

    from scoreline.api.cache import RedisClient
    from scoreline.messaging.bus import Bus
    from scoreline.messaging.redis_bus import RedisBus
    from scoreline.pipeline.ingestion import IngestionEngine
    from scoreline.pipeline.metrics import PipelineMetrics
    from scoreline.pipeline.settlement import SettlementConsumer
    from scoreline.pipeline.worker import Worker
    from scoreline.providers.replay import ReplayEvent
    from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["Platform"]


class Platform:
    """Scoreline's parts for one process, built from ``settings`` on first use."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    # -- storage -----------------------------------------------------------------------

    @cached_property
    def engine(self) -> Engine:
        """The database engine of ``settings.database_url``."""
        from scoreline.storage.db import make_engine

        return make_engine(self.settings.database_url)

    @cached_property
    def unit_of_work(self) -> UnitOfWorkFactory:
        """What services take to open a transaction."""
        from scoreline.storage.db import unit_of_work_factory

        return unit_of_work_factory(self.engine)

    @property
    def artifacts_dir(self) -> Path:
        """The model registry folder."""
        return self.settings.data_dir / "models"

    def schema_revision(self) -> str | None:
        """The migration the database is at, or None when it has no schema."""
        from sqlalchemy.exc import SQLAlchemyError

        from scoreline.storage.db import current_revision
        from scoreline.storage.unit_of_work import storage_error

        try:
            return current_revision(self.engine)
        except SQLAlchemyError as error:
            raise storage_error(error) from error

    def require_schema(self) -> Self:
        """This platform, once the database is known to have a schema; ``ConfigError`` saying
        what to run otherwise."""
        if self.schema_revision() is None:
            url = self.engine.url.render_as_string(hide_password=True)
            raise ConfigError(f"database {url} has no schema; run `scoreline db upgrade` first")
        return self

    def upgrade_schema(self, revision: str = "head") -> str | None:
        """Create or migrate the schema; the revision reached."""
        from scoreline.storage.db import upgrade

        upgrade(self.engine, revision)
        return self.schema_revision()

    @property
    def database_label(self) -> str:
        """The database URL without its password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    # -- messaging ---------------------------------------------------------------------

    @cached_property
    def streams(self) -> Streams:
        """Stream names of this deployment (hash-tagged on a Redis Cluster)."""
        return Streams(prefix=self.settings.stream_prefix, hash_tag=self.settings.redis_cluster)

    @cached_property
    def bus(self) -> Bus:
        """Redis Streams when ``redis_url`` is set, else the in-process bus."""
        if self.settings.redis_url:
            return self.redis_bus
        from scoreline.messaging.memory_bus import MemoryBus

        return MemoryBus()

    @cached_property
    def redis_bus(self) -> RedisBus:
        """The Redis bus; ``ConfigError`` when Redis is not configured."""
        url = self.settings.redis_url
        if not url:
            raise ConfigError(
                "this needs Redis: set SCORELINE_REDIS_URL (for example redis://127.0.0.1:6379/0),"
                " or run everything in one process with `scoreline serve` (the in-process bus)"
            )
        from scoreline.messaging.redis_bus import RedisBus

        return RedisBus(url, cluster=self.settings.redis_cluster)

    def require_redis(self, what: str) -> RedisBus:
        """The Redis bus, answering; ``ConfigError`` saying why ``what`` needs it otherwise."""
        if not self.settings.redis_url:
            raise ConfigError(
                f"{what} runs in its own process and needs Redis: set SCORELINE_REDIS_URL"
                " (for example redis://127.0.0.1:6379/0), or run everything in one process"
                " with `scoreline serve` (the in-process bus)"
            )
        bus = self.redis_bus
        if not bus.ping():
            from scoreline.messaging.redis_bus import safe_url

            raise ConfigError(f"Redis at {safe_url(self.settings.redis_url)} does not answer")
        return bus

    # -- the pipeline ------------------------------------------------------------------

    @cached_property
    def pipeline_metrics(self) -> PipelineMetrics:
        """This process's pipeline metrics (one registry per process)."""
        from scoreline.pipeline.metrics import PipelineMetrics

        return PipelineMetrics()

    def ingestion_engine(self) -> IngestionEngine:
        """An ingestion engine publishing on this platform's bus."""
        from scoreline.pipeline.ingestion import IngestionEngine

        return IngestionEngine(
            self.bus, self.unit_of_work, streams=self.streams, metrics=self.pipeline_metrics
        )

    def worker(self, **config: Any) -> Worker:
        """An ML worker serving the active model; ``config`` tunes ``WorkerConfig``."""
        from scoreline.pipeline.worker import Worker, WorkerConfig
        from scoreline.services import model_versions

        return Worker(
            self.bus,
            self.unit_of_work,
            model_versions.loader(self.unit_of_work, artifacts_dir=self.artifacts_dir),
            config=WorkerConfig(streams=self.streams, **config),
            metrics=self.pipeline_metrics,
        )

    # -- the API -----------------------------------------------------------------------

    @cached_property
    def redis(self) -> RedisClient | None:
        """One Redis client for the caches, the login limiter and readiness (None embedded):
        a cluster client when ``redis_cluster`` is set."""
        if not self.settings.redis_url:
            return None
        from scoreline.messaging.redis_bus import redis_client

        return redis_client(self.settings.redis_url, cluster=self.settings.redis_cluster)

    def settlement_consumer(
        self, *, on_dead_letter: Callable[[str], None] | None = None
    ) -> SettlementConsumer:
        """The consumer that settles bets as results arrive (runs in every API process)."""
        from scoreline.pipeline.settlement import SettlementConsumer

        return SettlementConsumer(
            self.bus, self.unit_of_work, streams=self.streams, on_dead_letter=on_dead_letter
        )

    def openapi_document(self) -> dict[str, Any]:
        """The gateway's OpenAPI document (built without a database)."""
        from scoreline.api.app import create_app
        from scoreline.api.server import build_context

        def no_database() -> Any:
            raise ConfigError("the OpenAPI document needs no database")

        document: dict[str, Any] = create_app(build_context(self.settings, no_database)).openapi()
        return document

    def asgi_app(self) -> Any:
        """REST, the dashboard and Socket.IO in one ASGI app; its lifespan runs the cache
        invalidators, the realtime bridge and settlement."""
        from scoreline.api.metrics import ApiMetrics
        from scoreline.api.server import build_server
        from scoreline.messaging.names import SETTLEMENT_GROUP

        metrics = ApiMetrics()
        settlement = self.settlement_consumer(
            on_dead_letter=metrics.dead_lettered(SETTLEMENT_GROUP)
        )
        return build_server(
            self.settings,
            self.unit_of_work,
            bus=self.bus,
            streams=self.streams,
            redis=self.redis,
            background=[settlement],
            metrics=metrics,
        ).asgi

    # -- processes ---------------------------------------------------------------------

    def serve_api(self, *, host: str, port: int) -> None:
        """The gateway alone, until stopped (``scoreline api``)."""
        import uvicorn

        uvicorn.run(self.asgi_app(), host=host, port=port, log_level="warning", proxy_headers=False)

    def serve_all(
        self,
        *,
        events: Sequence[ReplayEvent],
        speed: float,
        host: str,
        port: int,
        max_idle_seconds: float | None,
        on_ready: Callable[[], None] | None = None,
    ) -> None:
        """API, ML worker and (with ``events``) a replay feed in this one process, until
        stopped (``scoreline serve`` and ``scoreline up``)."""
        import uvicorn

        from scoreline.providers.replay import play

        worker = self.worker(block_ms=50)
        stop = threading.Event()
        serving = threading.Thread(target=worker.run, name="worker", daemon=True)
        serving.start()
        if events:
            engine = self.ingestion_engine()

            def sink(batch: Sequence[Any]) -> None:
                engine.submit(batch)

            def feed() -> None:
                play(
                    events,
                    speed=speed,
                    sink=sink,
                    stop=stop,
                    max_idle_seconds=max_idle_seconds,
                )

            threading.Thread(target=feed, name="replay", daemon=True).start()
        app = self.asgi_app()
        if on_ready is not None:
            on_ready()
        with _terminate_as_exit():
            try:
                uvicorn.run(app, host=host, port=port, log_level="warning")
            finally:
                stop.set()
                worker.stop()
                # Let the current batch finish and the heartbeat row say "stopped".
                serving.join(timeout=10)

    def worker_http(self, worker: Worker, *, host: str, port: int) -> Any:
        """The worker's /health and /metrics server (a ``uvicorn.Server`` to run on a
        thread)."""
        import uvicorn

        from scoreline.pipeline.worker_app import create_worker_app

        app = create_worker_app(worker)
        return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """Make SIGTERM end the process by ``SystemExit(0)``, as Ctrl-C does by
    ``KeyboardInterrupt``, so that cleanup runs: uvicorn shuts down on the signal and then
    raises it again for the handler it found, and the default one would end the process
    before the in-process worker finishes its batch and records that it stopped."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals
        return

    def exit_now(_signum: int, _frame: object) -> None:
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, exit_now)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
