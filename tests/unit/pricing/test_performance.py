"""Book performance: a hand-worked book to the cent, yield, CLV with its intervals, expected
profit. (Cash, equity, ROI and drawdown are test_equity.py's.)"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import ROUND_DOWN, Context, Decimal, localcontext

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.errors import DataError
from scoreline.pricing.performance import (
    Dimension,
    SettledBet,
    between,
    by_dimension,
    summary,
)

D = Decimal


def at(day: int, hour: int = 0) -> datetime:
    return datetime(2024, 1, day, hour, tzinfo=UTC)


def bet(**overrides: object) -> SettledBet:
    """A 10.00 bet at evens, lost, placed 1 Jan 12:00 and settled 1 Jan 18:00."""
    fields: dict[str, object] = {
        "placed_at": at(1, 12),
        "settled_at": at(1, 18),
        "stake_minor": 1000,
        "payout_minor": 0,
        "odds": D("2.00"),
        "closing_odds": None,
        "competition": "EPL",
        "market": "1x2",
        "bookmaker": "PS",
    }
    fields.update(overrides)
    return SettledBet(**fields)  # type: ignore[arg-type]


# stake, odds, close, payout and profit by hand:
#   1  1000 at 2.10, close 2.00, won        payout 2100  profit +1100  CLV +0.05
#   2  1500 at 1.90, close 2.00, lost       payout    0  profit -1500  CLV -0.05
#   3  1000 at 2.00, no close,   push       payout 1000  profit     0
#   4   500 at 1.80, close 1.60, half won   payout  700  profit  +200  CLV +0.125
BOOK = [
    bet(
        placed_at=at(1, 12),
        settled_at=at(1, 18),
        stake_minor=1000,
        payout_minor=2100,
        odds=D("2.10"),
        closing_odds=D("2.00"),
    ),
    bet(
        placed_at=at(2, 9),
        settled_at=at(2, 18),
        stake_minor=1500,
        payout_minor=0,
        odds=D("1.90"),
        closing_odds=D("2.00"),
        market="asian_handicap",
        bookmaker="B365",
    ),
    bet(
        placed_at=at(3, 9),
        settled_at=at(3, 18),
        stake_minor=1000,
        payout_minor=1000,
        odds=D("2.00"),
        competition="LaLiga",
        market="over_under",
    ),
    bet(
        placed_at=at(3, 10),
        settled_at=at(4, 18),
        stake_minor=500,
        payout_minor=700,
        odds=D("1.80"),
        closing_odds=D("1.60"),
        competition="LaLiga",
        market="asian_handicap",
    ),
]


def test_summary_of_a_hand_worked_book() -> None:
    result = summary(BOOK, initial_bankroll_minor=10_000)
    assert (result.n_bets, result.staked_minor, result.profit_minor) == (4, 4000, -200)
    assert result.yield_ == D("-0.05")  # -200 / 4000
    assert result.roi is None  # a return on capital needs the book's flows (equity.py)
    assert result.bankroll_return == D("-0.02")  # -200 / 10000
    assert (result.n_won, result.n_lost, result.n_returned) == (2, 1, 1)
    assert result.win_rate == D(2) / D(3)  # the push is neither
    assert result.n_with_close == 3
    assert result.clv_mean == D("0.125") / D(3)  # (0.05 - 0.05 + 0.125) / 3
    assert result.beat_close_share == D(2) / D(3)
    assert result.n_with_edge == 0  # no probability on record
    assert (result.expected_profit_minor, result.profit_with_edge_minor) == (0, 0)


def test_roi_is_passed_through_and_not_the_yield() -> None:
    result = summary(BOOK, roi=D("0.0123"))
    assert (result.roi, result.yield_) == (D("0.0123"), D("-0.05"))


def test_clv_intervals_by_hand() -> None:
    # CLVs 0.05, -0.05, 0.125: mean 0.125/3 = 0.041667, s = 0.087797 (n - 1 = 2),
    # t(0.975, 2) = 4.302653, half width 4.302653 * 0.087797 / sqrt(3) = 0.218100.
    result = summary(BOOK)
    assert result.clv_ci95 is not None
    assert result.clv_ci95.method == "t"
    assert float(result.clv_ci95.low) == pytest.approx(0.041667 - 0.218100, abs=1e-6)
    assert float(result.clv_ci95.high) == pytest.approx(0.041667 + 0.218100, abs=1e-6)
    # 2 of 3 beat the close; Wilson with z = 1.96: centre 0.5731, half width 0.3654.
    assert result.beat_close_ci95 is not None
    assert result.beat_close_ci95.method == "wilson"
    assert float(result.beat_close_ci95.low) == pytest.approx(0.2077, abs=1e-4)
    assert float(result.beat_close_ci95.high) == pytest.approx(0.9385, abs=1e-4)


def test_one_close_has_a_share_interval_but_no_mean_interval() -> None:
    result = summary([bet(odds=D("2.10"), closing_odds=D("2.00"))])
    assert result.clv_ci95 is None
    assert result.beat_close_ci95 is not None
    assert result.beat_close_ci95.high == 1


def test_expected_profit_is_stake_times_edge_at_placement() -> None:
    # 1000 at 2.10 with p 0.5: edge 0.05, worth 50 minor units; it won 1100.
    # 1500 at 1.90 with p 0.55: edge 0.045, worth 67.5; it lost 1500. A third has no p.
    book = [
        replace(BOOK[0], probability=0.5),
        replace(BOOK[1], probability=0.55),
        BOOK[2],
    ]
    result = summary(book)
    assert result.n_with_edge == 2
    assert result.expected_profit_minor == 118  # 50 + 67.5, half to even
    assert result.profit_with_edge_minor == 1100 - 1500
    assert book[0].expected_profit == D("50.00")


def test_bankroll_return_needs_the_initial_bankroll() -> None:
    assert summary(BOOK).bankroll_return is None


def test_ratios_do_not_depend_on_the_callers_decimal_context() -> None:
    with localcontext(Context(prec=2, rounding=ROUND_DOWN)):
        result = summary(BOOK)
    assert result.clv_mean == D("0.04166666666666666666666666667")  # 28 digits, half even
    assert result.win_rate == D("0.6666666666666666666666666667")


def test_clv_is_odds_over_close_minus_one_and_its_sign_says_who_won() -> None:
    assert bet(odds=D("2.10"), closing_odds=D("2.00")).clv == D("0.05")
    assert bet(odds=D("1.90"), closing_odds=D("2.00")).clv == D("-0.05")
    assert bet(odds=D("2.00"), closing_odds=D("2.00")).clv == 0
    assert bet(closing_odds=None).clv is None


def test_a_price_equal_to_the_close_does_not_beat_it() -> None:
    result = summary([bet(odds=D("2.0"), closing_odds=D("2.00"))])
    assert result.n_with_close == 1
    assert result.clv_mean == 0
    assert result.beat_close_share == 0


def test_summary_of_no_bets_is_zeros_and_nones() -> None:
    result = summary([], initial_bankroll_minor=10_000)
    assert (result.n_bets, result.staked_minor, result.profit_minor) == (0, 0, 0)
    assert (result.yield_, result.win_rate, result.clv_mean, result.beat_close_share) == (
        None,
        None,
        None,
        None,
    )
    assert (result.clv_ci95, result.beat_close_ci95) == (None, None)
    assert result.bankroll_return == 0
    assert (result.n_won, result.n_lost, result.n_returned, result.n_with_close) == (0, 0, 0, 0)


def test_only_pushes_have_no_win_rate() -> None:
    assert summary([bet(payout_minor=1000)]).win_rate is None


@pytest.mark.parametrize("initial", [0, -1, 1.5, True])
def test_summary_refuses_a_bad_initial_bankroll(initial: object) -> None:
    with pytest.raises(DataError, match="initial_bankroll_minor"):
        summary(BOOK, initial_bankroll_minor=initial)  # type: ignore[arg-type]


def test_by_dimension_groups_and_sorts_by_label() -> None:
    groups = by_dimension(BOOK, "market")
    assert list(groups) == ["1x2", "asian_handicap", "over_under"]
    assert groups["asian_handicap"].profit_minor == -1300  # -1500 + 200
    assert groups["asian_handicap"].staked_minor == 2000
    assert groups["asian_handicap"].yield_ == D("-0.65")
    assert groups["over_under"].yield_ == 0
    assert groups["over_under"].roi is None
    assert by_dimension(BOOK, "bookmaker")["PS"].n_bets == 3
    assert by_dimension(BOOK, "competition")["LaLiga"].profit_minor == 200


def test_by_dimension_of_no_bets_is_empty() -> None:
    assert by_dimension([], "bookmaker") == {}


def test_by_dimension_refuses_an_unknown_key() -> None:
    with pytest.raises(DataError, match="cannot group bets by 'selection'"):
        by_dimension(BOOK, "selection")  # type: ignore[arg-type]


def _bet_from(
    *,
    placed_hour: int,
    delay_hours: int,
    stake: int,
    payout_share: int,
    odds_cents: int,
    close_cents: int | None,
    labels: tuple[str, str, str],
) -> SettledBet:
    placed = at(1) + timedelta(hours=placed_hour)
    return bet(
        placed_at=placed,
        settled_at=placed + timedelta(hours=delay_hours),
        stake_minor=stake,
        payout_minor=stake * payout_share // 4,
        odds=D(odds_cents) / 100,
        closing_odds=None if close_cents is None else D(close_cents) / 100,
        competition=labels[0],
        market=labels[1],
        bookmaker=labels[2],
    )


books = st.lists(
    st.builds(
        _bet_from,
        placed_hour=st.integers(0, 500),
        delay_hours=st.integers(0, 100),
        stake=st.integers(1, 10**6),
        payout_share=st.integers(0, 12),  # quarters of the stake paid back
        odds_cents=st.integers(101, 1000),
        close_cents=st.none() | st.integers(101, 1000),
        labels=st.tuples(
            st.sampled_from(["EPL", "LaLiga", "Serie A"]),
            st.sampled_from(["1x2", "over_under", "asian_handicap"]),
            st.sampled_from(["PS", "B365"]),
        ),
    ),
    max_size=20,
)


@settings(max_examples=200, deadline=None)
@given(book=books, key=st.sampled_from(["competition", "market", "bookmaker"]))
def test_groups_add_up_to_the_whole_book(book: list[SettledBet], key: Dimension) -> None:
    total = summary(book)
    groups = by_dimension(book, key).values()
    assert sum(g.n_bets for g in groups) == total.n_bets
    assert sum(g.staked_minor for g in groups) == total.staked_minor
    assert sum(g.profit_minor for g in groups) == total.profit_minor
    assert sum(g.n_won for g in groups) == total.n_won
    assert sum(g.n_with_close for g in groups) == total.n_with_close


def test_between_is_inclusive_at_start_and_exclusive_at_end() -> None:
    # Settled 1 Jan 18:00, 2 Jan 18:00, 3 Jan 18:00, 4 Jan 18:00.
    assert between(BOOK, at(2, 18), at(4, 18)) == BOOK[1:3]
    assert between(BOOK, at(2, 18), at(2, 18)) == []
    assert between(BOOK, None, at(2, 18)) == BOOK[:1]
    assert between(BOOK, at(3, 18), None) == BOOK[2:]
    assert between([], at(1), at(2)) == []


def test_between_refuses_naive_or_reversed_bounds() -> None:
    with pytest.raises(DataError, match="start must be timezone-aware"):
        between(BOOK, datetime(2024, 1, 1), at(2))
    with pytest.raises(DataError, match="is after end"):
        between(BOOK, at(3), at(2))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"placed_at": datetime(2024, 1, 1)}, "placed_at must be timezone-aware"),
        ({"settled_at": at(1, 6)}, "settled_at .* is before placed_at"),
        ({"stake_minor": 0}, "stake_minor must be a whole number at least 1"),
        ({"stake_minor": 10.0}, "stake_minor must be a whole number at least 1"),
        ({"payout_minor": -1}, "payout_minor must be a whole number at least 0"),
        ({"odds": 2.0}, "odds must be a finite Decimal above 1"),
        ({"odds": D("1")}, "odds must be a finite Decimal above 1"),
        ({"closing_odds": D("NaN")}, "closing_odds must be a finite Decimal above 1"),
    ],
)
def test_settled_bet_refuses_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(DataError, match=message):
        bet(**overrides)


def test_settled_bet_lists_every_problem() -> None:
    with pytest.raises(DataError, match=r"stake_minor.*; payout_minor.*; odds"):
        bet(stake_minor=0, payout_minor=-1, odds=D("0.9"))
