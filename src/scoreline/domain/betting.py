"""The betting book's records and rules: portfolio settings, portfolios, bets, ledger, audit.

Money is integer minor units and prices are ``Decimal``. A portfolio's
bankroll is the sum of its ledger (deposits, withdrawals, stakes, payouts,
refunds), which is append-only. A bet is open until it is settled by its
fixture's result or voided by its owner, and each of those steps appends an
audit link.

``PortfolioSettings`` is the one definition of the five staking settings:
their names, defaults, allowed ranges and the rule that the caps nest. The API
schemas, the repository and stake sizing all derive from it (``SETTINGS``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, Self, cast

from scoreline.domain.markets import Market
from scoreline.errors import DataError

__all__ = [
    "SETTINGS",
    "SETTINGS_PLACES",
    "AuditKind",
    "AuditLink",
    "BetRecord",
    "BetStatus",
    "CompetitionExposure",
    "FixtureExposure",
    "Interval",
    "LabelledBet",
    "LedgerKind",
    "OpenStake",
    "PortfolioBalance",
    "PortfolioExposure",
    "PortfolioRecord",
    "PortfolioSettings",
    "Setting",
    "ValueBet",
]

SETTINGS_PLACES = 4
"""Decimal places a setting is given and stored to."""


class BetStatus(enum.StrEnum):
    """Where a bet is in its life: open until settled by the result or voided by its owner."""

    OPEN = "open"
    SETTLED = "settled"
    VOID = "void"


class LedgerKind(enum.StrEnum):
    """Why money moved in or out of a portfolio."""

    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    STAKE = "stake"
    PAYOUT = "payout"
    REFUND = "refund"


class AuditKind(enum.StrEnum):
    """The step of a bet's life an audit link records."""

    PLACED = "placed"
    SETTLED = "settled"
    VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class Interval:
    """The values a setting may take; each end open or closed, printed as ``(0, 1]``."""

    low: Decimal
    high: Decimal
    low_open: bool
    high_open: bool

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, Decimal) or not value.is_finite():
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def __str__(self) -> str:
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{left}{self.low}, {self.high}{right}"


_FRACTION = Interval(Decimal(0), Decimal(1), low_open=True, high_open=False)
_EDGE = Interval(Decimal(0), Decimal(1), low_open=False, high_open=True)


@dataclass(frozen=True, slots=True)
class PortfolioSettings:
    """Staking settings: a fraction of full Kelly, three caps, and the smallest edge bet.

    The caps are shares of the bankroll: one suggested stake, what is open on
    one fixture, and what is open on one kick-off day (UTC)
    (``services.stake_sizing``). They must nest (bet ≤ fixture ≤ day), or the
    larger one could never bind. Fractions are in (0, 1], the edge in [0, 1).

    Raises
    ------
    DataError
        On a value out of range, or caps that do not nest, naming them.
    """

    kelly_fraction: Decimal = field(default=Decimal("0.25"), metadata={"allowed": _FRACTION})
    max_stake_fraction: Decimal = field(default=Decimal("0.05"), metadata={"allowed": _FRACTION})
    max_fixture_fraction: Decimal = field(default=Decimal("0.10"), metadata={"allowed": _FRACTION})
    max_day_fraction: Decimal = field(default=Decimal("0.25"), metadata={"allowed": _FRACTION})
    min_edge: Decimal = field(default=Decimal("0.02"), metadata={"allowed": _EDGE})

    def __post_init__(self) -> None:
        for setting in SETTINGS:
            value = getattr(self, setting.name)
            if value not in setting.allowed:
                raise DataError(
                    f"{setting.name} must be a Decimal in {setting.allowed}, got {value!r}"
                )
        if not self.max_stake_fraction <= self.max_fixture_fraction <= self.max_day_fraction:
            raise DataError(
                "the caps must nest: max_stake_fraction "
                f"{self.max_stake_fraction} ≤ max_fixture_fraction {self.max_fixture_fraction}"
                f" ≤ max_day_fraction {self.max_day_fraction}"
            )

    @classmethod
    def stored(cls, **values: Decimal) -> Self:
        """Settings as stored, unchecked: portfolios made before the fixture and day caps
        existed got the caps' defaults (migration 0005), which need not nest with theirs."""
        settings = object.__new__(cls)
        for setting in SETTINGS:
            object.__setattr__(settings, setting.name, values[setting.name])
        return settings

    def as_dict(self) -> dict[str, Decimal]:
        """The settings by name."""
        return {setting.name: getattr(self, setting.name) for setting in SETTINGS}


class Setting(NamedTuple):
    """One of ``PortfolioSettings``'s fields: its name, default and allowed range."""

    name: str
    default: Decimal
    allowed: Interval


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(f.name, cast(Decimal, f.default), f.metadata["allowed"])
    for f in fields(PortfolioSettings)
)
"""The five settings in order, read off ``PortfolioSettings``."""


@dataclass(frozen=True, slots=True)
class PortfolioRecord:
    """A stored portfolio of one owner."""

    id: int
    owner_id: int
    name: str
    currency: str
    settings: PortfolioSettings
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PortfolioBalance:
    """A portfolio and its money: the ledger's balance, and what open bets have staked."""

    portfolio: PortfolioRecord
    bankroll_minor: int
    open_stakes_minor: int


@dataclass(frozen=True, slots=True)
class BetRecord:
    """A stored bet. ``line_quarters`` is the line in quarter goals (0 for 1X2).

    A bet placed through us names its odds snapshot; one taken at another bookmaker and
    recorded here names none (``odds_snapshot_id`` None) but its ``bookmaker`` as the
    user gave it, the known bookmaker of that name (``bookmaker_id``) if any, and the
    account staked from (``bookmaker_account_id``) if the user keeps one.
    """

    id: int
    portfolio_id: int
    fixture_id: int
    odds_snapshot_id: int | None
    prediction_id: int | None
    market: str
    selection: str
    line_quarters: int
    odds: Decimal
    stake_minor: int
    status: BetStatus
    outcome: str | None
    payout_minor: int | None
    placed_at: datetime
    settled_at: datetime | None
    bookmaker: str | None = None
    bookmaker_id: int | None = None
    bookmaker_account_id: int | None = None

    @property
    def line(self) -> Decimal | None:
        """The line in goals; None for 1X2, which has none."""
        return None if self.market == Market.MATCH_ODDS else Decimal(self.line_quarters) / 4

    @property
    def profit_minor(self) -> int:
        """What the bet made: payout less stake (the stake lost while open)."""
        return (self.payout_minor or 0) - self.stake_minor


class LabelledBet(NamedTuple):
    """A settled bet with the labels performance groups by."""

    bet: BetRecord
    competition: str
    bookmaker: str


@dataclass(frozen=True, slots=True)
class OpenStake:
    """One open bet's stake and price, with the fixture it is on and the position it adds
    to (market, line in quarter goals, selection)."""

    fixture_id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    stake_minor: int
    odds: Decimal
    market: str = ""
    line_quarters: int = 0
    selection: str = ""


@dataclass(frozen=True, slots=True)
class FixtureExposure:
    """Open stakes on one fixture, and what they pay back if every one of them wins."""

    fixture_id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    stake_minor: int
    bets: int
    potential_payout_minor: int


@dataclass(frozen=True, slots=True)
class CompetitionExposure:
    """Open stakes in one competition."""

    competition: str
    stake_minor: int
    bets: int


@dataclass(frozen=True, slots=True)
class PortfolioExposure:
    """A portfolio's open bets, summed by fixture (in kick-off order) and by competition."""

    portfolio_id: int
    open_stakes_minor: int
    by_fixture: list[FixtureExposure]
    by_competition: list[CompetitionExposure]


@dataclass(frozen=True, slots=True)
class ValueBet:
    """A price whose edge over the active model clears a portfolio's minimum, and the stake
    the portfolio's settings suggest for it; where that is 0, a reason code and sentence."""

    fixture_id: int
    odds_snapshot_id: int
    bookmaker: str
    selection: str
    price: Decimal
    probability: float
    edge: Decimal
    suggested_stake_minor: int
    stake_reason: str | None = None
    stake_message: str | None = None


@dataclass(frozen=True, slots=True)
class AuditLink:
    """One stored audit snapshot: its payload's canonical text and the hashes chaining it."""

    id: int
    prev_hash: str
    payload: str
    hash: str
