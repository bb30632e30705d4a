"""Suggested stakes: a Kelly position on equity, less what is open, inside the hard caps."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from scoreline.domain.betting import PortfolioSettings
from scoreline.errors import DataError
from scoreline.pricing import kelly as kelly_module
from scoreline.services.stake_sizing import Leg, Reason, StakeSizer

KICKOFF = datetime(2099, 8, 20, 23, 30, tzinfo=UTC)  # late: the day is the UTC date


SETTINGS = PortfolioSettings(
    kelly_fraction=Decimal("0.5"),
    max_stake_fraction=Decimal("0.1"),
    max_fixture_fraction=Decimal("0.12"),
    max_day_fraction=Decimal("0.2"),
    min_edge=Decimal("0.02"),
)


def sizer(**changes: object) -> StakeSizer:
    values: dict[str, object] = {"settings": SETTINGS, "cash_minor": 100_000}
    return StakeSizer(**(values | changes))  # type: ignore[arg-type]


def kelly(probability: str, price: str, equity: int = 100_000) -> int:
    edge = Fraction(probability) * Fraction(price) - 1
    share = min(edge / (Fraction(price) - 1) * Fraction("0.5"), Fraction("0.1"))
    return math.floor(equity * share)


def home(probability: float = 0.55, price: str = "2.05", **kw: object) -> Leg:
    return Leg("1x2", 0, "home", probability, Decimal(price), **kw)  # type: ignore[arg-type]


def one(s: StakeSizer, leg: Leg, fixture_id: int = 1) -> int:
    return s.suggest([leg], fixture_id=fixture_id, kickoff=KICKOFF)[0].stake_minor


def test_with_nothing_open_it_is_fractional_kelly_under_the_cap_per_bet() -> None:
    assert one(sizer(), home()) == kelly("0.55", "2.05") == 6071
    assert one(sizer(), home(0.75, "2.0")) == 10_000  # Kelly wants 25%: the cap per bet binds


def test_placing_the_suggestion_leaves_nothing_more_to_suggest() -> None:
    """The issue's case: 348.44 suggested, placed, then 336.30 suggested again."""
    first = one(sizer(), home())
    after = sizer(
        cash_minor=100_000 - first,
        open_by_position={(1, "1x2", 0, "home"): first},
        open_by_fixture={1: first},
        open_by_day={KICKOFF.date(): first},
    )
    (suggestion,) = after.suggest([home()], fixture_id=1, kickoff=KICKOFF)
    assert suggestion.stake_minor == 0
    assert suggestion.reason is Reason.POSITION_HELD
    assert suggestion.message == ("position held: EUR 60.71 open against a target of EUR 60.71")
    # Half of it placed: the other half is what is missing, sized on unchanged equity.
    half = first // 2
    part = sizer(
        cash_minor=100_000 - half,
        open_by_position={(1, "1x2", 0, "home"): half},
        open_by_fixture={1: half},
        open_by_day={KICKOFF.date(): half},
    )
    assert one(part, home()) == first - half


def test_kelly_is_on_equity_so_open_stakes_elsewhere_do_not_shrink_it() -> None:
    elsewhere = sizer(cash_minor=90_000, open_by_fixture={7: 10_000})
    assert elsewhere.equity_minor == 100_000
    assert one(elsewhere, home()) == kelly("0.55", "2.05", equity=100_000)


def test_home_and_draw_are_sized_jointly_by_simultaneous_kelly() -> None:
    loose = PortfolioSettings(
        kelly_fraction=Decimal("0.5"),
        max_stake_fraction=Decimal(1),
        max_fixture_fraction=Decimal(1),
        max_day_fraction=Decimal(1),
    )
    legs = [home(0.45, "2.6"), Leg("1x2", 0, "draw", 0.33, Decimal("3.4"))]
    got = [
        s.stake_minor for s in sizer(settings=loose).suggest(legs, fixture_id=1, kickoff=KICKOFF)
    ]
    joint = kelly_module.simultaneous_kelly([0.45, 0.33], [2.6, 3.4]) * 0.5
    assert got == [math.floor(f * 100_000 + 1e-6) for f in joint]
    # Not two single-outcome Kellys: with home and draw both held, each loss is partly
    # covered by the other's win, and log-optimal stakes on both grow.
    alone = [one(sizer(settings=loose), leg) for leg in legs]
    assert alone == [kelly("0.45", "2.6"), kelly("0.33", "3.4")]
    assert all(g > a for g, a in zip(got, alone, strict=True))
    # And it is the rule the backtests stake by.
    policy = kelly_module.StakingPolicy(fraction=0.5, min_edge=0.02, max_bet=1, max_fixture=1)
    backtest = kelly_module.stakes(
        [0.45, 0.33], [2.6, 3.4], fixture_ids=[1, 1], bankroll_minor=100_000, policy=policy
    )
    assert got == backtest.tolist()
    assert np.all(backtest > 0)


def test_the_fixture_cap_is_shared_across_its_markets_in_proportion() -> None:
    legs = [home(0.6, "2.05"), Leg("over_under", 10, "over", 0.65, Decimal("2.0"))]
    alone = [one(sizer(), leg) for leg in legs]
    assert sum(alone) > 12_000  # each market alone wants more than the fixture's 12%
    got = [s.stake_minor for s in sizer().suggest(legs, fixture_id=1, kickoff=KICKOFF)]
    assert sum(got) <= 12_000
    assert got == [math.floor(a * Fraction(12_000, sum(alone))) for a in alone]


def test_open_stakes_of_the_fixture_and_day_leave_only_their_room() -> None:
    assert one(sizer(cash_minor=91_000, open_by_fixture={1: 9_000}), home()) == 3_000
    day = {date(2099, 8, 20): 17_500}
    assert one(sizer(cash_minor=82_500, open_by_fixture={9: 17_500}, open_by_day=day), home()) == (
        2_500
    )
    (full,) = sizer(
        cash_minor=80_000, open_by_fixture={9: 20_000}, open_by_day={date(2099, 8, 20): 20_000}
    ).suggest([home()], fixture_id=1, kickoff=KICKOFF)
    assert (full.stake_minor, full.reason) == (0, Reason.CAP_PER_DAY)
    assert full.message == ("per-day cap (20% of equity EUR 1,000.00): EUR 0.00 left: cap reached")


def test_cash_caps_the_suggestion() -> None:
    (broke,) = sizer(cash_minor=0, open_by_fixture={9: 5_000}).suggest(
        [home()], fixture_id=1, kickoff=KICKOFF
    )
    assert (broke.stake_minor, broke.reason) == (0, Reason.CAP_CASH)
    assert broke.message == "cash available: EUR 0.00 left: cap reached"


@pytest.mark.parametrize(
    ("leg", "reason", "message"),
    [
        (home(0.505, "2.0"), Reason.EDGE_BELOW_MINIMUM, "edge 1.00% is below the minimum 2.00%"),
        (home(0.4, "2.0"), Reason.EDGE_BELOW_MINIMUM, "edge -20.00% is below the minimum 2.00%"),
        (
            home(is_stale=True),
            Reason.PRICE_STALE,
            "the price is stale; no stake until a fresh one arrives",
        ),
    ],
)
def test_no_stake_says_why(leg: Leg, reason: Reason, message: str) -> None:
    (suggestion,) = sizer().suggest([leg], fixture_id=1, kickoff=KICKOFF)
    assert (suggestion.stake_minor, suggestion.reason, suggestion.message) == (0, reason, message)


def test_stakes_round_down_to_whole_minor_units() -> None:
    # 101 * 0.5 * 0.2 = 10.1 minor units: 10, never 11.
    assert one(sizer(cash_minor=101), home(0.6, "2.0")) == 10


def test_settings_caps_must_nest_and_say_which() -> None:
    PortfolioSettings(max_stake_fraction=Decimal("0.1"), max_fixture_fraction=Decimal("0.1"))
    with pytest.raises(DataError, match=r"max_fixture_fraction 0\.3 ≤ max_day_fraction 0\.25"):
        PortfolioSettings(max_fixture_fraction=Decimal("0.3"))
    with pytest.raises(DataError, match="max_day_fraction must be a Decimal in"):
        PortfolioSettings(max_day_fraction=Decimal("1.5"))
