"""The relational schema, as typed SQLAlchemy 2 ORM classes.

Alembic migrations in ``storage/migrations`` create it; ``metadata.create_all``
is never called. Names of constraints follow one convention so that migrations
can name what they drop on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from scoreline.storage.types import Price, UTCDateTime

__all__ = [
    "AlertRow",
    "AlertSettingsRow",
    "ApiKeyRow",
    "AuditSnapshotRow",
    "Base",
    "BetRow",
    "Bookmaker",
    "BookmakerAccountRow",
    "CompetitionRow",
    "FixtureRow",
    "FollowedFixtureRow",
    "IngestProblem",
    "LedgerEntryRow",
    "LimitationEventRow",
    "ModelVersion",
    "OddsOutboxRow",
    "OddsRow",
    "PortfolioRow",
    "PredictionRow",
    "RefreshTokenRow",
    "ResultRow",
    "SeasonRow",
    "SourceFile",
    "TeamAliasRow",
    "TeamRow",
    "UserRow",
    "WorkerHeartbeatRow",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY, so big ids are BIGINT elsewhere only.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), Decimal: Price(), dict[str, Any]: JSON()}


class CompetitionRow(Base):
    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(60))


class SeasonRow(Base):
    __tablename__ = "seasons"
    __table_args__ = (UniqueConstraint("competition_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"))
    label: Mapped[str] = mapped_column(String(9))


class TeamRow(Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("name", "country"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(60))


class TeamAliasRow(Base):
    """The name a provider uses for a team, unique per provider and country."""

    __tablename__ = "team_aliases"
    __table_args__ = (UniqueConstraint("provider", "country", "alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(60))
    alias: Mapped[str] = mapped_column(String(120))
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)


class FixtureRow(Base):
    """A match; two teams meet at most once a day, which is the natural key."""

    __tablename__ = "fixtures"
    __table_args__ = (UniqueConstraint("home_team_id", "away_team_id", "match_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id"))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"), index=True)
    home_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    away_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    match_date: Mapped[date] = mapped_column(Date, index=True)
    kickoff_utc: Mapped[datetime]
    # The kick-off the match was really played at, when a replay moved ``kickoff_utc``
    # onto the wall clock (``scoreline up``); NULL when ``kickoff_utc`` is true. Features
    # and fits read ``coalesce(true_kickoff_utc, kickoff_utc)``; the book's time rules
    # (upcoming, too late to bet, a result's earliest time) read ``kickoff_utc``.
    true_kickoff_utc: Mapped[datetime | None]
    has_kickoff_time: Mapped[bool] = mapped_column(Boolean)
    neutral: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12))
    referee: Mapped[str | None] = mapped_column(String(80))


class ResultRow(Base):
    """Goals and match statistics; one per finished or awarded fixture."""

    __tablename__ = "results"

    fixture_id: Mapped[int] = mapped_column(ForeignKey("fixtures.id"), primary_key=True)
    home_goals: Mapped[int] = mapped_column(SmallInteger)
    away_goals: Mapped[int] = mapped_column(SmallInteger)
    home_goals_ht: Mapped[int | None] = mapped_column(SmallInteger)
    away_goals_ht: Mapped[int | None] = mapped_column(SmallInteger)
    home_shots: Mapped[int | None] = mapped_column(SmallInteger)
    away_shots: Mapped[int | None] = mapped_column(SmallInteger)
    home_shots_on_target: Mapped[int | None] = mapped_column(SmallInteger)
    away_shots_on_target: Mapped[int | None] = mapped_column(SmallInteger)
    home_corners: Mapped[int | None] = mapped_column(SmallInteger)
    away_corners: Mapped[int | None] = mapped_column(SmallInteger)
    home_fouls: Mapped[int | None] = mapped_column(SmallInteger)
    away_fouls: Mapped[int | None] = mapped_column(SmallInteger)
    home_yellow_cards: Mapped[int | None] = mapped_column(SmallInteger)
    away_yellow_cards: Mapped[int | None] = mapped_column(SmallInteger)
    home_red_cards: Mapped[int | None] = mapped_column(SmallInteger)
    away_red_cards: Mapped[int | None] = mapped_column(SmallInteger)


class Bookmaker(Base):
    __tablename__ = "bookmakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class OddsRow(Base):
    """One bookmaker's prices for one market of a fixture at one instant.

    The selections' prices sit side by side (``home``/``draw``/``away`` for
    1X2 and Asian handicap, ``over``/``under`` for totals), as feeds deliver
    them; a domain ``OddsSnapshot`` is one of these prices. Six million
    football-data prices become about two million rows this way. A bet names
    its row and its selection. ``line_quarters`` is the line in quarter goals
    (``-0.75`` is ``-3``) and 0 for 1X2, so the natural key holds no NULL.
    """

    __tablename__ = "odds_snapshots"
    __table_args__ = (
        UniqueConstraint(
            "fixture_id",
            "bookmaker_id",
            "market",
            "line_quarters",
            "kind",
            "captured_at",
            name="uq_odds_snapshots_natural_key",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    fixture_id: Mapped[int] = mapped_column(ForeignKey("fixtures.id"))
    bookmaker_id: Mapped[int] = mapped_column(ForeignKey("bookmakers.id"))
    market: Mapped[str] = mapped_column(String(16))
    line_quarters: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(8))
    captured_at: Mapped[datetime]
    home: Mapped[Decimal | None]
    draw: Mapped[Decimal | None]
    away: Mapped[Decimal | None]
    over: Mapped[Decimal | None]
    under: Mapped[Decimal | None]
    source: Mapped[str] = mapped_column(String(8), default="file", server_default="file")
    """``file`` for football-data loads, ``live`` for feed ticks: a reload of a corrected
    season file may rewrite its own rows, never a live one."""


class SourceFile(Base):
    """A loaded season file: its hash makes reloading an unchanged file a no-op."""

    __tablename__ = "source_files"
    __table_args__ = (UniqueConstraint("provider", "season_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(40))
    season_id: Mapped[int] = mapped_column(ForeignKey("seasons.id"))
    path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime]
    rows: Mapped[int] = mapped_column(Integer)
    padding_rows: Mapped[int] = mapped_column(Integer)


class IngestProblem(Base):
    """What a source file could not give us, with the reason; replaced on reload.

    ``kind`` is ``row_skipped`` (the whole row was left out) or ``cell_dropped``
    (the row was kept without some bad values, such as a price of 0).
    """

    __tablename__ = "ingest_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_file_id: Mapped[int] = mapped_column(ForeignKey("source_files.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))


class ModelVersion(Base):
    __tablename__ = "model_versions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    trained_from: Mapped[date | None] = mapped_column(Date)
    trained_to: Mapped[date | None] = mapped_column(Date)
    params: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    artifact_path: Mapped[str | None] = mapped_column(String(500))
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)


class WorkerHeartbeatRow(Base):
    """An ML worker process's latest heartbeat, one row per consumer name, kept after it
    stops (the admin status lists the recent ones)."""

    __tablename__ = "worker_heartbeats"
    __table_args__ = (CheckConstraint("state IN ('running', 'stopping', 'stopped')", name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consumer: Mapped[str] = mapped_column(String(200), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    beat_every_s: Mapped[float] = mapped_column(Float)
    entries_handled: Mapped[int] = mapped_column(BigInteger)
    predictions: Mapped[int] = mapped_column(BigInteger)
    dead_lettered: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(8))


class PredictionRow(Base):
    """A model's probabilities for a fixture; ``trigger`` makes re-runs idempotent."""

    __tablename__ = "predictions"
    __table_args__ = (UniqueConstraint("fixture_id", "model_version_id", "trigger"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    fixture_id: Mapped[int] = mapped_column(ForeignKey("fixtures.id"), index=True)
    model_version_id: Mapped[int] = mapped_column(ForeignKey("model_versions.id"))
    trigger: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    home_goals_expectation: Mapped[float] = mapped_column(Float)
    away_goals_expectation: Mapped[float] = mapped_column(Float)
    rho: Mapped[float] = mapped_column(Float)
    p_home: Mapped[float] = mapped_column(Float)
    p_draw: Mapped[float] = mapped_column(Float)
    p_away: Mapped[float] = mapped_column(Float)
    # Set by the live worker: the odds snapshot (tick) that triggered the
    # prediction, every market priced from its score grid, and the SHA-256 of
    # the feature vector the model saw (what a bet's audit snapshot records).
    odds_snapshot_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("odds_snapshots.id"), index=True
    )
    markets: Mapped[dict[str, Any] | None] = mapped_column(JSON())
    feature_hash: Mapped[str | None] = mapped_column(String(64))


class OddsOutboxRow(Base):
    """An odds snapshot stored but not yet published on the ``odds`` stream.

    Written in the same transaction as the snapshot and deleted once the stream
    has it, so a crash between the database commit and the publish loses
    nothing: the next ingestion engine publishes what is left here first.
    """

    __tablename__ = "odds_outbox"

    odds_snapshot_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("odds_snapshots.id"), primary_key=True, autoincrement=False
    )
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


# -- people, money and records (the API gateway) ----------------------------------------


class UserRow(Base):
    """A person who signs in; ``role`` is admin, trader or viewer; the password is argon2id."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class RefreshTokenRow(Base):
    """An issued refresh token, by its ``jti``: rotated on use, revocable.

    ``family`` is the ``jti`` of the sign-in's first refresh token, shared by every
    token rotated from it, so a replayed token can end them all.
    """

    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    family: Mapped[str | None] = mapped_column(String(64), index=True)


class WebSessionRow(Base):
    """A browser's signed-in session: the cookie holds a secret, this table its SHA-256.

    Server-side so that signing out, disabling the account or an admin revoking
    it ends the session at once, unlike a bearer token that lives until expiry.
    """

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ApiKeyRow(Base):
    """A program's key: shown once, stored as a SHA-256, scoped, revocable."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(80))
    scopes: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class PortfolioRow(Base):
    """A bankroll and its staking settings, owned by one user."""

    __tablename__ = "portfolios"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    currency: Mapped[str] = mapped_column(String(3))
    kelly_fraction: Mapped[Decimal] = mapped_column(Price())
    max_stake_fraction: Mapped[Decimal] = mapped_column(Price())
    max_fixture_fraction: Mapped[Decimal] = mapped_column(Price())
    max_day_fraction: Mapped[Decimal] = mapped_column(Price())
    min_edge: Mapped[Decimal] = mapped_column(Price())
    created_at: Mapped[datetime]


class LedgerEntryRow(Base):
    """One movement of a portfolio's money, in minor units; append-only.

    The bankroll is the sum of the entries: deposits and withdrawals, each
    bet's stake (negative) and its payout or refund. Triggers refuse updates
    and deletes, so the history cannot be rewritten.
    """

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    bet_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("bets.id"), index=True)
    created_at: Mapped[datetime]


class BetRow(Base):
    """A stake on one selection at a stored odds snapshot's price.

    ``status`` goes open → settled or open → void, once: settlement updates the
    row only where it is still open, so concurrent settlements pay once.
    """

    __tablename__ = "bets"
    # A portfolio's page of bets, newest first, of every status or of one.
    __table_args__ = (
        Index("ix_bets_portfolio_id_id", "portfolio_id", "id"),
        Index("ix_bets_portfolio_id_status_id", "portfolio_id", "status", "id"),
        CheckConstraint(
            "odds_snapshot_id IS NOT NULL OR bookmaker IS NOT NULL", name="snapshot_or_bookmaker"
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    fixture_id: Mapped[int] = mapped_column(ForeignKey("fixtures.id"), index=True)
    odds_snapshot_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("odds_snapshots.id"))
    prediction_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("predictions.id"))
    market: Mapped[str] = mapped_column(String(16))
    selection: Mapped[str] = mapped_column(String(8))
    line_quarters: Mapped[int] = mapped_column(SmallInteger)
    odds: Mapped[Decimal] = mapped_column(Price())
    stake_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(8))
    outcome: Mapped[str | None] = mapped_column(String(10))
    payout_minor: Mapped[int | None] = mapped_column(BigInteger)
    placed_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]
    # A bet taken elsewhere: the bookmaker as the user named it, the known one of that
    # name (its closing price scores the bet), the account staked from (migration 0007).
    bookmaker: Mapped[str | None] = mapped_column(String(64))
    bookmaker_id: Mapped[int | None] = mapped_column(ForeignKey("bookmakers.id"))
    bookmaker_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookmaker_accounts.id"), index=True
    )


class BookmakerAccountRow(Base):
    """A portfolio's account at a bookmaker: the balance as its owner last recorded it (in
    minor units of ``currency``) and the largest stake it is known to take."""

    __tablename__ = "bookmaker_accounts"
    __table_args__ = (UniqueConstraint("portfolio_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(ForeignKey("portfolios.id"))
    name: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    balance_minor: Mapped[int] = mapped_column(BigInteger)
    max_stake_minor: Mapped[int | None] = mapped_column(BigInteger)
    bookmaker_id: Mapped[int | None] = mapped_column(ForeignKey("bookmakers.id"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class LimitationEventRow(Base):
    """A bookmaker account refusing a stake or cutting its limit: when, on what market,
    what it refused and the maximum it then allowed, if it said."""

    __tablename__ = "limitation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("bookmaker_accounts.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    market: Mapped[str | None] = mapped_column(String(16))
    refused: Mapped[str] = mapped_column(String(200))
    max_stake_minor: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class AuditSnapshotRow(Base):
    """An append-only, hash-chained record of what a bet was placed, settled or voided on.

    ``hash`` is SHA-256 of the previous row's hash and this row's canonical JSON
    ``payload``; ``scoreline audit verify`` recomputes the chain. Triggers refuse
    updates and deletes.
    """

    __tablename__ = "audit_snapshots"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    bet_id: Mapped[int] = mapped_column(BigId, ForeignKey("bets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


# -- alerts ---------------------------------------------------------------------------------


class AlertSettingsRow(Base):
    """A user's alert thresholds (fractions; NULL turns that alert off) and webhook."""

    __tablename__ = "alert_settings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    value_edge_min: Mapped[Decimal | None]
    line_move_min: Mapped[Decimal | None]
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    updated_at: Mapped[datetime]


class FollowedFixtureRow(Base):
    """A fixture a user follows for line-move alerts, since ``followed_at``."""

    __tablename__ = "followed_fixtures"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    fixture_id: Mapped[int] = mapped_column(ForeignKey("fixtures.id"), primary_key=True, index=True)
    followed_at: Mapped[datetime]


class AlertRow(Base):
    """An alert told to a user: a new value bet or a line move (``domain.alerts``).

    ``dedup_key`` makes each alert once per user whatever redelivers its cause: a value
    bet's is its selection, a line move's the snapshot and selection that moved.
    ``read_at`` and the webhook's state are the only columns that ever change.
    """

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("user_id", "dedup_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    fixture_id: Mapped[int] = mapped_column(ForeignKey("fixtures.id"))
    market: Mapped[str] = mapped_column(String(16))
    line_quarters: Mapped[int] = mapped_column(SmallInteger)
    selection: Mapped[str] = mapped_column(String(8))
    bookmaker: Mapped[str] = mapped_column(String(64))
    price: Mapped[Decimal]
    previous_price: Mapped[Decimal | None]
    change: Mapped[Decimal | None]
    edge: Mapped[Decimal | None]
    odds_snapshot_id: Mapped[int | None] = mapped_column(BigInteger)
    dedup_key: Mapped[str] = mapped_column(String(96))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    webhook_state: Mapped[str | None] = mapped_column(String(8))
    webhook_detail: Mapped[str | None] = mapped_column(String(200))
