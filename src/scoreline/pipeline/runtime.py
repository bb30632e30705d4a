"""Building the pipeline's parts from settings: the bus, the worker, its model loader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scoreline.config import Settings
from scoreline.errors import ConfigError
from scoreline.messaging.bus import Bus
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.models.drift import ReferenceDistribution
from scoreline.models.serving import LiveModel
from scoreline.services import model_versions
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["make_bus", "model_loader", "require_redis", "streams_of"]


def make_bus(settings: Settings) -> Bus:
    """Redis Streams when ``redis_url`` is set, else the in-process bus."""
    if settings.redis_url:
        return RedisBus(settings.redis_url)
    return MemoryBus()


def require_redis(settings: Settings, what: str) -> RedisBus:
    """The Redis bus, or a ``ConfigError`` saying why ``what`` needs it."""
    if not settings.redis_url:
        raise ConfigError(
            f"{what} runs in its own process and needs Redis: set SCORELINE_REDIS_URL"
            " (for example redis://127.0.0.1:6379/0), or run everything in one process"
            " with `scoreline replay` (the in-process bus)"
        )
    bus = RedisBus(settings.redis_url)
    if not bus.ping():
        raise ConfigError(f"Redis at {settings.redis_url.rpartition('@')[2]} does not answer")
    return bus


def streams_of(settings: Settings) -> Streams:
    """The stream names for this deployment."""
    return Streams(prefix=settings.stream_prefix)


def model_loader(
    unit_of_work: Callable[[], UnitOfWork], artifacts_dir: Path
) -> Callable[[], tuple[int, LiveModel, ReferenceDistribution | None]]:
    """What the worker calls to (re)load the active version."""

    def load() -> tuple[int, LiveModel, ReferenceDistribution | None]:
        loaded = model_versions.load_active(unit_of_work, artifacts_dir=artifacts_dir)
        return loaded.version_id, loaded.model, loaded.reference

    return load
