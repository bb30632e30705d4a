"""A replay moved onto the wall clock: historical matches kicking off in the coming minutes.

``play`` paces history at some speed, but the payloads keep their historical
times: a dashboard that shows *upcoming* fixtures, a book that refuses bets after
kick-off and settlement all compare those times with now. ``onto_clock`` maps
every time of every event (when it is sent, the tick's ``captured_at``, the
fixture's ``kickoff``) through one increasing function of simulated time::

    real(t) = origin + due(t)        due: the pacer's schedule, idle gaps cut

so the compressed world is consistent: a fixture kicks off, on the wall clock,
exactly when its closing odds arrive, its result follows ``result_delay / speed``
later, and prices taken before kick-off are stamped before it. Played back with
``play(..., speed=1.0, max_idle_seconds=None)`` the events arrive at their new
times.

Only the book's clock is compressed. Every odds tick also carries the match's
``true_kickoff`` (its historical time), which the platform stores beside the
wall-clock kick-off (``fixtures.true_kickoff_utc``): features, ratings and refits
read the true time, so a team's rest days and form windows are the ones it had
in history, not the minutes between two compressed kick-offs.

``announce_ahead`` runs first: it sends each match's pre-match prices when the
match day before its own begins (football-data's Tuesday or Friday capture is
often later), so a fixture is on the board for the whole previous match day and
the next round is always announced before the current one is played::

    Fri 19:45 ──── Sat 12:30 ... 17:30 ──── Sun 13:00 ...
    Sat's games ►  Sun's games ►            Mon's games ►   (pre-match prices)
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from scoreline.domain.ticks import RawResult, RawTick
from scoreline.providers.replay_events import ReplayEvent

__all__ = ["ANNOUNCE_MARGIN", "announce_ahead", "onto_clock"]

ANNOUNCE_MARGIN = timedelta(minutes=1)
"""How long before the previous match day's first kick-off a match is announced: its
pre-match prices arrive before that day's first closing prices, not in the same moment."""


def announce_ahead(events: Sequence[ReplayEvent], *, match_days: int = 1) -> list[ReplayEvent]:
    """``events`` with each match's pre-match ticks sent (and stamped) no later than the
    first kick-off of the match day ``match_days`` before its own, less
    ``ANNOUNCE_MARGIN``; in time order.

    A match day is a UTC date on which some replayed match kicks off (any league).
    Matches of the first match day keep their capture times: nothing is replayed
    before them; those of the next ``match_days - 1`` are announced with the first
    day's. A tick already earlier keeps its time. Closing ticks and results never
    move: kick-offs and scores are history.
    """
    if match_days < 1:
        raise ValueError(f"match_days must be at least 1, got {match_days}")
    firsts: dict[date, datetime] = {}
    for event in events:
        payload = event.payload
        if payload["type"] == "odds" and payload.get("kind") == "closing":
            kickoff = event.at
            day = kickoff.date()
            if day not in firsts or kickoff < firsts[day]:
                firsts[day] = kickoff
    days = sorted(firsts)
    announce: dict[date, datetime] = {
        day: firsts[days[max(i - match_days, 0)]] - ANNOUNCE_MARGIN
        for i, day in enumerate(days)
        if i
    }
    moved: list[ReplayEvent] = []
    for event in events:
        payload = event.payload
        if payload["type"] != "odds" or payload.get("kind") == "closing":
            moved.append(event)
            continue
        kickoff = datetime.fromisoformat(payload["kickoff"].replace("Z", "+00:00"))
        at = announce.get(kickoff.date())
        if at is None or at >= event.at:
            moved.append(event)
            continue
        tick: RawTick = {**payload, "captured_at": _iso(at)}
        moved.append(replace(event, at=at, payload=tick))
    moved.sort(key=lambda e: e.at)  # stable: ties keep their order
    return moved


def onto_clock(
    events: Sequence[ReplayEvent],
    *,
    origin: datetime,
    speed: float,
    max_idle_seconds: float | None = 5.0,
) -> list[ReplayEvent]:
    """``events`` (in time order) re-timed so that the first is sent at ``origin``.

    ``speed`` is simulated seconds per real second; a simulated gap that would
    take longer than ``max_idle_seconds`` is cut to it (nights and the days
    between match days pass quickly). A payload time between two event times
    is interpolated; one after the last event runs on at ``speed``.
    """
    if speed <= 0 or origin.tzinfo is None:
        raise ValueError("speed must be positive and origin time-zone aware")
    if not events:
        return []
    times = sorted({event.at for event in events})
    real: list[float] = []
    offset = 0.0
    for i, at in enumerate(times):
        if i:
            gap = (at - times[i - 1]).total_seconds() / speed
            offset += gap if max_idle_seconds is None else min(gap, max_idle_seconds)
        real.append(offset)

    def mapped(moment: datetime) -> datetime:
        i = bisect.bisect_right(times, moment) - 1
        if i < 0:
            seconds = (moment - times[0]).total_seconds() / speed
        elif i == len(times) - 1 or times[i] == moment:
            seconds = real[i] + (moment - times[i]).total_seconds() / speed
        else:
            span = (times[i + 1] - times[i]).total_seconds()
            share = (moment - times[i]).total_seconds() / span
            seconds = real[i] + share * (real[i + 1] - real[i])
        return origin + timedelta(seconds=seconds)

    cache: dict[str, str] = {}

    def text(iso: str) -> str:
        out = cache.get(iso)
        if out is None:
            moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
            out = cache[iso] = _iso(mapped(moment))
        return out

    moved: list[ReplayEvent] = []
    for event in events:
        payload = event.payload
        if payload["type"] == "odds":
            tick: RawTick = {
                **payload,
                "kickoff": text(payload["kickoff"]),
                "captured_at": text(payload["captured_at"]),
                "true_kickoff": payload.get("true_kickoff", payload["kickoff"]),
            }
            moved.append(ReplayEvent(mapped(event.at), tick))
        else:
            result: RawResult = {**payload, "kickoff": text(payload["kickoff"])}
            moved.append(ReplayEvent(mapped(event.at), result))
    return moved


def _iso(moment: datetime) -> str:
    """``2026-12-03T10:15:04.250Z``: milliseconds, as compressed times need them."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
