"""Everything a request handler may need, built in one go before the app exists.

``ApiContext`` replaces a state object whose fields were assigned one by one
after construction: each part is a constructor argument, the context is
frozen, and ``create_app(context)`` is the only way in. The composition root
(``scoreline.platform``) or ``api.server.build_context`` builds it; tests
build it with the latter from plain settings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scoreline.api.authenticator import Authenticator
from scoreline.api.cache import TieredPredictionCache
from scoreline.api.metrics import ApiMetrics
from scoreline.api.refits import RefitRunner
from scoreline.api.sessions import SessionStore
from scoreline.config import Settings
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.services.passwords import PasswordChecker
from scoreline.services.sign_in import LoginLimiter
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["ApiContext", "ApiStats", "ReadyCheck"]


@dataclass(frozen=True, slots=True)
class ReadyCheck:
    """One part a process needs: its name in ``/health/ready`` and how to ask it."""

    part: str
    problem: Callable[[], str | None]
    """None when the part is fine, else what is wrong with it (no secret, no URL)."""


@dataclass(slots=True)
class ApiStats:
    """Counters of this process that are not Prometheus metrics (tests read them)."""

    fast_reads: int = 0
    """Requests answered by ``api.fast_path`` before FastAPI."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiContext:
    """The gateway's parts; see the module docstring.

    Parameters
    ----------
    settings : Settings
        CORS origins, cookie security, the data folder.
    unit_of_work : UnitOfWorkFactory
        What services take.
    jwt_secret : str
        Signs access and refresh tokens and binds CSRF values to sessions.
    login_limiter : LoginLimiter
        Counts sign-in attempts (on Redis when configured: ``api.rate_limit.login_limiter``).
    passwords : PasswordChecker
        This process's bounded argon2 work (``Settings.login_workers``, ``login_queue``).
    sessions : SessionStore
        Session cookies and their per-process memo.
    auth : Authenticator
        Who is calling; shares ``sessions`` and ``jwt_secret``.
    refits : RefitRunner
        Refits asked for over the admin API (one at a time, in a thread).
    predictions_cache, market_cache : TieredPredictionCache or None
        Latest predictions and prices, when caching.
    bus, streams : Bus and Streams, or None
        The streams, for the admin status; None when the API runs without the pipeline.
    ready_checks : tuple of ReadyCheck
        Readiness checks beside the database (Redis, the consumers the process runs).
    metrics : ApiMetrics
        This process's Prometheus registry (requests, latency, dead letters).
    """

    settings: Settings
    unit_of_work: UnitOfWorkFactory
    jwt_secret: str = field(repr=False)
    login_limiter: LoginLimiter
    sessions: SessionStore
    auth: Authenticator
    refits: RefitRunner
    predictions_cache: TieredPredictionCache | None = None
    market_cache: TieredPredictionCache | None = None
    bus: Bus | None = None
    streams: Streams | None = None
    ready_checks: tuple[ReadyCheck, ...] = ()
    metrics: ApiMetrics = field(default_factory=ApiMetrics)
    passwords: PasswordChecker = field(default_factory=PasswordChecker)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stats: ApiStats = field(default_factory=ApiStats)

    def drop_cached(self) -> None:
        """Drop every cached prediction and market snapshot, in this process and in Redis.

        For changes no stream announces (another active model, a loaded file); other
        API processes see them through their invalidators' watch within seconds.
        """
        for cache in (self.predictions_cache, self.market_cache):
            if cache is not None:
                cache.invalidate_all()
