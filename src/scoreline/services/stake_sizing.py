"""The stake a portfolio's settings suggest for one price: fractional Kelly under three caps.

The board and the value-bets list both show it, so it lives in one place. A
suggestion is sized for one bet at a time, as a trader takes them: each one is
fractional Kelly (``pricing.kelly.money_kelly``, the Kelly module the
backtests use), capped per bet, and then cut to the room left under the
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

from scoreline.domain.betting import PortfolioRecord, PortfolioSettings
from scoreline.pricing import kelly
from scoreline.services import portfolios
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["StakeSizer", "sizer_for", "sizer_for_owner"]


@dataclass(frozen=True, slots=True)
class StakeSizer:
    """A portfolio's staking settings, bankroll and open exposure, ready to size stakes.

    Attributes
    ----------
    settings : PortfolioSettings
        The Kelly fraction, the caps and the smallest edge.
    bankroll_minor : int
        The ledger's balance in minor units.
    open_by_fixture, open_by_day : mapping
        Stakes of open bets, in minor units, by fixture id and by kick-off date (UTC).
    """

    settings: PortfolioSettings
    bankroll_minor: int
    open_by_fixture: Mapping[int, int] = field(default_factory=dict)
    open_by_day: Mapping[date, int] = field(default_factory=dict)

    def _share(self, fraction: Decimal) -> int:
        return int((Decimal(self.bankroll_minor) * fraction).to_integral_value(ROUND_DOWN))

    def stake_minor(
        self, edge: Decimal, price: Decimal, *, fixture_id: int, kickoff: datetime
    ) -> int:
        """The suggested stake in minor units; 0 below the minimum edge or with no room left.

        ``edge`` is ``pricing.kelly.money_edge`` of the price.
        """
        settings = self.settings
        if edge < settings.min_edge or edge <= 0 or price <= 1 or self.bankroll_minor <= 0:
            return 0
        fraction = kelly.money_kelly(edge, price) * settings.kelly_fraction
        stake = self._share(min(fraction, settings.max_stake_fraction))
        fixture_room = self._share(settings.max_fixture_fraction) - self.open_by_fixture.get(
            fixture_id, 0
        )
        day_room = self._share(settings.max_day_fraction) - self.open_by_day.get(kickoff.date(), 0)
        return max(0, min(stake, fixture_room, day_room))


def sizer_for(uow: UnitOfWork, portfolio: PortfolioRecord) -> StakeSizer:
    """The sizer of a stored portfolio, with its bankroll and open exposure read now, inside
    the caller's unit of work."""
    by_fixture: dict[int, int] = defaultdict(int)
    by_day: dict[date, int] = defaultdict(int)
    for open_stake in uow.bets.list_open_stakes(portfolio_id=portfolio.id):
        by_fixture[open_stake.fixture_id] += open_stake.stake_minor
        by_day[open_stake.kickoff.date()] += open_stake.stake_minor
    return StakeSizer(
        settings=portfolio.settings,
        bankroll_minor=uow.ledger.balance(portfolio_id=portfolio.id),
        open_by_fixture=dict(by_fixture),
        open_by_day=dict(by_day),
    )


def sizer_for_owner(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int
) -> StakeSizer:
    """The sizer of one of the owner's portfolios; ``NotFoundError`` for anyone else's."""
    with unit_of_work() as uow:
        return sizer_for(uow, portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id))
