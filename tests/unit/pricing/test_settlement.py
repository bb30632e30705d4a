"""Settlement and payouts: hand-worked scores for every market, mirrors, cents, errors."""

from __future__ import annotations

from decimal import ROUND_DOWN, Context, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.domain.markets import Market, Selection
from scoreline.errors import DataError
from scoreline.pricing.settlement import BetOutcome, payout_minor, profit_minor, settle

X2, OU, AH = Market.MATCH_ODDS, Market.OVER_UNDER, Market.ASIAN_HANDICAP
HOME, DRAW, AWAY = Selection.HOME, Selection.DRAW, Selection.AWAY
OVER, UNDER = Selection.OVER, Selection.UNDER
WON, HALF_WON, PUSH = BetOutcome.WON, BetOutcome.HALF_WON, BetOutcome.PUSH
HALF_LOST, LOST, VOID = BetOutcome.HALF_LOST, BetOutcome.LOST, BetOutcome.VOID

MIRROR = {WON: LOST, HALF_WON: HALF_LOST, PUSH: PUSH, HALF_LOST: HALF_WON, LOST: WON}

# (market, selection, line, (home goals, away goals), outcome), each worked by hand.
CASES = [
    # 1X2
    (X2, HOME, None, (2, 1), WON),
    (X2, DRAW, None, (2, 1), LOST),
    (X2, AWAY, None, (2, 1), LOST),
    (X2, DRAW, None, (0, 0), WON),
    (X2, HOME, None, (1, 1), LOST),
    (X2, AWAY, None, (1, 3), WON),
    # Home -0.25 = half on 0, half on -0.5.
    (AH, HOME, "-0.25", (1, 0), WON),
    (AH, HOME, "-0.25", (0, 0), HALF_LOST),  # 0 pushes, -0.5 loses
    (AH, HOME, "-0.25", (0, 1), LOST),
    (AH, AWAY, "-0.25", (0, 0), HALF_WON),  # away gets +0.25
    (AH, AWAY, "-0.25", (1, 0), LOST),
    # Home -0.75 = half on -0.5, half on -1.0.
    (AH, HOME, "-0.75", (2, 0), WON),
    (AH, HOME, "-0.75", (1, 0), HALF_WON),  # -0.5 wins, -1 pushes
    (AH, HOME, "-0.75", (3, 2), HALF_WON),
    (AH, HOME, "-0.75", (1, 1), LOST),
    (AH, AWAY, "-0.75", (1, 0), HALF_LOST),  # away gets +0.75
    (AH, AWAY, "-0.75", (0, 0), WON),
    (AH, AWAY, "-0.75", (2, 0), LOST),
    # Home +0.25 = half on 0, half on +0.5.
    (AH, HOME, "0.25", (0, 0), HALF_WON),  # 0 pushes, +0.5 wins
    (AH, HOME, "0.25", (1, 0), WON),
    (AH, HOME, "0.25", (0, 1), LOST),
    (AH, AWAY, "0.25", (0, 0), HALF_LOST),  # away gets -0.25
    (AH, AWAY, "0.25", (0, 1), WON),
    # Home +1.0: a one-goal defeat pushes.
    (AH, HOME, "1.0", (0, 1), PUSH),
    (AH, HOME, "1.0", (1, 2), PUSH),
    (AH, HOME, "1.0", (0, 0), WON),
    (AH, HOME, "1.0", (0, 2), LOST),
    (AH, AWAY, "1.0", (0, 1), PUSH),  # away gets -1
    (AH, AWAY, "1.0", (0, 2), WON),
    (AH, AWAY, "1.0", (1, 1), LOST),
    # Other lines: level ball, half lines, and quarters further out.
    (AH, HOME, "0", (1, 1), PUSH),
    (AH, AWAY, "0", (1, 2), WON),
    (AH, HOME, "-1.5", (2, 0), WON),
    (AH, HOME, "-1.5", (1, 0), LOST),
    (AH, HOME, "-1.25", (1, 0), HALF_LOST),  # -1 pushes, -1.5 loses
    (AH, HOME, "1.75", (0, 2), HALF_LOST),  # +1.5 loses, +2 pushes
    (AH, HOME, "1.75", (0, 1), WON),
    # Over/under 2.25 = half on 2.0, half on 2.5.
    (OU, OVER, "2.25", (1, 1), HALF_LOST),
    (OU, UNDER, "2.25", (1, 1), HALF_WON),
    (OU, OVER, "2.25", (2, 1), WON),
    (OU, UNDER, "2.25", (2, 1), LOST),
    (OU, OVER, "2.25", (1, 0), LOST),
    # Over/under 2.75 = half on 2.5, half on 3.0.
    (OU, OVER, "2.75", (2, 1), HALF_WON),
    (OU, UNDER, "2.75", (0, 3), HALF_LOST),
    (OU, OVER, "2.75", (1, 1), LOST),
    (OU, UNDER, "2.75", (1, 1), WON),
    (OU, OVER, "2.75", (4, 0), WON),
    # Over/under 3.0 pushes on three goals.
    (OU, OVER, "3.0", (2, 1), PUSH),
    (OU, UNDER, "3", (0, 3), PUSH),
    (OU, OVER, "3.0", (2, 2), WON),
    (OU, UNDER, "3.0", (1, 1), WON),
    (OU, OVER, "2.5", (2, 1), WON),
    (OU, UNDER, "2.5", (1, 1), WON),
    (OU, OVER, "0.25", (0, 0), HALF_LOST),
]


@pytest.mark.parametrize(("market", "selection", "line", "score", "expected"), CASES)
def test_settles_hand_worked_scores(
    market: Market,
    selection: Selection,
    line: str | None,
    score: tuple[int, int],
    expected: BetOutcome,
) -> None:
    as_decimal = None if line is None else Decimal(line)
    assert settle(market, selection, as_decimal, *score) is expected


lines = st.integers(-16, 16).map(lambda quarters: Decimal(quarters) * Decimal("0.25"))
goals = st.integers(0, 9)


@settings(max_examples=500, deadline=None)
@given(line=lines, home=goals, away=goals)
def test_away_handicap_is_the_mirror_of_home_at_the_same_line(
    line: Decimal, home: int, away: int
) -> None:
    home_bet = settle(AH, HOME, line, home, away)
    assert settle(AH, AWAY, line, home, away) is MIRROR[home_bet]


@settings(max_examples=500, deadline=None)
@given(line=lines, home=goals, away=goals)
def test_home_at_line_equals_away_at_minus_line_with_goals_swapped(
    line: Decimal, home: int, away: int
) -> None:
    # Swapping the teams and negating the home line gives the away side the same handicap.
    assert settle(AH, HOME, line, home, away) is settle(AH, AWAY, -line, away, home)


@settings(max_examples=300, deadline=None)
@given(line=lines.filter(lambda line: line >= 0), home=goals, away=goals)
def test_under_is_the_mirror_of_over(line: Decimal, home: int, away: int) -> None:
    assert settle(OU, UNDER, line, home, away) is MIRROR[settle(OU, OVER, line, home, away)]


@settings(max_examples=500, deadline=None)
@given(
    market=st.sampled_from([OU, AH]),
    quarters=st.integers(-7, 7).map(lambda k: 2 * k + 1),
    home=goals,
    away=goals,
    first_side=st.booleans(),
)
def test_a_quarter_line_settles_half_on_each_neighbour(
    market: Market, quarters: int, home: int, away: int, first_side: bool
) -> None:
    line = Decimal(quarters) * Decimal("0.25")
    line = abs(line) if market is OU else line  # goal lines 0.25 and up
    selection = (OVER if first_side else UNDER) if market is OU else (HOME if first_side else AWAY)
    low = settle(market, selection, line - Decimal("0.25"), home, away)
    high = settle(market, selection, line + Decimal("0.25"), home, away)
    value = {WON: 1, PUSH: 0, LOST: -1}
    combined = {2: WON, 1: HALF_WON, 0: PUSH, -1: HALF_LOST, -2: LOST}
    assert settle(market, selection, line, home, away) is combined[value[low] + value[high]]
    # The stake on a quarter line pays what its two halves pay on the neighbours.
    odds = Decimal("1.87")
    assert payout_minor(20_000, odds, settle(market, selection, line, home, away)) == (
        payout_minor(10_000, odds, low) + payout_minor(10_000, odds, high)
    )


@settings(max_examples=300, deadline=None)
@given(home=goals, away=goals)
def test_handicap_minus_half_is_the_home_win_and_zero_is_draw_no_bet(home: int, away: int) -> None:
    assert settle(AH, HOME, Decimal("-0.5"), home, away) is settle(X2, HOME, None, home, away)
    level = settle(AH, HOME, Decimal(0), home, away)
    assert level is (PUSH if home == away else settle(X2, HOME, None, home, away))


def test_settle_accepts_strings_of_the_enums() -> None:
    assert settle("asian_handicap", "away", Decimal("0.25"), 0, 1) is WON  # type: ignore[arg-type]


# Stake 1000 at 1.95, each outcome: the module's table, by hand.
@pytest.mark.parametrize(
    ("outcome", "payout", "profit"),
    [
        (WON, 1950, 950),
        (HALF_WON, 1475, 475),  # 500 * 1.95 + 500
        (PUSH, 1000, 0),
        (VOID, 1000, 0),
        (HALF_LOST, 500, -500),
        (LOST, 0, -1000),
    ],
)
def test_payout_and_profit_per_outcome(outcome: BetOutcome, payout: int, profit: int) -> None:
    assert payout_minor(1000, Decimal("1.95"), outcome) == payout
    assert profit_minor(1000, Decimal("1.95"), outcome) == profit


@pytest.mark.parametrize(
    ("stake", "odds", "outcome", "payout"),
    [
        (1, "2.5", WON, 2),  # 2.5 -> 2, the even neighbour
        (3, "2.5", WON, 8),  # 7.5 -> 8
        (333, "1.91", WON, 636),  # 636.03
        (101, "1.5", HALF_LOST, 50),  # 50.5 -> 50
        (103, "1.5", HALF_LOST, 52),  # 51.5 -> 52
        (1001, "2", HALF_WON, 1502),  # 1501.5 -> 1502
        (999, "2", HALF_WON, 1498),  # 1498.5 -> 1498
        # Rounded once: (5.7 + 3) / 2 = 4.35 -> 4. Rounding the halves apart,
        # 1.5 * 1.9 = 2.85 -> 3 plus 1.5 -> 2, would pay 5.
        (3, "1.9", HALF_WON, 4),
    ],
)
def test_payout_rounds_once_half_to_even(
    stake: int, odds: str, outcome: BetOutcome, payout: int
) -> None:
    assert payout_minor(stake, Decimal(odds), outcome) == payout


@settings(max_examples=300, deadline=None)
@given(
    stake=st.integers(1, 10**30),
    odds=st.decimals(min_value=Decimal("1.000001"), max_value=Decimal(1000), places=6),
    outcome=st.sampled_from(list(BetOutcome)),
)
def test_payout_is_the_exact_amount_rounded_half_to_even(
    stake: int, odds: Decimal, outcome: BetOutcome
) -> None:
    # Reference in exact fractions; Python's round() of a Fraction is half to even.
    s, o = Fraction(stake), Fraction(odds)
    exact = {
        WON: s * o,
        HALF_WON: s / 2 * o + s / 2,
        PUSH: s,
        VOID: s,
        HALF_LOST: s / 2,
        LOST: Fraction(0),
    }[outcome]
    assert payout_minor(stake, odds, outcome) == round(exact)
    assert profit_minor(stake, odds, outcome) == round(exact) - stake


def test_payout_ignores_the_callers_decimal_context() -> None:
    with localcontext(Context(prec=3, rounding=ROUND_DOWN)):
        assert payout_minor(123_457, Decimal("1.95"), WON) == 240_741  # 240741.15


@pytest.mark.parametrize(
    ("market", "selection", "line", "score", "message"),
    [
        (X2, OVER, None, (1, 0), "does not belong to market '1x2'"),
        (OU, HOME, Decimal("2.5"), (1, 0), "does not belong to market 'over_under'"),
        (AH, DRAW, Decimal("0"), (1, 0), "does not belong to market 'asian_handicap'"),
        (X2, HOME, Decimal("0"), (1, 0), "1x2 bet takes no line"),
        (OU, OVER, None, (1, 0), "needs a line"),
        (AH, HOME, None, (1, 0), "needs a line"),
        (OU, OVER, Decimal("2.3"), (1, 0), "not on the quarter-goal grid"),
        (AH, HOME, Decimal("-0.1"), (1, 0), "not on the quarter-goal grid"),
        (AH, HOME, Decimal("NaN"), (1, 0), "not on the quarter-goal grid"),
        (AH, HOME, Decimal("Infinity"), (1, 0), "not on the quarter-goal grid"),
        (OU, UNDER, Decimal("-0.5"), (1, 0), "below 0"),
        (X2, HOME, None, (-1, 0), "home_goals must be a whole number of goals at least 0"),
        (
            OU,
            OVER,
            Decimal("2.5"),
            (1, -2),
            "away_goals must be a whole number of goals at least 0",
        ),
        (X2, HOME, None, (1.0, 0), "home_goals must be a whole number"),
        (X2, HOME, None, (True, 0), "home_goals must be a whole number"),
    ],
)
def test_settle_refuses_what_cannot_be_settled(
    market: Market,
    selection: Selection,
    line: Decimal | None,
    score: tuple[int, int],
    message: str,
) -> None:
    with pytest.raises(DataError, match=message):
        settle(market, selection, line, *score)


def test_settle_refuses_an_unknown_market() -> None:
    with pytest.raises(DataError, match="unknown market or selection"):
        settle("btts", HOME, None, 1, 0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("stake", "odds", "outcome", "message"),
    [
        (0, Decimal("2"), WON, "stake_minor must be a whole number above 0"),
        (-100, Decimal("2"), WON, "stake_minor must be a whole number above 0"),
        (True, Decimal("2"), WON, "stake_minor must be a whole number above 0"),
        (10.0, Decimal("2"), WON, "stake_minor must be whole minor units"),
        (100, Decimal("1"), WON, "above 1"),
        (100, Decimal("0.5"), WON, "above 1"),
        (100, Decimal("NaN"), WON, "above 1"),
        (100, Decimal("Infinity"), WON, "above 1"),
        (100, 1.95, WON, "odds must be a Decimal"),
        (100, Decimal("2"), "cashed_out", "unknown bet outcome"),
    ],
)
def test_payout_refuses_bad_stakes_odds_and_outcomes(
    stake: object, odds: object, outcome: object, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        payout_minor(stake, odds, outcome)  # type: ignore[arg-type]
