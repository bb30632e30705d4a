"""Settings, read once from ``SCORELINE_*`` environment variables.

Defaults run a fresh clone: a SQLite file under ``./var/`` and no Redis (the
in-process bus and cache). Entry points call :func:`get_settings` once and
pass the result down; nothing else reads the environment.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from scoreline.pricing.devig import DevigMethod
from scoreline.pricing.fair import DEFAULT_BLEND_WEIGHT, FairMode

__all__ = ["Settings", "get_settings"]


class Settings(BaseSettings):
    """Scoreline's configuration.

    ``database_url`` accepts ``sqlite:///path`` and ``postgresql://…`` (rewritten
    to the psycopg 3 driver). ``redis_url`` stays ``None`` until the pipeline
    needs it. ``data_dir`` is where downloads are cached; ``sample_data_dir`` is
    the bundled football-data.co.uk subset the demo loads. ``stream_prefix``
    names the Redis streams (``<prefix>:odds``...). ``redis_cluster`` says the
    Redis URL is a node of a Redis Cluster (caches, streams, login limiter and
    Socket.IO all follow it). ``odds_api_key`` and
    ``odds_api_monthly_credits`` drive The Odds API poller. ``jwt_secret`` signs
    the API's tokens (unset: a random one per process, so sessions end with the
    process and several API processes need it set); ``cors_origins`` lists the
    origins allowed to call the API from a browser (none by default).
    ``cookie_secure`` marks the dashboard's session cookies ``Secure`` (set it
    behind TLS); ``web_dir`` is the built dashboard the gateway serves.
    ``bet_price_max_age_seconds`` is how long ago a bookmaker's current price
    may have been captured for a bet to be taken at it (unset: the book's
    default, ``domain.placement.MAX_PRICE_AGE``).
    ``max_body_bytes`` bounds every request body and ``max_upload_bytes`` the
    football-data file upload's (``api.hygiene``, before authentication).
    ``login_workers`` passwords are checked at once per API process and
    ``login_queue`` more may wait; past that a sign-in is a 429 (each check holds
    64 MiB and a core for ~0.1 s: ``services.passwords.PasswordChecker``).
    ``fair_mode``, ``fair_devig_method`` and ``fair_blend_weight`` are the board's
    and value bets' default fair price (``pricing.fair``) where a request names none.
    ``alert_webhook_private`` lets alert webhooks post to loopback and private-network
    addresses (off: a user's URL could otherwise reach services behind the gateway);
    ``alert_webhook_timeout_s`` bounds each post.
    Secrets never appear in ``repr`` or logs.
    """

    model_config = SettingsConfigDict(
        env_prefix="SCORELINE_", env_nested_delimiter="__", extra="ignore"
    )

    database_url: str = "sqlite:///./var/scoreline.db"
    redis_url: str | None = None
    redis_cluster: bool = False
    data_dir: Path = Path("./var/data")
    sample_data_dir: Path = Path("./data/sample/football-data")
    log_level: str = "INFO"
    stream_prefix: str = "scoreline"
    odds_api_key: SecretStr | None = None
    odds_api_monthly_credits: int = 500
    jwt_secret: SecretStr | None = None
    cors_origins: list[str] = []
    cookie_secure: bool = False
    web_dir: Path = Path("./web/dist")
    bet_price_max_age_seconds: int | None = Field(default=None, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    login_workers: int = Field(default=1, ge=1, le=64)
    login_queue: int = Field(default=8, ge=0, le=1024)
    fair_mode: FairMode = "model"
    fair_devig_method: DevigMethod = "power"
    fair_blend_weight: float = Field(default=DEFAULT_BLEND_WEIGHT, gt=0, lt=1)
    alert_webhook_private: bool = False
    alert_webhook_timeout_s: float = Field(default=5.0, gt=0, le=60)

    @field_validator("database_url")
    @classmethod
    def _use_psycopg_driver(cls, value: str) -> str:
        """Point bare PostgreSQL URLs at psycopg 3, the driver we ship."""
        for prefix in ("postgresql://", "postgres://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        if not value.startswith(("sqlite", "postgresql+psycopg")):
            raise ValueError(
                f"database_url {value.split('://', maxsplit=1)[0]}://… is not supported; "
                "use sqlite:///path or postgresql+psycopg://user@host/db"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"log_level {value!r} is not one of DEBUG, INFO, WARNING, ERROR")
        return level


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings()
