"""Request and response bodies of the REST API (the OpenAPI document is built from these).

Money is integer minor units (``*_minor``) and prices are decimal strings, so
no client ever rounds a float; times are ISO 8601 UTC.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from scoreline.api.security import Role, Scope

__all__ = [
    "ApiKeyCreated",
    "ApiKeyIn",
    "ApiKeyOut",
    "BankrollPoint",
    "BetIn",
    "BetOut",
    "ClvPoint",
    "Competition",
    "Credentials",
    "DepositIn",
    "DrawdownPoint",
    "ErrorBody",
    "Figures",
    "Fixture",
    "Odds",
    "Page",
    "PerformanceOut",
    "PortfolioIn",
    "PortfolioOut",
    "PortfolioSettingsIn",
    "Prediction",
    "RefreshIn",
    "SetupState",
    "Team",
    "Tokens",
    "UserIn",
    "UserOut",
    "ValueBet",
]

T = TypeVar("T")

# Ids and offsets are bounded where they enter: past the database's integer
# range a driver raises instead of finding nothing (fixtures, portfolios and keys
# are 32-bit keys; odds snapshots and bets 64-bit).
MAX_ID = 2**31 - 1
MAX_BIG_ID = 2**63 - 1
MAX_OFFSET = 10**9
_EMAIL = r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$"  # visible ASCII, one @


class ErrorBody(BaseModel):
    """Every error: what went wrong, in words, and a stable type."""

    error: str
    detail: str


class Page(BaseModel, Generic[T]):
    """One page of a list, and how many there are in all."""

    items: list[T]
    total: int
    limit: int
    offset: int


class Credentials(BaseModel):
    """Email and password."""

    email: str = Field(pattern=_EMAIL, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class Tokens(BaseModel):
    """A short-lived access token and a refresh token."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class RefreshIn(BaseModel):
    """A refresh token to trade for a new pair (it is then spent)."""

    refresh_token: str = Field(min_length=1, max_length=4096)


class UserIn(BaseModel):
    """A new user."""

    email: str = Field(pattern=_EMAIL, max_length=254)
    password: str = Field(min_length=12, max_length=1024)
    role: Role = Role.TRADER


class UserOut(BaseModel):
    """A user, without secrets."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: Role
    is_active: bool
    created_at: datetime


class SetupState(BaseModel):
    """What the dashboard needs to know on start: whether the platform still needs its first
    admin (``POST /auth/bootstrap``), and who this browser's session belongs to, if anyone."""

    needs_bootstrap: bool
    user: UserOut | None = None


class ApiKeyIn(BaseModel):
    """A new API key's name and scopes."""

    name: str = Field(min_length=1, max_length=80)
    scopes: list[Scope] = Field(default_factory=lambda: [Scope.READ], min_length=1)


class ApiKeyOut(BaseModel):
    """An API key as listed: never its secret."""

    id: int
    public_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """A new key with its secret, shown this once."""

    secret: str


class Competition(BaseModel):
    """A league, by football-data.co.uk code."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    country: str


class Team(BaseModel):
    """A team."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    country: str


class Fixture(BaseModel):
    """A match, with its score once played."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    status: str
    home_goals: int | None
    away_goals: int | None


class Odds(BaseModel):
    """One bookmaker's prices for one market of a fixture at one time."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    bookmaker: str
    market: str
    line: str | None
    kind: str
    captured_at: datetime
    prices: dict[str, Decimal]


class Prediction(BaseModel):
    """A model's prediction of a fixture, every market priced from one score grid."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    fixture_id: int
    model: str
    version: str
    created_at: datetime
    odds_snapshot_id: int | None
    probabilities: list[float]
    fair_odds: list[float | None]
    expected_goals: list[float]
    markets: dict[str, object] | None
    feature_hash: str | None


class PortfolioSettingsIn(BaseModel):
    """Staking settings: fraction of full Kelly, smallest edge, and caps as shares of the
    bankroll on one suggested stake, on what is open on one fixture and on one kick-off day
    (UTC). The caps must nest: per bet ≤ per fixture ≤ per day."""

    kelly_fraction: Decimal = Field(default=Decimal("0.25"), gt=0, le=1, decimal_places=4)
    max_stake_fraction: Decimal = Field(default=Decimal("0.05"), gt=0, le=1, decimal_places=4)
    min_edge: Decimal = Field(default=Decimal("0.02"), ge=0, lt=1, decimal_places=4)
    max_fixture_fraction: Decimal = Field(default=Decimal("0.10"), gt=0, le=1, decimal_places=4)
    max_day_fraction: Decimal = Field(default=Decimal("0.25"), gt=0, le=1, decimal_places=4)


class PortfolioIn(PortfolioSettingsIn):
    """A new portfolio."""

    name: str = Field(min_length=1, max_length=80)
    currency: str = Field(default="EUR", pattern="^[A-Z]{3}$")


class PortfolioOut(BaseModel):
    """A portfolio and its bankroll."""

    id: int
    name: str
    currency: str
    kelly_fraction: Decimal
    max_stake_fraction: Decimal
    max_fixture_fraction: Decimal
    max_day_fraction: Decimal
    min_edge: Decimal
    bankroll_minor: int
    open_stakes_minor: int
    created_at: datetime


class DepositIn(BaseModel):
    """Money in (positive) or out (negative), in minor units."""

    amount_minor: int = Field(ge=-(10**12), le=10**12)


class BetIn(BaseModel):
    """A stake on one selection of a stored odds snapshot, at its price."""

    odds_snapshot_id: int = Field(ge=1, le=MAX_BIG_ID)
    selection: Literal["home", "draw", "away", "over", "under"]
    stake_minor: int = Field(ge=1, le=10**12)


class BetOut(BaseModel):
    """A bet and how it ended."""

    id: int
    portfolio_id: int
    fixture_id: int
    odds_snapshot_id: int
    market: str
    selection: str
    line: str | None
    odds: Decimal
    stake_minor: int
    status: str
    outcome: str | None
    payout_minor: int | None
    placed_at: datetime
    settled_at: datetime | None


class ValueBet(BaseModel):
    """A price whose edge over the active model clears the portfolio's minimum."""

    fixture_id: int
    odds_snapshot_id: int
    bookmaker: str
    selection: Literal["home", "draw", "away"]
    price: Decimal
    probability: float
    edge: Decimal
    suggested_stake_minor: int


class Figures(BaseModel):
    """A book's results over some settled bets (``pricing.performance.Performance``);
    ratios are decimal fractions (0.05 is 5%), null when undefined."""

    n_bets: int
    staked_minor: int
    profit_minor: int
    roi: Decimal | None
    yield_: Decimal | None = Field(serialization_alias="yield")
    bankroll_return: Decimal | None
    n_won: int
    n_lost: int
    n_returned: int
    win_rate: Decimal | None
    n_with_close: int
    clv_mean: Decimal | None
    beat_close_share: Decimal | None


class BankrollPoint(BaseModel):
    """The bankroll after a settlement."""

    at: datetime
    bankroll_minor: int


class DrawdownPoint(BaseModel):
    """How far below its running peak the bankroll stood (0 or a negative fraction)."""

    at: datetime
    drawdown: Decimal


class ClvPoint(BaseModel):
    """One settled bet's closing-line value: ``odds / closing odds - 1``."""

    bet_id: int
    settled_at: datetime
    clv: Decimal


class PerformanceOut(BaseModel):
    """P&L, ROI, yield, drawdown and CLV of a portfolio over a date range."""

    summary: Figures
    by_competition: dict[str, Figures]
    by_market: dict[str, Figures]
    by_bookmaker: dict[str, Figures]
    bankroll: list[BankrollPoint]
    drawdown: list[DrawdownPoint]
    clv: list[ClvPoint]
