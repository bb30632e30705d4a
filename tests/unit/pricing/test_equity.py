"""Cash, equity, the time-weighted ROI and drawdown: hand-worked books, then any book.

The property tests drive the pure functions with any sequence of placements,
voids, settlements, deposits and withdrawals that the book's rules allow (a
stake or a withdrawal never exceeds the cash), kept alongside a ledger of
every movement, as the services write it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.errors import DataError
from scoreline.pricing.equity import (
    BookBet,
    BookPoint,
    Flow,
    book_series,
    max_drawdown,
    time_weighted_return,
    window,
)
from scoreline.pricing.performance import SettledBet, summary

D = Decimal


def day(n: int, hour: int = 0) -> datetime:
    return datetime(2024, 3, n, hour, tzinfo=UTC)


# A hand-worked book, in minor units:
#   d1 deposit 1,000.00           cash 100000  equity 100000  index 1
#   d2 stake 100.00 at 2.00       cash  90000  equity 100000  index 1
#   d3 it wins, pays 200.00       cash 110000  equity 110000  index 1.1
#   d4 deposit 1,100.00           cash 220000  equity 220000  index 1.1  (not a return)
#   d5 stake 220.00 at 2.00       cash 198000  equity 220000  index 1.1
#   d6 it loses                   cash 198000  equity 198000  index 1.1 * 198000/220000 = 0.99
HAND_BETS = [
    BookBet(day(2), 10_000, day(3), 20_000),
    BookBet(day(5), 22_000, day(6), 0),
]
HAND_FLOWS = [Flow(day(1), 100_000), Flow(day(4), 110_000)]


def test_cash_and_equity_of_a_hand_worked_book() -> None:
    points = book_series(HAND_BETS, HAND_FLOWS)
    assert [(p.at, p.cash_minor, p.equity_minor) for p in points] == [
        (day(1), 100_000, 100_000),
        (day(2), 90_000, 100_000),
        (day(3), 110_000, 110_000),
        (day(4), 220_000, 220_000),
        (day(5), 198_000, 220_000),
        (day(6), 198_000, 198_000),
    ]
    assert [p.index for p in points] == [D(1), D(1), D("1.1"), D("1.1"), D("1.1"), D("0.99")]
    assert [p.open_stakes_minor for p in points] == [0, 10_000, 0, 0, 22_000, 0]


def test_roi_and_yield_differ_when_a_deposit_comes_mid_way() -> None:
    points = book_series(HAND_BETS, HAND_FLOWS)
    # ROI: +10% on 1,000, then -10% on 2,200, chained: 1.1 * 0.9 - 1 = -1%.
    assert time_weighted_return(points) == D("-0.01")
    # Yield: (100 - 220) / (100 + 220) = -37.5%; the deposit does not enter it.
    settled = [
        SettledBet(day(2), day(3), 10_000, 20_000, D("2.00"), None, "E0", "1x2", "PS"),
        SettledBet(day(5), day(6), 22_000, 0, D("2.00"), None, "E0", "1x2", "PS"),
    ]
    assert summary(settled).yield_ == D("-0.375")
    # Profit over the money put in would be a third number: -120 / 2,100.
    assert summary(settled, initial_bankroll_minor=210_000).bankroll_return == D(-12_000) / 210_000


def test_drawdown_is_a_positive_share_of_the_peak_and_the_headline_is_its_worst() -> None:
    points = book_series(HAND_BETS, HAND_FLOWS)
    assert [p.drawdown for p in points] == [0, 0, 0, 0, 0, D("0.1")]
    assert max_drawdown(points) == D("0.1")


def test_a_withdrawal_is_not_a_drawdown_and_a_deposit_does_not_hide_one() -> None:
    bets = [BookBet(day(2), 20_000, day(3), 0)]  # 200.00 lost: 20% of 1,000
    flows = [Flow(day(1), 100_000), Flow(day(4), -40_000), Flow(day(5), 500_000)]
    points = book_series(bets, flows)
    assert [p.equity_minor for p in points] == [100_000, 100_000, 80_000, 40_000, 540_000]
    assert [p.drawdown for p in points] == [0, 0, D("0.2"), D("0.2"), D("0.2")]
    assert time_weighted_return(points) == D("-0.2")


def test_a_void_moves_cash_while_open_and_neither_in_the_end() -> None:
    points = book_series([BookBet(day(2), 5_000, day(3), 5_000)], [Flow(day(1), 10_000)])
    assert [(p.cash_minor, p.equity_minor, p.drawdown) for p in points] == [
        (10_000, 10_000, D(0)),
        (5_000, 10_000, D(0)),
        (10_000, 10_000, D(0)),
    ]


def test_a_wiped_out_book_stays_at_a_full_drawdown() -> None:
    bets = [BookBet(day(2), 10_000, day(3), 0)]
    points = book_series(bets, [Flow(day(1), 10_000), Flow(day(4), 10_000)])
    assert [p.drawdown for p in points] == [0, 0, 1, 1]
    assert time_weighted_return(points) == -1


def test_a_window_opens_with_the_book_as_it_stood_and_measures_its_own_peak() -> None:
    points = book_series(HAND_BETS, HAND_FLOWS)
    inside = window(points, day(3, 12), day(6))
    assert [(p.at, p.cash_minor, p.equity_minor) for p in inside] == [
        (day(3, 12), 110_000, 110_000),
        (day(4), 220_000, 220_000),
        (day(5), 198_000, 220_000),
    ]
    assert time_weighted_return(inside) == 0
    assert window(points, day(6), None)[0].drawdown == 0  # its own first point is its peak
    assert window(points, None, None) == points
    assert window([], day(1), day(2)) == []


def test_window_refuses_naive_or_reversed_bounds() -> None:
    with pytest.raises(DataError, match="start must be timezone-aware"):
        window([], datetime(2024, 3, 1), None)
    with pytest.raises(DataError, match="is after end"):
        window([], day(3), day(2))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: BookBet(datetime(2024, 3, 1), 100), "placed_at must be timezone-aware"),
        (lambda: BookBet(day(2), 100, day(1), 0), "is before placed_at"),
        (lambda: BookBet(day(1), 0), "stake_minor must be a whole number above 0"),
        (lambda: BookBet(day(1), 100, None, 100), "an open bet has returned nothing"),
        (lambda: Flow(day(1), 0), "non-zero whole amount"),
        (lambda: Flow(datetime(2024, 3, 1), 10), "timezone-aware"),
    ],
)
def test_bad_records_are_refused(make: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        make()  # type: ignore[operator]


def test_nothing_happened_is_an_empty_series_without_a_return() -> None:
    assert book_series([], []) == []
    assert time_weighted_return([]) is None
    assert max_drawdown([]) == 0


# -- any book ---------------------------------------------------------------------------


@dataclass
class Book:
    """A book driven by the rules the services enforce, with its ledger."""

    bets: list[BookBet] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    ledger: list[tuple[datetime, int]] = field(default_factory=list)
    open: list[tuple[datetime, int]] = field(default_factory=list)  # placed_at, stake


Action = tuple[str, int, int, int]  # kind, amount, which open bet, minutes later


@st.composite
def actions(draw: st.DrawFn) -> list[Action]:
    kinds = st.sampled_from(["deposit", "withdraw", "place", "win", "lose", "push", "void"])
    return draw(
        st.lists(
            st.tuples(kinds, st.integers(1, 200_000), st.integers(0, 50), st.integers(0, 3)),
            max_size=40,
        )
    )


def play(steps: list[Action]) -> Book:
    """Apply what the rules allow of ``steps``, each some minutes after the last."""
    book, now = Book(), day(1)
    cash = 0
    for kind, amount, which, minutes in steps:
        now += timedelta(minutes=minutes)
        if kind == "deposit":
            book.flows.append(Flow(now, amount))
            book.ledger.append((now, amount))
            cash += amount
        elif kind == "withdraw" and min(amount, cash) > 0:
            taken = min(amount, cash)
            book.flows.append(Flow(now, -taken))
            book.ledger.append((now, -taken))
            cash -= taken
        elif kind == "place" and min(amount, cash) > 0:
            stake = min(amount, cash)
            book.open.append((now, stake))
            book.ledger.append((now, -stake))
            cash -= stake
        elif kind in {"win", "lose", "push", "void"} and book.open:
            placed_at, stake = book.open.pop(which % len(book.open))
            returned = {"win": stake * 2, "lose": 0, "push": stake, "void": stake}[kind]
            book.bets.append(BookBet(placed_at, stake, now, returned))
            if returned:
                book.ledger.append((now, returned))
            cash += returned
    book.bets += [BookBet(placed_at, stake) for placed_at, stake in book.open]
    return book


def _at(points: list[BookPoint], moment: datetime) -> list[BookPoint]:
    return [p for p in points if p.at < moment]


@settings(max_examples=300, deadline=None)
@given(steps=actions())
def test_cash_is_the_ledger_sum_and_equity_adds_the_open_stakes(steps: list[Action]) -> None:
    book = play(steps)
    for point in book_series(book.bets, book.flows):
        assert point.cash_minor == sum(amount for at, amount in book.ledger if at <= point.at)
        still_open = sum(
            b.stake_minor
            for b in book.bets
            if b.placed_at <= point.at and (b.closed_at is None or b.closed_at > point.at)
        )
        assert point.equity_minor == point.cash_minor + still_open
        assert point.cash_minor >= 0


@settings(max_examples=300, deadline=None)
@given(steps=actions(), when=st.integers(0, 150), amount=st.integers(-50_000, 200_000))
def test_points_before_a_deposit_are_unchanged_by_it(
    steps: list[Action], when: int, amount: int
) -> None:
    book = play(steps)
    moment = day(1) + timedelta(minutes=when, seconds=30)  # between the book's minutes
    if amount == 0:
        amount = 1
    before = book_series(book.bets, book.flows)
    after = book_series(book.bets, [*book.flows, Flow(moment, amount)])
    assert _at(after, moment) == _at(before, moment)


@settings(max_examples=300, deadline=None)
@given(steps=actions(), cut=st.integers(0, 150))
def test_the_drawdown_headline_is_the_worst_point_of_its_series(
    steps: list[Action], cut: int
) -> None:
    book = play(steps)
    points = book_series(book.bets, book.flows)
    for series in (points, window(points, day(1) + timedelta(minutes=cut), None)):
        drawdowns = [p.drawdown for p in series]
        assert max_drawdown(series) == max(drawdowns, default=0)
        assert all(0 <= d <= 1 for d in drawdowns), (book.bets, book.flows)


@settings(max_examples=200, deadline=None)
@given(steps=actions(), amount=st.integers(1, 10**7))
def test_a_deposit_alone_is_not_a_return(steps: list[Action], amount: int) -> None:
    book = play(steps)
    points = book_series(book.bets, book.flows)
    later = (points[-1].at if points else day(1)) + timedelta(hours=1)
    extended = book_series(book.bets, [*book.flows, Flow(later, amount)])
    assert extended[-1].index == (points[-1].index if points else 1)
    assert time_weighted_return(extended) == time_weighted_return(extended[:-1] or extended)


def test_a_bet_placed_and_lost_within_a_deposits_instant_counts_after_the_deposit() -> None:
    # 1.00 paid in and staked at 00:00; at 00:01 it loses, 1.00 more is paid in, staked and lost.
    book = play(
        [
            ("deposit", 100, 0, 0),
            ("place", 100, 0, 0),
            ("lose", 1, 0, 1),
            ("deposit", 100, 0, 0),
            ("place", 100, 0, 0),
            ("lose", 1, 0, 0),
        ]
    )
    points = book_series(book.bets, book.flows)
    assert [(p.cash_minor, p.equity_minor) for p in points] == [(0, 100), (0, 0)]
    assert [p.index for p in points] == [1, 0]  # both sub-periods lost everything
    assert [p.drawdown for p in points] == [0, 1]
