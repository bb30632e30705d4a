"""The book's hard caps: how much room one more stake has, and the refusal when it has none.

Every cap is a share of **equity**, the cash in the ledger plus the stakes still
open: placing a bet moves money from cash into an open stake and leaves equity
where it was, so a cap does not shrink because it is being used (a cap on cash
would, and a trader would get a smaller "5%" after every bet). Four limits bind
one new stake:

- ``per_bet``      one stake at most ``max_stake_fraction`` of equity;
- ``per_fixture``  the open stakes on one fixture, this one included, at most
                   ``max_fixture_fraction`` of equity;
- ``per_day``      the open stakes on fixtures kicking off on one UTC day, at most
                   ``max_day_fraction`` of equity;
- ``cash``         no stake above the cash in the ledger.

The stake sizer suggests within this room and placement refuses outside it
(``DataError``, 422), naming the tightest limit and its room in money; the
placement checks under the portfolio's lock, so two placements cannot both fit
into the same room. One home for the rule: ``rooms`` below.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from scoreline.domain.betting import PortfolioSettings
from scoreline.domain.money import format_money
from scoreline.errors import DataError

__all__ = ["Cap", "Position", "check_stake", "describe", "rooms", "share"]


class Cap(enum.StrEnum):
    """A limit on one new stake; its value is the code clients see."""

    PER_BET = "per_bet"
    PER_FIXTURE = "per_fixture"
    PER_DAY = "per_day"
    CASH = "cash"

    @property
    def label(self) -> str:
        """How a person reads the cap."""
        return _LABELS[self]


_LABELS = {
    Cap.PER_BET: "per-bet cap",
    Cap.PER_FIXTURE: "per-fixture cap",
    Cap.PER_DAY: "per-day cap",
    Cap.CASH: "cash available",
}


@dataclass(frozen=True, slots=True)
class Position:
    """What a portfolio holds where a new stake would go, in minor units.

    Attributes
    ----------
    cash_minor : int
        The ledger's balance: money not staked.
    open_minor : int
        Every open stake of the portfolio.
    open_on_fixture_minor, open_on_day_minor : int
        The open stakes on the new stake's fixture and on its kick-off day (UTC).
    """

    cash_minor: int
    open_minor: int
    open_on_fixture_minor: int
    open_on_day_minor: int

    @property
    def equity_minor(self) -> int:
        """Cash plus open stakes: what the caps are shares of."""
        return self.cash_minor + self.open_minor


def share(equity_minor: int, fraction: Decimal) -> int:
    """``fraction`` of equity, rounded down to a whole minor unit (never above the cap)."""
    return int((Decimal(max(equity_minor, 0)) * fraction).to_integral_value(ROUND_DOWN))


def rooms(settings: PortfolioSettings, position: Position) -> dict[Cap, int]:
    """The most one more stake may be under each limit, in minor units, never below 0."""
    equity = position.equity_minor
    return {
        Cap.PER_BET: max(0, share(equity, settings.max_stake_fraction)),
        Cap.PER_FIXTURE: max(
            0, share(equity, settings.max_fixture_fraction) - position.open_on_fixture_minor
        ),
        Cap.PER_DAY: max(0, share(equity, settings.max_day_fraction) - position.open_on_day_minor),
        Cap.CASH: max(0, position.cash_minor),
    }


def _fractions(settings: PortfolioSettings) -> dict[Cap, Decimal]:
    return {
        Cap.PER_BET: settings.max_stake_fraction,
        Cap.PER_FIXTURE: settings.max_fixture_fraction,
        Cap.PER_DAY: settings.max_day_fraction,
    }


def describe(
    settings: PortfolioSettings, position: Position, cap: Cap, room_minor: int, currency: str
) -> str:
    """One line naming ``cap`` and its room in money: "per-day cap (25% of equity
    EUR 10,000.00): EUR 0.00 left"."""
    fraction = _fractions(settings).get(cap)
    basis = (
        ""
        if fraction is None
        else f" ({(fraction * 100).normalize():f}% of equity "
        f"{format_money(position.equity_minor, currency)})"
    )
    return f"{cap.label}{basis}: {format_money(room_minor, currency)} left"


def check_stake(
    stake_minor: int, settings: PortfolioSettings, position: Position, *, currency: str
) -> None:
    """Refuse a stake above the room under any limit (``DataError``, 422), naming the
    tightest limit it breaks and the room left under it in money."""
    room = rooms(settings, position)
    broken = [cap for cap in Cap if stake_minor > room[cap]]
    if not broken:
        return
    # The tightest names what to act on; on a tie the plainest limit (cash before the day,
    # the fixture, the bet) is named.
    cap = min(reversed(broken), key=lambda c: room[c])
    raise DataError(
        f"stake {format_money(stake_minor, currency)} is above the "
        f"{describe(settings, position, cap, room[cap], currency)}; bet refused"
    )
