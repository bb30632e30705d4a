"""When to call the paid odds endpoint: by kick-off proximity, within a monthly credit budget.

Cost arithmetic
---------------
The Odds API charges credits for the odds endpoint only; ``/v4/sports`` and
``/v4/sports/{sport}/events`` are free, which is how the fixtures calendar
below is learnt. One odds call covers every event of one sport, so its cost
does not grow with the number of matches::

    credits per call = number of markets x number of regions
                       (h2h, totals, spreads in uk and eu: 3 x 2 = 6)
    with bookmakers=[...] instead of regions, every 10 bookmakers count as one region
    projected credits = polls before the credits renew x credits per call

The plan is per sport: several sports on one key share its credits, so give
each sport its share in ``PollState.credits_left``. The projection counts every
poll, though the API does not charge a call that returns no events, so it errs
on the safe side.

Tiers
-----
Odds move most near kick-off, so the poll interval shrinks with the lead, the
time to the sport's next kick-off::

    lead > 48 h           every 6 h
    6 h  < lead <= 48 h   every hour
    1 h  < lead <= 6 h    every 15 minutes
    lead <= 60 min        every 5 minutes
    and one final poll in [kick-off - final_window, kick-off) for every kick-off

A poll is due when the last one is older than the interval of the tier in force
at that moment, so crossing into a shorter tier brings the next poll forward.
The final poll is what gives every match a near-closing price; a regular poll
inside the window counts as the final poll.

For a single kick-off, planned from four days out, that is 8 polls in the 6-hour
tier, 42 hourly, 20 quarter-hourly, 12 five-minute polls and the final one: 83
polls, 498 credits at 6 per call, about the whole of the free plan's 500.

Budget
------
Given the credits left and the renewal time, the plan multiplies every regular
interval by the smallest factor (at least 1) whose projected spend fits,
simulating the polls up to the renewal with the known kick-offs. Final polls
are never stretched: when they alone (with the first poll, if there has been
none yet) cost more than is left, ``QuotaExhaustedError`` says so and by how much.
All functions are pure; ``now`` is always passed in.
"""

from __future__ import annotations

import logging
import math
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from scoreline.errors import QuotaExhaustedError

__all__ = [
    "DEFAULT_TIERS",
    "PollPlan",
    "PollState",
    "Tier",
    "next_month_start",
    "odds_call_cost",
]

logger = logging.getLogger(__name__)

_BOOKMAKERS_PER_REGION = 10
_SCALE_PRECISION = 0.01  # the budget factor is found to within 1%
_MAX_DOUBLINGS = 64


@dataclass(frozen=True, slots=True)
class Tier:
    """Poll ``every`` so often while the next kick-off is at most ``within`` away."""

    within: timedelta
    every: timedelta


DEFAULT_TIERS: tuple[Tier, ...] = (
    Tier(within=timedelta(minutes=60), every=timedelta(minutes=5)),
    Tier(within=timedelta(hours=6), every=timedelta(minutes=15)),
    Tier(within=timedelta(hours=48), every=timedelta(hours=1)),
)


@dataclass(frozen=True, slots=True)
class PollState:
    """Where one sport's polling stands.

    Attributes
    ----------
    credits_left
        Credits this sport may spend before ``resets_at``: ``Quota.remaining``,
        or this sport's share of it.
    resets_at
        When the credits renew (``next_month_start`` for plans renewing on the 1st).
    last_poll
        When the odds endpoint was last called for this sport; None if never.
    """

    credits_left: int
    resets_at: datetime
    last_poll: datetime | None = None

    def __post_init__(self) -> None:
        _check_aware(self.resets_at, "resets_at")
        if self.last_poll is not None:
            _check_aware(self.last_poll, "last_poll")


def odds_call_cost(
    markets: Sequence[str], regions: Sequence[str], bookmakers: Sequence[str] | None = None
) -> int:
    """Credits one odds call costs: markets x regions, or markets x ceil(bookmakers / 10)."""
    n_markets = len(set(markets))
    if bookmakers is not None:
        return n_markets * math.ceil(len(set(bookmakers)) / _BOOKMAKERS_PER_REGION)
    return n_markets * len(set(regions))


def next_month_start(now: datetime) -> datetime:
    """Midnight UTC on the first of the next month: the renewal of credits that renew on the 1st."""
    now = _check_aware(now, "now")
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PollPlan:
    """A polling schedule for one sport's odds (see the module docstring for the arithmetic).

    Parameters
    ----------
    credits_per_poll
        What one odds call costs (``odds_call_cost``); 6 for the client's defaults.
    tiers
        Intervals by lead, ascending by ``within``.
    far_every
        The interval when the next kick-off is further than every tier.
    final_window
        Every kick-off gets a poll in ``[kick-off - final_window, kick-off)``,
        scheduled at the start of the window so a failed call can be retried.
    """

    credits_per_poll: int = 6
    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    far_every: timedelta = timedelta(hours=6)
    final_window: timedelta = timedelta(minutes=3)

    def __post_init__(self) -> None:
        if self.credits_per_poll < 1:
            raise ValueError(f"credits_per_poll must be at least 1, got {self.credits_per_poll}")
        horizons = [tier.within for tier in self.tiers]
        if horizons != sorted(set(horizons)):
            raise ValueError("tiers must be in ascending order of within, each within different")
        intervals = [tier.every for tier in self.tiers] + [self.far_every]
        if min(intervals) <= timedelta(0):
            raise ValueError("every tier interval and far_every must be positive")
        if self.final_window <= timedelta(0):
            raise ValueError(f"final_window must be positive, got {self.final_window}")

    def interval(self, lead: timedelta) -> timedelta:
        """The unscaled poll interval when the next kick-off is ``lead`` away."""
        for tier in self.tiers:
            if lead <= tier.within:
                return tier.every
        return self.far_every

    def schedule(
        self,
        now: datetime,
        kickoffs: Iterable[datetime],
        state: PollState,
        *,
        scale: float = 1.0,
    ) -> list[datetime]:
        """The polls from ``now`` until the credits renew, regular intervals times ``scale``."""
        if not scale >= 1:
            raise ValueError(f"scale must be at least 1, got {scale}")
        now = _check_now(now, state)
        return self._schedule(now, _upcoming(kickoffs, now), state, scale)

    def projected_credits(
        self,
        now: datetime,
        kickoffs: Iterable[datetime],
        state: PollState,
        *,
        scale: float = 1.0,
    ) -> int:
        """Credits the ``schedule`` would spend before ``state.resets_at``."""
        return len(self.schedule(now, kickoffs, state, scale=scale)) * self.credits_per_poll

    def budget_scale(self, now: datetime, kickoffs: Iterable[datetime], state: PollState) -> float:
        """The smallest factor (>= 1) on the regular intervals whose projected spend fits.

        Raises
        ------
        QuotaExhaustedError
            When the final polls (and a first poll, if none was made) alone cost
            more than ``state.credits_left``.
        """
        now = _check_now(now, state)
        ks = _upcoming(kickoffs, now)
        budget = state.credits_left

        def fits(scale: float | None) -> bool:
            return len(self._schedule(now, ks, state, scale)) * self.credits_per_poll <= budget

        if not fits(None):
            raise self._exhausted(now, ks, state)
        if fits(1.0):
            return 1.0
        low, high = 1.0, 2.0
        for _ in range(_MAX_DOUBLINGS):
            if fits(high):
                break
            low, high = high, high * 2
        else:  # unreachable: a factor this large leaves only the polls checked above
            raise self._exhausted(now, ks, state)
        # Spend falls as the factor grows, though not strictly (polls are whole); each
        # step keeps ``high`` a factor checked to fit, which is what is returned.
        while high / low > 1 + _SCALE_PRECISION:
            middle = math.sqrt(low * high)
            low, high = (low, middle) if fits(middle) else (middle, high)
        return high

    def next_poll(
        self, now: datetime, kickoffs: Iterable[datetime], state: PollState
    ) -> datetime | None:
        """When to call the odds endpoint next: ``now`` or later, within the budget.

        Returns
        -------
        datetime or None
            None when no kick-off is ahead: an odds call would price nothing;
            refresh the calendar from the free events endpoint and ask again. A
            time past ``state.resets_at`` means: ask again after the renewal.

        Raises
        ------
        QuotaExhaustedError
            When even the final polls do not fit the credits left.
        """
        now = _check_now(now, state)
        ks = _upcoming(kickoffs, now)
        if not ks:
            return None
        scale = self.budget_scale(now, ks, state)
        if scale > 1:
            logger.info(
                "Odds API credits: %d left until %s; regular poll intervals stretched x%.2f",
                state.credits_left,
                state.resets_at.isoformat(),
                scale,
            )
        return self._next(now, state.last_poll, ks, scale)

    def _schedule(
        self, now: datetime, ks: Sequence[datetime], state: PollState, scale: float | None
    ) -> list[datetime]:
        """Simulated polls; ``scale`` None means no regular polls, only the unstretchable ones."""
        polls: list[datetime] = []
        last, moment = state.last_poll, now
        # Each poll is strictly later than the one before, so this ends.
        while (due := self._next(moment, last, ks, scale)) is not None and due < state.resets_at:
            polls.append(due)
            last = moment = due
        return polls

    def _next(
        self, now: datetime, last: datetime | None, ks: Sequence[datetime], scale: float | None
    ) -> datetime | None:
        if bisect_right(ks, now) == len(ks):
            return None
        due = [self._final_due(now, last, ks)]
        if last is None:
            due.append(now)  # no data at all is stale under any interval
        elif scale is not None:
            regular = self._regular_due(last, ks, scale)
            due.append(None if regular is None else max(regular, now))
        return min((d for d in due if d is not None), default=None)

    def _final_due(
        self, now: datetime, last: datetime | None, ks: Sequence[datetime]
    ) -> datetime | None:
        for kickoff in ks[bisect_right(ks, now) :]:
            opens = kickoff - self.final_window
            if last is not None and opens <= last < kickoff:
                continue
            return max(opens, now)
        return None

    def _regular_due(self, last: datetime, ks: Sequence[datetime], scale: float) -> datetime | None:
        """The first moment the poll at ``last`` is older than the stretched interval in force."""
        for start, end, every in self._pieces(last, ks):
            step_seconds = every.total_seconds() * scale
            # Compared in seconds first: a huge factor would overflow a datetime.
            if (end - last).total_seconds() <= step_seconds:
                continue
            due = max(start, last + timedelta(seconds=step_seconds))
            if due < end:
                return due
        return None

    def _pieces(
        self, since: datetime, ks: Sequence[datetime]
    ) -> Iterator[tuple[datetime, datetime, timedelta]]:
        """Spans after ``since`` over which the interval is constant, up to the last kick-off."""
        start = since
        for kickoff in ks[bisect_right(ks, since) :]:
            edges = [kickoff - tier.within for tier in reversed(self.tiers)]
            points = [start, *(edge for edge in edges if start < edge < kickoff), kickoff]
            for low, high in pairwise(points):
                yield low, high, self.interval(kickoff - low)
            start = kickoff

    def _exhausted(
        self, now: datetime, ks: Sequence[datetime], state: PollState
    ) -> QuotaExhaustedError:
        polls = self._schedule(now, ks, state, None)
        need = len(polls) * self.credits_per_poll
        return QuotaExhaustedError(
            f"the {len(polls)} polls that cannot be stretched (one before each kick-off, and "
            f"a first one if none was made) until the credits renew at "
            f"{state.resets_at.isoformat()} need {need} credits at {self.credits_per_poll} "
            f"a call, but {state.credits_left} are left; ask for fewer markets or regions "
            "(a call costs markets x regions), poll fewer competitions, or buy credits"
        )


def _check_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} {value.isoformat()} has no time zone; pass UTC")
    return value.astimezone(UTC)


def _check_now(now: datetime, state: PollState) -> datetime:
    now = _check_aware(now, "now")
    if state.last_poll is not None and state.last_poll > now:
        raise ValueError(
            f"last_poll {state.last_poll.isoformat()} is after now {now.isoformat()}; "
            "pass the time of the poll that was made"
        )
    return now


def _upcoming(kickoffs: Iterable[datetime], now: datetime) -> list[datetime]:
    """Kick-offs after ``now``, in UTC, sorted, each instant once."""
    instants = {_check_aware(kickoff, "kick-off") for kickoff in kickoffs}
    return sorted(kickoff for kickoff in instants if kickoff > now)
