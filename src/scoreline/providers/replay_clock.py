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
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from scoreline.domain.ticks import RawResult, RawTick
from scoreline.providers.replay_events import ReplayEvent

__all__ = ["onto_clock"]


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
            out = cache[iso] = mapped(moment).astimezone(UTC).isoformat(timespec="milliseconds")
            out = cache[iso] = out.replace("+00:00", "Z")
        return out

    moved: list[ReplayEvent] = []
    for event in events:
        payload = event.payload
        if payload["type"] == "odds":
            tick: RawTick = {
                **payload,
                "kickoff": text(payload["kickoff"]),
                "captured_at": text(payload["captured_at"]),
            }
            moved.append(ReplayEvent(mapped(event.at), tick))
        else:
            result: RawResult = {**payload, "kickoff": text(payload["kickoff"])}
            moved.append(ReplayEvent(mapped(event.at), result))
    return moved
