"""The stake a portfolio's settings suggest for one price: fractional Kelly under three caps.

The board and the value-bets list both show it, so it lives in one place. A
suggestion is sized for one bet at a time, as a trader takes them: each one is
fractional Kelly, capped per bet, and then cut to the room left under the
portfolio's caps on one fixture and on one kick-off day (UTC), counting the
stakes already open there. Two suggestions on the same fixture are
alternatives, not a plan to take both; once one is placed, the other shrinks.

Every cap is a share of the bankroll: the ledger's balance, which is what is
free to stake (open stakes have left it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoreline.services.book import bankroll_minor
from scoreline.storage.tables import BetRow, FixtureRow, PortfolioRow

__all__ = ["StakeSizer", "open_exposure", "sizer_for"]


@dataclass(frozen=True, slots=True)
class StakeSizer:
    """A portfolio's staking settings, bankroll and open exposure, ready to size stakes.

    Attributes
    ----------
    kelly_fraction, max_stake_fraction, max_fixture_fraction, max_day_fraction, min_edge
        The portfolio's settings (``PortfolioSettings``).
    bankroll_minor : int
        The ledger's balance in minor units.
    open_by_fixture, open_by_day : mapping
        Stakes of open bets, in minor units, by fixture id and by kick-off date (UTC).
    """

    kelly_fraction: Decimal
    max_stake_fraction: Decimal
    max_fixture_fraction: Decimal
    max_day_fraction: Decimal
    min_edge: Decimal
    bankroll_minor: int
    open_by_fixture: Mapping[int, int] = field(default_factory=dict)
    open_by_day: Mapping[date, int] = field(default_factory=dict)

    def _share(self, fraction: Decimal) -> int:
        return int((Decimal(self.bankroll_minor) * fraction).to_integral_value(ROUND_DOWN))

    def stake_minor(
        self, edge: Decimal, price: Decimal, *, fixture_id: int, kickoff: datetime
    ) -> int:
        """The suggested stake in minor units; 0 below the minimum edge or with no room left."""
        if edge < self.min_edge or edge <= 0 or price <= 1 or self.bankroll_minor <= 0:
            return 0
        kelly = edge / (price - 1)
        stake = self._share(min(kelly * self.kelly_fraction, self.max_stake_fraction))
        fixture_room = self._share(self.max_fixture_fraction) - self.open_by_fixture.get(
            fixture_id, 0
        )
        day_room = self._share(self.max_day_fraction) - self.open_by_day.get(kickoff.date(), 0)
        return max(0, min(stake, fixture_room, day_room))


def open_exposure(session: Session, portfolio_id: int) -> tuple[dict[int, int], dict[date, int]]:
    """Stakes of the portfolio's open bets, by fixture and by kick-off date (UTC)."""
    by_fixture: dict[int, int] = defaultdict(int)
    by_day: dict[date, int] = defaultdict(int)
    rows = session.execute(
        select(BetRow.fixture_id, FixtureRow.kickoff_utc, BetRow.stake_minor)
        .join(FixtureRow, FixtureRow.id == BetRow.fixture_id)
        .where(BetRow.portfolio_id == portfolio_id, BetRow.status == "open")
    )
    for fixture_id, kickoff, stake in rows:
        by_fixture[fixture_id] += stake
        by_day[kickoff.date()] += stake
    return dict(by_fixture), dict(by_day)


def sizer_for(session: Session, portfolio: PortfolioRow) -> StakeSizer:
    """The sizer of a stored portfolio, with its bankroll and open exposure read now."""
    by_fixture, by_day = open_exposure(session, portfolio.id)
    return StakeSizer(
        kelly_fraction=portfolio.kelly_fraction,
        max_stake_fraction=portfolio.max_stake_fraction,
        max_fixture_fraction=portfolio.max_fixture_fraction,
        max_day_fraction=portfolio.max_day_fraction,
        min_edge=portfolio.min_edge,
        bankroll_minor=bankroll_minor(session, portfolio.id),
        open_by_fixture=by_fixture,
        open_by_day=by_day,
    )
