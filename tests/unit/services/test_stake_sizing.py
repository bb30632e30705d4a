"""Suggested stakes: fractional Kelly, cut to the room under the caps per bet, fixture and day."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from scoreline.domain.betting import PortfolioSettings
from scoreline.errors import DataError
from scoreline.services.stake_sizing import StakeSizer

KICKOFF = datetime(2099, 8, 20, 23, 30, tzinfo=UTC)  # late: the day is the UTC date


SETTINGS = PortfolioSettings(
    kelly_fraction=Decimal("0.5"),
    max_stake_fraction=Decimal("0.1"),
    max_fixture_fraction=Decimal("0.12"),
    max_day_fraction=Decimal("0.2"),
    min_edge=Decimal("0.02"),
)


def sizer(**changes: object) -> StakeSizer:
    values: dict[str, object] = {"settings": SETTINGS, "bankroll_minor": 100_000}
    return StakeSizer(**(values | changes))  # type: ignore[arg-type]


def kelly(edge: str, price: str, bankroll: int = 100_000) -> int:
    share = min(Fraction(edge) / (Fraction(price) - 1) * Fraction("0.5"), Fraction("0.1"))
    return math.floor(bankroll * share)


def stake(s: StakeSizer, edge: str, price: str, fixture_id: int = 1) -> int:
    return s.stake_minor(Decimal(edge), Decimal(price), fixture_id=fixture_id, kickoff=KICKOFF)


def test_with_nothing_open_it_is_fractional_kelly_under_the_cap_per_bet() -> None:
    assert stake(sizer(), "0.1275", "2.05") == kelly("0.1275", "2.05") == 6071
    assert stake(sizer(), "0.5", "2.0") == 10_000  # Kelly wants 25%: the cap per bet binds


def test_open_stakes_on_the_fixture_leave_only_the_room_under_its_cap() -> None:
    assert stake(sizer(open_by_fixture={1: 9_000}), "0.1275", "2.05") == 12_000 - 9_000
    assert stake(sizer(open_by_fixture={1: 9_000}), "0.1275", "2.05", fixture_id=2) == 6071
    assert stake(sizer(open_by_fixture={1: 15_000}), "0.1275", "2.05") == 0  # over: none


def test_open_stakes_of_the_kickoff_day_leave_only_the_room_under_its_cap() -> None:
    today = {date(2099, 8, 20): 17_500}
    assert stake(sizer(open_by_day=today), "0.1275", "2.05") == 20_000 - 17_500
    tomorrow = {date(2099, 8, 21): 17_500}
    assert stake(sizer(open_by_day=tomorrow), "0.1275", "2.05") == 6071


@pytest.mark.parametrize(
    ("edge", "price", "bankroll"),
    [("0.019", "2.0", 100_000), ("0", "2.0", 100_000), ("0.1", "1.0", 100_000), ("0.1", "2", 0)],
)
def test_no_stake_below_the_minimum_edge_at_no_price_or_with_no_bankroll(
    edge: str, price: str, bankroll: int
) -> None:
    assert stake(sizer(bankroll_minor=bankroll), edge, price) == 0


def test_stakes_round_down_to_whole_minor_units() -> None:
    # 101 * 0.5 * 0.1 / 1 = 5.05 minor units: 5, never 6.
    assert stake(sizer(bankroll_minor=101), "0.1", "2.0") == 5


def test_settings_caps_must_nest_and_say_which() -> None:
    PortfolioSettings(max_stake_fraction=Decimal("0.1"), max_fixture_fraction=Decimal("0.1"))
    with pytest.raises(DataError, match=r"max_fixture_fraction 0\.3 ≤ max_day_fraction 0\.25"):
        PortfolioSettings(max_fixture_fraction=Decimal("0.3"))
    with pytest.raises(DataError, match="max_day_fraction must be a Decimal in"):
        PortfolioSettings(max_day_fraction=Decimal("1.5"))
