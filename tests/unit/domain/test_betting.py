"""Portfolio settings, defined once: defaults, ranges, nesting, and records of the book."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from scoreline.domain.betting import (
    SETTINGS,
    BetRecord,
    BetStatus,
    Interval,
    PortfolioSettings,
)
from scoreline.errors import DataError


def test_settings_list_every_field_in_order_with_its_default() -> None:
    assert [s.name for s in SETTINGS] == [f.name for f in fields(PortfolioSettings)]
    assert PortfolioSettings().as_dict() == {s.name: s.default for s in SETTINGS}
    assert PortfolioSettings().as_dict() == {
        "kelly_fraction": Decimal("0.25"),
        "max_stake_fraction": Decimal("0.05"),
        "max_fixture_fraction": Decimal("0.10"),
        "max_day_fraction": Decimal("0.25"),
        "min_edge": Decimal("0.02"),
    }


def test_an_interval_knows_its_open_and_closed_ends() -> None:
    fraction = Interval(Decimal(0), Decimal(1), low_open=True, high_open=False)
    assert str(fraction) == "(0, 1]"
    assert Decimal(1) in fraction
    assert Decimal(0) not in fraction
    assert Decimal("NaN") not in fraction
    assert 0.5 not in fraction  # a float is not money


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kelly_fraction": Decimal(0)}, r"kelly_fraction must be a Decimal in \(0, 1\]"),
        ({"min_edge": Decimal(1)}, r"min_edge must be a Decimal in \[0, 1\)"),
        ({"max_stake_fraction": Decimal("0.2")}, "the caps must nest"),
        ({"max_day_fraction": Decimal("Infinity")}, "max_day_fraction must be a Decimal"),
    ],
)
def test_settings_out_of_range_are_refused_naming_them(
    change: dict[str, Decimal], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        PortfolioSettings(**change)


def test_stored_settings_are_read_as_they_are() -> None:
    # Portfolios from before migration 0005 may carry a per-bet cap above the fixture cap.
    values = PortfolioSettings().as_dict() | {"max_stake_fraction": Decimal("0.2")}
    assert PortfolioSettings.stored(**values).as_dict() == values


def test_a_bet_has_a_line_except_on_1x2() -> None:
    def bet(market: str, quarters: int) -> BetRecord:
        at = datetime(2099, 1, 1, tzinfo=UTC)
        return BetRecord(
            id=1,
            portfolio_id=1,
            fixture_id=1,
            odds_snapshot_id=1,
            prediction_id=None,
            market=market,
            selection="home",
            line_quarters=quarters,
            odds=Decimal("2.0"),
            stake_minor=100,
            status=BetStatus.OPEN,
            outcome=None,
            payout_minor=None,
            placed_at=at,
            settled_at=None,
        )

    assert bet("1x2", 0).line is None
    assert bet("asian_handicap", -3).line == Decimal("-0.75")
    assert bet("1x2", 0).profit_minor == -100  # the stake is gone while open
