"""A replay moved onto the wall clock keeps its own order and its matches' timing consistent."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from conftest import SAMPLE_DATA
from scoreline.providers.replay import ReplayEvent, replay_events
from scoreline.providers.replay_clock import ANNOUNCE_MARGIN, announce_ahead, onto_clock

ORIGIN = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def history() -> list[ReplayEvent]:
    return list(
        replay_events(
            [SAMPLE_DATA / "E0" / "2022-2023.csv"], start=date(2023, 5, 20), end=date(2023, 5, 28)
        )
    )


def test_every_time_moves_through_one_increasing_map(history: list[ReplayEvent]) -> None:
    events = onto_clock(history, origin=ORIGIN, speed=300, max_idle_seconds=60)
    assert len(events) == len(history)
    assert events[0].at == ORIGIN
    assert all(a.at <= b.at for a, b in itertools.pairwise(events))
    kickoffs: dict[tuple[str, str], set[datetime]] = {}
    for event in events:
        payload = event.payload
        kickoff = when(payload["kickoff"])
        kickoffs.setdefault((payload["home_team"], payload["away_team"]), set()).add(kickoff)
        if payload["type"] == "odds":
            captured = when(payload["captured_at"])
            assert captured == event.at  # a tick is sent when it is taken
            if payload.get("kind") == "closing":
                assert captured == kickoff  # closing prices at kick-off, on the new clock too
            else:
                assert captured < kickoff
        else:
            # Two hours after kick-off, at 300x: 24 s later on the wall clock.
            assert event.at - kickoff == timedelta(seconds=24)
    # Every event of a match names the same kick-off, so they find one fixture.
    assert all(len(times) == 1 for times in kickoffs.values())
    span = events[-1].at - events[0].at
    simulated = history[-1].at - history[0].at
    assert span < simulated / 300  # quiet nights were cut to a minute


def test_gaps_are_kept_at_speed_without_an_idle_cut(history: list[ReplayEvent]) -> None:
    events = onto_clock(history, origin=ORIGIN, speed=3600, max_idle_seconds=None)
    first, last = history[0], history[-1]
    expected = (last.at - first.at) / 3600
    assert events[-1].at - events[0].at == expected


def test_bad_arguments_are_refused(history: list[ReplayEvent]) -> None:
    with pytest.raises(ValueError, match="speed must be positive"):
        onto_clock(history, origin=ORIGIN, speed=0)
    with pytest.raises(ValueError, match="time-zone aware"):
        onto_clock(history, origin=datetime(2026, 1, 1), speed=10)
    assert onto_clock([], origin=ORIGIN, speed=10) == []
    with pytest.raises(ValueError, match="match_days must be at least 1"):
        announce_ahead(history, match_days=0)


def test_every_tick_names_the_true_kick_off_beside_the_wall_clock_one(
    history: list[ReplayEvent],
) -> None:
    events = onto_clock(history, origin=ORIGIN, speed=300, max_idle_seconds=60)
    for old, new in zip(history, events, strict=True):
        if new.payload["type"] == "odds":
            assert new.payload["true_kickoff"] == old.payload["kickoff"]
            assert when(new.payload["kickoff"]) >= ORIGIN


@pytest.mark.parametrize("match_days", [1, 2])
def test_a_match_is_announced_when_the_match_day_before_its_own_begins(match_days: int) -> None:
    history = replay_events(
        [SAMPLE_DATA / "E0" / "2022-2023.csv", SAMPLE_DATA / "SP1" / "2022-2023.csv"],
        start=date(2023, 5, 20),
        end=date(2023, 5, 28),
    )
    events = announce_ahead(history, match_days=match_days)
    assert len(events) == len(history)
    assert all(a.at <= b.at for a, b in itertools.pairwise(events))
    closing = [
        e for e in events if e.payload["type"] == "odds" and e.payload.get("kind") == "closing"
    ]
    firsts: dict[date, datetime] = {}
    for event in closing:
        firsts[event.at.date()] = min(firsts.get(event.at.date(), event.at), event.at)
    days = sorted(firsts)
    announced: dict[str, datetime] = {}
    for event in events:
        payload = event.payload
        if payload["type"] == "odds" and payload.get("kind") != "closing":
            assert when(payload["captured_at"]) == event.at  # sent when stamped
            announced[payload["kickoff"]] = min(
                announced.get(payload["kickoff"], event.at), event.at
            )
    for kickoff_text, at in announced.items():
        day = when(kickoff_text).date()
        if day == days[0]:
            continue
        before = days[max(days.index(day) - match_days, 0)]
        # On the board before the previous match day's first kick-off, hours ahead of its own.
        assert at <= firsts[before] - ANNOUNCE_MARGIN
        assert when(kickoff_text) - at >= timedelta(hours=12)
    # The board never empties: whenever a match day begins, the next one is announced.
    for day, following in itertools.pairwise(days):
        next_kickoffs = [k for k in announced if when(k).date() == following]
        assert next_kickoffs
        assert all(announced[k] < firsts[day] for k in next_kickoffs)
    # Kick-offs and results do not move.
    assert [e for e in events if e.payload["type"] == "result"] == [
        e for e in history if e.payload["type"] == "result"
    ]
