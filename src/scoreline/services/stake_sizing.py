"""The stake a portfolio should still add on a fixture: a Kelly position minus what is open.

The board and the value-bets list both show it, so it lives in one place; the
staking rule itself is the backtests' (``pricing.kelly.capped_kelly``), so a
live suggestion and a backtest bet are sized by the same code.

How a suggestion is made, for the priced selections of one fixture:

1. **Equity, not cash.** Kelly is sized on equity, the ledger's cash plus the
   stakes still open (``domain.caps``): an open stake is still the trader's money
   at risk, and sizing on cash alone would re-suggest most of a bet already taken.
2. **A target exposure per selection.** The selections of one market (home, draw
   and away of 1X2; over and under of one totals line; the sides of one Asian
   handicap line) are mutually exclusive, so they are sized *jointly* by
   simultaneous Kelly, times the portfolio's Kelly fraction, each capped per bet.
   Selections below the minimum edge, or at a stale price, are left out of that
   market (neither bet nor used as a hedge).
3. **Only the stake still missing.** The suggestion is the target minus what is
   already open on that very selection (same fixture, market, line, side), never
   below 0: once a suggestion is placed, the same selection suggests nothing.
4. **The hard caps.** The missing stakes of the whole fixture are scaled down
   together, in proportion, to fit the room left under the per-fixture cap, the
   per-day cap and the cash (``domain.caps.rooms``, the same rule placement
   enforces), then rounded down to whole minor units.
5. **What the account will take.** A stake at a bookmaker whose account has a
   known maximum stake (``services.bookmaker_accounts.stake_limits``) is cut to
   that maximum (``domain.bookmaker_accounts.clip_stake``), and says so: a
   professional's binding constraint is often the account, not the bankroll.

The approximation, honestly: different markets of one fixture (1X2 and an Asian
handicap or a totals line) are not mutually exclusive outcomes, so they are not
one simultaneous-Kelly problem; each market is solved on its own and only the
fixture cap (and the day cap and cash) is shared between them. Correlated
markets can therefore together hold more risk than one joint optimisation would
give them, bounded by the fixture cap. Fixtures on the same day are sized one at
a time, each against the full day room: they are alternatives, and once one is
placed the others shrink.

Where nothing is suggested, a ``Suggestion`` carries a reason code and a
sentence (``Reason``), so the board and the bet dialog can say why; a stake cut
by an account's maximum carries ``account_limit`` beside its (smaller) stake.
"""

from __future__ import annotations

import enum
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import numpy as np

from scoreline.domain import caps
from scoreline.domain.betting import PortfolioRecord, PortfolioSettings
from scoreline.domain.bookmaker_accounts import StakeLimit, clip_stake
from scoreline.domain.money import format_money
from scoreline.pricing import kelly
from scoreline.services import bookmaker_accounts, portfolios
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "Leg",
    "PositionKey",
    "Reason",
    "StakeSizer",
    "Suggestion",
    "sizer_for",
    "sizer_for_owner",
]

PositionKey = tuple[int, str, int, str]
"""Where a stake sits: (fixture id, market, line in quarter goals, selection)."""

# Floating-point noise forgiven before rounding a target down, in minor units (as kelly.stakes).
_ROUNDING_SLACK = 1e-6


class Reason(enum.StrEnum):
    """Why a selection suggests no stake; the value is the code clients see."""

    EDGE_BELOW_MINIMUM = "edge_below_minimum"
    PRICE_STALE = "price_stale"
    POSITION_HELD = "position_held"
    NOT_IN_KELLY = "not_in_kelly"
    CAP_PER_BET = "cap_per_bet"
    CAP_PER_FIXTURE = "cap_per_fixture"
    CAP_PER_DAY = "cap_per_day"
    CAP_CASH = "cap_cash"
    ACCOUNT_LIMIT = "account_limit"


_CAP_REASONS = {
    caps.Cap.PER_BET: Reason.CAP_PER_BET,
    caps.Cap.PER_FIXTURE: Reason.CAP_PER_FIXTURE,
    caps.Cap.PER_DAY: Reason.CAP_PER_DAY,
    caps.Cap.CASH: Reason.CAP_CASH,
}


@dataclass(frozen=True, slots=True)
class Leg:
    """One priced selection of a fixture, to be sized.

    ``probability`` is the model's; ``is_stale`` says the price is too old to bet at
    (``domain.placement.MAX_PRICE_AGE``), so it is shown but not staked;
    ``bookmaker`` is the code of the bookmaker quoting ``price``, whose account's
    maximum stake (if known) caps the suggestion.
    """

    market: str
    line_quarters: int
    selection: str
    probability: float
    price: Decimal
    is_stale: bool = False
    bookmaker: str | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The stake to add, in minor units; with no stake, why (``reason``, ``message``); with
    a stake cut to an account's maximum, ``Reason.ACCOUNT_LIMIT`` and whose maximum."""

    stake_minor: int
    reason: Reason | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class StakeSizer:
    """A portfolio's staking settings, cash and open positions, ready to size stakes.

    Attributes
    ----------
    settings : PortfolioSettings
        The Kelly fraction, the caps and the smallest edge.
    currency : str
        The portfolio's currency, for the reasons' amounts.
    cash_minor : int
        The ledger's balance in minor units.
    open_by_position : mapping
        Open stakes, in minor units, by ``PositionKey``.
    open_by_fixture, open_by_day : mapping
        Open stakes, in minor units, by fixture id and by kick-off date (UTC).
    account_limits : mapping
        The known maximum stake of the portfolio's bookmaker accounts, by bookmaker code.
    """

    settings: PortfolioSettings
    cash_minor: int
    currency: str = "EUR"
    open_by_position: Mapping[PositionKey, int] = field(default_factory=dict)
    open_by_fixture: Mapping[int, int] = field(default_factory=dict)
    open_by_day: Mapping[date, int] = field(default_factory=dict)
    account_limits: Mapping[str, StakeLimit] = field(default_factory=dict)

    @property
    def open_minor(self) -> int:
        """Every open stake."""
        return sum(self.open_by_fixture.values())

    @property
    def equity_minor(self) -> int:
        """Cash plus open stakes: what Kelly and the caps are shares of."""
        return self.cash_minor + self.open_minor

    def position(self, fixture_id: int, kickoff: datetime) -> caps.Position:
        """What is held where a new stake on the fixture would go."""
        return caps.Position(
            cash_minor=self.cash_minor,
            open_minor=self.open_minor,
            open_on_fixture_minor=self.open_by_fixture.get(fixture_id, 0),
            open_on_day_minor=self.open_by_day.get(kickoff.date(), 0),
        )

    def suggest(
        self, legs: Sequence[Leg], *, fixture_id: int, kickoff: datetime
    ) -> list[Suggestion]:
        """The stake each leg still needs, in the legs' order (see the module docstring)."""
        equity = self.equity_minor
        eligible = [self._is_eligible(leg) for leg in legs]
        targets = self._targets(legs, eligible, equity)
        missing = [
            max(0, target - self.open_by_position.get(self._key(fixture_id, leg), 0))
            for leg, target in zip(legs, targets, strict=True)
        ]
        position = self.position(fixture_id, kickoff)
        room = caps.rooms(self.settings, position)
        missing = [min(stake, room[caps.Cap.PER_BET]) for stake in missing]
        shared = {cap: room[cap] for cap in (caps.Cap.PER_FIXTURE, caps.Cap.PER_DAY, caps.Cap.CASH)}
        binding = min(shared, key=lambda cap: shared[cap])
        total = sum(missing)
        scale = Decimal(1) if total <= shared[binding] else Decimal(shared[binding]) / total
        stakes = [int(Decimal(stake) * scale) for stake in missing]
        out = []
        for leg, ok, target, want, stake in zip(
            legs, eligible, targets, missing, stakes, strict=True
        ):
            if stake > 0:
                out.append(self._clipped(leg, stake))
            else:
                out.append(self._why(leg, ok, target, want, position, binding, room, fixture_id))
        return out

    def _clipped(self, leg: Leg, stake: int) -> Suggestion:
        """``stake`` cut to what the leg's bookmaker account will take, saying so when cut."""
        limit = None if leg.bookmaker is None else self.account_limits.get(leg.bookmaker)
        if limit is None:
            return Suggestion(stake)
        clipped = clip_stake(stake, limit.max_stake_minor)
        if clipped == stake:
            return Suggestion(stake)
        money = self.currency
        return Suggestion(
            clipped,
            Reason.ACCOUNT_LIMIT,
            f"account {limit.account_name} takes at most "
            f"{format_money(limit.max_stake_minor, money)}: cut from "
            f"{format_money(stake, money)}",
        )

    def _key(self, fixture_id: int, leg: Leg) -> PositionKey:
        return (fixture_id, leg.market, leg.line_quarters, leg.selection)

    def _is_eligible(self, leg: Leg) -> bool:
        if leg.is_stale or leg.price <= 1:
            return False
        edge = kelly.money_edge(leg.probability, leg.price)
        return edge > 0 and edge >= self.settings.min_edge

    def _targets(self, legs: Sequence[Leg], eligible: Sequence[bool], equity: int) -> list[int]:
        """Each leg's target exposure in minor units: fractional simultaneous Kelly per market."""
        targets = [0] * len(legs)
        if equity <= 0:
            return targets
        markets: dict[tuple[str, int], list[int]] = defaultdict(list)
        for index, leg in enumerate(legs):
            markets[(leg.market, leg.line_quarters)].append(index)
        for indices in markets.values():
            if not any(eligible[i] for i in indices):
                continue
            p = np.array([[round(legs[i].probability, 6) for i in indices]])
            d = np.array([[float(legs[i].price) if legs[i].price > 1 else 2.0 for i in indices]])
            mask = np.array([[eligible[i] for i in indices]])
            fractions = kelly.capped_kelly(
                p,
                d,
                eligible=mask,
                fraction=float(self.settings.kelly_fraction),
                max_bet=float(self.settings.max_stake_fraction),
            )[0]
            for i, f in zip(indices, fractions, strict=True):
                targets[i] = math.floor(f * equity + _ROUNDING_SLACK)
        return targets

    def _why(  # noqa: PLR0917 - one private call site, read beside it
        self,
        leg: Leg,
        is_eligible: bool,
        target: int,
        missing: int,
        position: caps.Position,
        binding: caps.Cap,
        room: Mapping[caps.Cap, int],
        fixture_id: int,
    ) -> Suggestion:
        money = self.currency
        if leg.is_stale:
            return Suggestion(
                0, Reason.PRICE_STALE, "the price is stale; no stake until a fresh one arrives"
            )
        if not is_eligible:
            edge = kelly.money_edge(leg.probability, leg.price) if leg.price > 1 else Decimal(-1)
            return Suggestion(
                0,
                Reason.EDGE_BELOW_MINIMUM,
                f"edge {_percent(edge)} is below the minimum {_percent(self.settings.min_edge)}",
            )
        if target == 0:
            return Suggestion(
                0,
                Reason.NOT_IN_KELLY,
                "Kelly stakes nothing here alongside the other selections of this market",
            )
        if missing == 0 and room[caps.Cap.PER_BET] > 0:
            held = self.open_by_position.get(self._key(fixture_id, leg), 0)
            return Suggestion(
                0,
                Reason.POSITION_HELD,
                f"position held: {format_money(held, money)} open against a target of "
                f"{format_money(target, money)}",
            )
        cap = binding if missing > 0 else caps.Cap.PER_BET
        return Suggestion(
            0,
            _CAP_REASONS[cap],
            f"{caps.describe(self.settings, position, cap, room[cap], money)}: cap reached",
        )


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.01'))}%"


def sizer_for(uow: UnitOfWork, portfolio: PortfolioRecord) -> StakeSizer:
    """The sizer of a stored portfolio, with its cash and open positions read now, inside
    the caller's unit of work."""
    by_position: dict[PositionKey, int] = defaultdict(int)
    by_fixture: dict[int, int] = defaultdict(int)
    by_day: dict[date, int] = defaultdict(int)
    for open_stake in uow.bets.list_open_stakes(portfolio_id=portfolio.id):
        key = (
            open_stake.fixture_id,
            open_stake.market,
            open_stake.line_quarters,
            open_stake.selection,
        )
        by_position[key] += open_stake.stake_minor
        by_fixture[open_stake.fixture_id] += open_stake.stake_minor
        by_day[open_stake.kickoff.date()] += open_stake.stake_minor
    return StakeSizer(
        settings=portfolio.settings,
        cash_minor=uow.ledger.balance(portfolio_id=portfolio.id),
        currency=portfolio.currency,
        open_by_position=dict(by_position),
        open_by_fixture=dict(by_fixture),
        open_by_day=dict(by_day),
        account_limits=bookmaker_accounts.stake_limits(uow, portfolio_id=portfolio.id),
    )


def sizer_for_owner(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int
) -> StakeSizer:
    """The sizer of one of the owner's portfolios; ``NotFoundError`` for anyone else's."""
    with unit_of_work() as uow:
        return sizer_for(uow, portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id))
