"""The book's time and price rules, on records made here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from scoreline.domain.fixtures import FixtureRecord
from scoreline.domain.markets import Selection
from scoreline.domain.odds import OddsRecord
from scoreline.domain.placement import (
    MAX_PRICE_AGE,
    check_bettable,
    check_current_price,
    check_voidable,
)
from scoreline.errors import ConflictError, DataError

KICKOFF = datetime(2024, 8, 17, 14, tzinfo=UTC)
BEFORE = KICKOFF - timedelta(minutes=1)


def fixture(home_goals: int | None = None, away_goals: int | None = None) -> FixtureRecord:
    return FixtureRecord(
        7, "E0", KICKOFF, "Arsenal", "Chelsea", "scheduled", False, home_goals, away_goals
    )


def quote(odds_id: int, home: str, captured_at: datetime, bookmaker: str = "PS") -> OddsRecord:
    return OddsRecord(
        id=odds_id,
        fixture_id=7,
        bookmaker=bookmaker,
        market="1x2",
        line=None,
        kind="prematch",
        captured_at=captured_at,
        prices={"home": Decimal(home), "draw": Decimal("3.5"), "away": Decimal("3.6")},
    )


def test_a_bet_is_taken_until_a_second_before_kick_off_and_not_at_it() -> None:
    check_bettable(fixture(), now=KICKOFF - timedelta(seconds=1))
    with pytest.raises(
        ConflictError,
        match=r"fixture 7 \(Arsenal v Chelsea\) kicked off at "
        r"2024-08-17T14:00:00Z; no more bets",
    ):
        check_bettable(fixture(), now=KICKOFF)


def test_a_fixture_with_a_result_takes_no_bet_whatever_the_clock_says() -> None:
    with pytest.raises(ConflictError, match="has a result, 2-0"):
        check_bettable(fixture(2, 0), now=KICKOFF - timedelta(days=2))


def test_a_void_is_refused_from_kick_off_naming_it() -> None:
    check_voidable(11, fixture(), now=BEFORE)
    with pytest.raises(
        ConflictError,
        match=r"bet 11 can no longer be voided: .* kicked off at 2024-08-17T14:00:00Z",
    ):
        check_voidable(11, fixture(), now=KICKOFF + timedelta(minutes=80))


def test_the_current_fresh_price_is_taken() -> None:
    current = quote(3, "2.05", BEFORE - timedelta(hours=1))
    check_current_price(current, current, Selection.HOME, now=BEFORE, max_age=MAX_PRICE_AGE)


def test_a_superseded_price_is_refused_naming_the_current_one() -> None:
    was = quote(2, "2.10", BEFORE - timedelta(hours=2))
    current = quote(3, "2.05", BEFORE - timedelta(hours=1))
    with pytest.raises(
        ConflictError,
        match=r"snapshot 2 \(PS home 2.10\) is no longer the "
        r"price: the current one is 2.05, snapshot 3, captured 2024-08-17T12:59:00Z",
    ):
        check_current_price(was, current, Selection.HOME, now=BEFORE, max_age=MAX_PRICE_AGE)


@pytest.mark.parametrize("code", ["MAX", "AVG"])
def test_a_market_wide_figure_is_never_a_price(code: str) -> None:
    figure = quote(4, "2.30", BEFORE, bookmaker=code)
    with pytest.raises(DataError, match=f"market-wide {code} figure"):
        check_current_price(figure, figure, Selection.HOME, now=BEFORE, max_age=MAX_PRICE_AGE)


def test_a_price_is_fresh_up_to_the_window_and_stale_past_it() -> None:
    window = timedelta(hours=1)
    edge = quote(5, "2.05", BEFORE - window)
    check_current_price(edge, edge, Selection.HOME, now=BEFORE, max_age=window)
    stale = quote(5, "2.05", BEFORE - window - timedelta(seconds=1))
    with pytest.raises(ConflictError, match="more than 1 hour ago; no bet until a fresh price"):
        check_current_price(stale, stale, Selection.HOME, now=BEFORE, max_age=window)


def test_a_price_stamped_ahead_of_our_clock_is_fresh() -> None:
    ahead = quote(6, "2.05", BEFORE + timedelta(seconds=3))
    check_current_price(ahead, ahead, Selection.HOME, now=BEFORE, max_age=timedelta(seconds=1))


def test_no_current_price_is_a_refusal() -> None:
    named = quote(6, "2.05", BEFORE)
    with pytest.raises(ConflictError, match="PS has no current price for home"):
        check_current_price(named, None, Selection.HOME, now=BEFORE, max_age=MAX_PRICE_AGE)
