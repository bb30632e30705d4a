"""The odds polling plan: tiers by kick-off proximity, budget scaling, guaranteed final polls."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scoreline.errors import QuotaExhaustedError
from scoreline.providers.odds_api import (
    PollPlan,
    PollState,
    Tier,
    next_month_start,
    odds_call_cost,
)

KICKOFF = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
RESETS_AT = datetime(2026, 12, 1, tzinfo=UTC)
PLAN = PollPlan()
PLENTY = PollState(credits_left=100_000, resets_at=RESETS_AT)


def _minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def _month_of_matchdays() -> list[datetime]:
    """Four Premier League weekends: Saturday 12:30, 15:00 (twice), 17:30, Sunday, Monday."""
    kickoffs = []
    for week in range(4):
        saturday = datetime(2026, 11, 7, tzinfo=UTC) + timedelta(weeks=week)
        kickoffs += [
            saturday.replace(hour=12, minute=30),
            saturday.replace(hour=15),
            saturday.replace(hour=15),
            saturday.replace(hour=17, minute=30),
            saturday + timedelta(days=1, hours=14),
            saturday + timedelta(days=1, hours=16, minutes=30),
            saturday + timedelta(days=2, hours=20),
        ]
    return kickoffs


def _has_final_poll(polls: list[datetime], kickoff: datetime, window: timedelta) -> bool:
    return any(kickoff - window <= poll < kickoff for poll in polls)


@pytest.mark.parametrize(
    ("lead", "every"),
    [
        (timedelta(hours=72), timedelta(hours=6)),
        (timedelta(hours=48, minutes=1), timedelta(hours=6)),
        (timedelta(hours=48), timedelta(hours=1)),
        (timedelta(hours=7), timedelta(hours=1)),
        (timedelta(hours=6), _minutes(15)),
        (_minutes(61), _minutes(15)),
        (_minutes(60), _minutes(5)),
        (_minutes(1), _minutes(5)),
    ],
)
def test_the_interval_shrinks_with_the_lead(lead: timedelta, every: timedelta) -> None:
    assert PLAN.interval(lead) == every


def test_one_kickoff_from_four_days_out_takes_83_polls() -> None:
    polls = PLAN.schedule(KICKOFF - timedelta(days=4), [KICKOFF], PLENTY)
    leads = [KICKOFF - poll for poll in polls]
    assert sum(lead > timedelta(hours=48) for lead in leads) == 8
    assert sum(timedelta(hours=6) < lead <= timedelta(hours=48) for lead in leads) == 42
    assert sum(_minutes(60) < lead <= timedelta(hours=6) for lead in leads) == 20
    assert sum(_minutes(3) < lead <= _minutes(60) for lead in leads) == 12
    assert leads[-1] == _minutes(3)  # the final poll, at the start of its window
    assert len(polls) == 83
    assert PLAN.projected_credits(KICKOFF - timedelta(days=4), [KICKOFF], PLENTY) == 498


def test_crossing_into_a_shorter_tier_brings_the_next_poll_forward() -> None:
    state = PollState(100_000, RESETS_AT, last_poll=KICKOFF - timedelta(hours=50))
    now = KICKOFF - timedelta(hours=49)
    assert PLAN.next_poll(now, [KICKOFF], state) == KICKOFF - timedelta(hours=48)


def test_the_first_poll_is_now() -> None:
    now = KICKOFF - timedelta(days=10)
    assert PLAN.next_poll(now, [KICKOFF], PLENTY) == now


def test_no_kickoff_ahead_means_no_poll() -> None:
    assert PLAN.next_poll(KICKOFF, [KICKOFF, KICKOFF - timedelta(days=1)], PLENTY) is None
    assert PLAN.next_poll(KICKOFF, [], PLENTY) is None


def test_the_last_hour_polls_every_five_minutes_then_the_final_window() -> None:
    last = KICKOFF - _minutes(10)
    state = PollState(100_000, RESETS_AT, last_poll=last)
    assert PLAN.next_poll(last, [KICKOFF], state) == KICKOFF - _minutes(5)
    state = PollState(100_000, RESETS_AT, last_poll=KICKOFF - _minutes(5))
    assert PLAN.next_poll(KICKOFF - _minutes(5), [KICKOFF], state) == KICKOFF - _minutes(3)


def test_a_missed_final_window_is_polled_at_once() -> None:
    state = PollState(100_000, RESETS_AT, last_poll=KICKOFF - _minutes(20))
    now = KICKOFF - _minutes(2)
    assert PLAN.next_poll(now, [KICKOFF], state) == now


def test_kickoffs_at_the_same_time_share_one_final_poll() -> None:
    state = PollState(100_000, RESETS_AT, last_poll=KICKOFF - _minutes(5))
    polls = PLAN.schedule(KICKOFF - _minutes(5), [KICKOFF] * 5, state)
    assert polls == [KICKOFF - _minutes(3)]


def test_every_kickoff_of_a_month_gets_a_final_poll() -> None:
    kickoffs = _month_of_matchdays()
    now = datetime(2026, 11, 1, tzinfo=UTC)
    polls = PLAN.schedule(now, kickoffs, PLENTY)
    assert all(_has_final_poll(polls, k, PLAN.final_window) for k in kickoffs)
    assert polls == sorted(set(polls))


def test_a_tight_budget_stretches_the_regular_polls_to_fit() -> None:
    kickoffs = _month_of_matchdays()
    now = datetime(2026, 11, 1, tzinfo=UTC)
    state = PollState(credits_left=500, resets_at=RESETS_AT)
    assert PLAN.projected_credits(now, kickoffs, state) == 5814
    scale = PLAN.budget_scale(now, kickoffs, state)
    assert scale > 1
    assert PLAN.projected_credits(now, kickoffs, state, scale=scale) <= 500
    assert PLAN.projected_credits(now, kickoffs, state, scale=scale / 1.5) > 500
    polls = PLAN.schedule(now, kickoffs, state, scale=scale)
    assert all(_has_final_poll(polls, k, PLAN.final_window) for k in kickoffs)


def test_a_budget_that_fits_leaves_the_intervals_alone() -> None:
    state = PollState(credits_left=498, resets_at=RESETS_AT)
    assert PLAN.budget_scale(KICKOFF - timedelta(days=4), [KICKOFF], state) == 1.0


def test_a_stretched_plan_still_polls_inside_the_final_window() -> None:
    state = PollState(credits_left=60, resets_at=RESETS_AT, last_poll=KICKOFF - timedelta(hours=2))
    now = KICKOFF - timedelta(hours=2)
    scale = PLAN.budget_scale(now, [KICKOFF], state)
    polls = PLAN.schedule(now, [KICKOFF], state, scale=scale)
    assert len(polls) * PLAN.credits_per_poll <= 60
    assert polls[-1] == KICKOFF - _minutes(3)


def test_final_polls_beyond_the_budget_raise_quota_exhausted() -> None:
    state = PollState(credits_left=5, resets_at=RESETS_AT, last_poll=KICKOFF - timedelta(hours=1))
    with pytest.raises(QuotaExhaustedError, match="need 6 credits at 6 a call, but 5 are left"):
        PLAN.next_poll(KICKOFF - timedelta(hours=1), [KICKOFF], state)


def test_a_month_of_final_polls_beyond_the_budget_raises() -> None:
    kickoffs = _month_of_matchdays()
    state = PollState(credits_left=100, resets_at=RESETS_AT)
    # 24 distinct kick-off times (two matches share 15:00) and a first poll: 25 x 6 = 150.
    with pytest.raises(QuotaExhaustedError, match=r"the 25 polls .* need 150 credits"):
        PLAN.budget_scale(datetime(2026, 11, 1, tzinfo=UTC), kickoffs, state)


def test_polls_after_the_renewal_are_not_counted() -> None:
    late = RESETS_AT + timedelta(days=1)
    state = PollState(credits_left=100_000, resets_at=RESETS_AT)
    polls = PLAN.schedule(RESETS_AT - timedelta(hours=12), [late], state)
    assert polls[-1] < RESETS_AT
    assert not _has_final_poll(polls, late, PLAN.final_window)


@pytest.mark.parametrize(
    ("markets", "regions", "bookmakers", "credits"),
    [
        (("h2h", "totals", "spreads"), ("uk", "eu"), None, 6),
        (("h2h",), ("uk",), None, 1),
        (("h2h", "h2h"), ("uk", "uk", "eu"), None, 2),
        (("h2h", "totals", "spreads"), ("uk",), [f"b{i}" for i in range(10)], 3),
        (("h2h", "totals", "spreads"), ("uk",), [f"b{i}" for i in range(11)], 6),
    ],
)
def test_an_odds_call_costs_markets_times_regions(
    markets: tuple[str, ...], regions: tuple[str, ...], bookmakers: list[str] | None, credits: int
) -> None:
    assert odds_call_cost(markets, regions, bookmakers) == credits


def test_credits_renew_at_the_start_of_the_next_month_in_utc() -> None:
    assert next_month_start(datetime(2026, 12, 15, 9, tzinfo=UTC)) == datetime(
        2027, 1, 1, tzinfo=UTC
    )
    eastern = timezone(timedelta(hours=-5))
    late_november = datetime(2026, 11, 30, 23, 0, tzinfo=eastern)  # 04:00 on 1 December, UTC
    assert next_month_start(late_november) == datetime(2027, 1, 1, tzinfo=UTC)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        PLAN.next_poll(datetime(2026, 11, 28, 12), [KICKOFF], PLENTY)
    with pytest.raises(ValueError, match=r"kick-off .* no time zone"):
        PLAN.next_poll(KICKOFF - timedelta(days=1), [datetime(2026, 11, 28, 15)], PLENTY)
    with pytest.raises(ValueError, match="resets_at"):
        PollState(credits_left=1, resets_at=datetime(2026, 12, 1))


def test_a_plan_that_cannot_work_is_refused() -> None:
    with pytest.raises(ValueError, match="ascending order"):
        PollPlan(tiers=(Tier(timedelta(hours=6), _minutes(15)), Tier(_minutes(60), _minutes(5))))
    with pytest.raises(ValueError, match="credits_per_poll"):
        PollPlan(credits_per_poll=0)
    with pytest.raises(ValueError, match="final_window"):
        PollPlan(final_window=timedelta(0))
    with pytest.raises(ValueError, match="scale must be at least 1"):
        PLAN.schedule(KICKOFF - timedelta(days=1), [KICKOFF], PLENTY, scale=0.5)


def test_a_last_poll_in_the_future_is_refused() -> None:
    state = PollState(credits_left=100, resets_at=RESETS_AT, last_poll=KICKOFF)
    with pytest.raises(ValueError, match="is after now"):
        PLAN.next_poll(KICKOFF - timedelta(hours=1), [KICKOFF], state)
