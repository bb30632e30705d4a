"""Fixtures and their results, and when a result may be known.

A match has kicked off once its kick-off time is not after now (``has_kicked_off``):
from then on it takes a result, never before (``result_refusal``). Every
transport asks the same question with its own clock: a file's load and the live
feed the wall clock, settlement the wall clock, a test a fixed instant. The
demo's replay moves history onto the wall clock (``providers.replay_clock``), so
a replayed result arrives after its replayed kick-off and passes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import NamedTuple

__all__ = [
    "FORM_STATISTICS",
    "Fixture",
    "FixtureRecord",
    "FixtureStatus",
    "HistoryRow",
    "MatchStats",
    "Result",
    "has_kicked_off",
    "iso",
    "result_refusal",
]


class FixtureStatus(enum.StrEnum):
    """Where a fixture stands. ``awarded`` results were decided off the pitch."""

    SCHEDULED = "scheduled"
    FINISHED = "finished"
    POSTPONED = "postponed"
    AWARDED = "awarded"


@dataclass(frozen=True, slots=True)
class MatchStats:
    """Per-side match statistics; ``None`` where the source does not have them."""

    home_shots: int | None = None
    away_shots: int | None = None
    home_shots_on_target: int | None = None
    away_shots_on_target: int | None = None
    home_corners: int | None = None
    away_corners: int | None = None
    home_fouls: int | None = None
    away_fouls: int | None = None
    home_yellow_cards: int | None = None
    away_yellow_cards: int | None = None
    home_red_cards: int | None = None
    away_red_cards: int | None = None


# The statistics the feature engine's form blocks read (models._form), by MatchStats name.
FORM_STATISTICS = (
    "home_shots",
    "away_shots",
    "home_shots_on_target",
    "away_shots_on_target",
    "home_corners",
    "away_corners",
)


@dataclass(frozen=True, slots=True)
class Result:
    """Full-time (and, where known, half-time) goals of a played or awarded match."""

    home_goals: int
    away_goals: int
    home_goals_ht: int | None = None
    away_goals_ht: int | None = None
    stats: MatchStats = field(default_factory=MatchStats)

    def __post_init__(self) -> None:
        for name in ("home_goals", "away_goals", "home_goals_ht", "away_goals_ht"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} is {value}; goals cannot be negative")

    @property
    def outcome(self) -> str:
        """``H``, ``D`` or ``A``."""
        if self.home_goals > self.away_goals:
            return "H"
        return "D" if self.home_goals == self.away_goals else "A"


@dataclass(frozen=True, slots=True)
class Fixture:
    """A match between two teams of one competition and season.

    ``kickoff_utc`` is timezone-aware UTC. When the source gives only a date,
    ``has_kickoff_time`` is false and the time is a placeholder (15:00 local).
    """

    competition_code: str
    season_label: str
    home_team: str
    away_team: str
    kickoff_utc: datetime
    status: FixtureStatus = FixtureStatus.SCHEDULED
    neutral: bool = False
    has_kickoff_time: bool = True
    result: Result | None = None
    referee: str | None = None

    def __post_init__(self) -> None:
        if self.kickoff_utc.tzinfo is None:
            raise ValueError("kickoff_utc must be timezone-aware (UTC)")
        if self.home_team == self.away_team:
            raise ValueError(f"a team cannot play itself: {self.home_team!r}")
        if self.status in (FixtureStatus.FINISHED, FixtureStatus.AWARDED) and self.result is None:
            raise ValueError(f"a {self.status.value} fixture needs a result")

    @property
    def match_date(self) -> date:
        """The UTC calendar date of kick-off: part of a fixture's natural key."""
        return self.kickoff_utc.date()


@dataclass(frozen=True, slots=True)
class FixtureRecord:
    """A stored fixture as people read it: competition code, team names, score once played."""

    id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    status: str
    neutral: bool = False
    home_goals: int | None = None
    away_goals: int | None = None


class HistoryRow(NamedTuple):
    """One fixture as the feature engine and the fitters read it, played or not.

    A named tuple rather than a dataclass: tens of thousands are read at once and
    go straight into a frame (``pandas.DataFrame.from_records(rows,
    columns=HistoryRow._fields)``). Goals and statistics are None until played.
    """

    fixture_id: int
    date: datetime
    neutral: bool
    league: str
    season: str
    home_team: str
    away_team: str
    home_goals: int | None
    away_goals: int | None
    home_shots: int | None
    away_shots: int | None
    home_shots_on_target: int | None
    away_shots_on_target: int | None
    home_corners: int | None
    away_corners: int | None


def has_kicked_off(kickoff_utc: datetime, *, now: datetime) -> bool:
    """Whether a match kicking off at ``kickoff_utc`` has started by ``now`` (both aware)."""
    return kickoff_utc <= now


def result_refusal(kickoff_utc: datetime, *, now: datetime) -> str | None:
    """Why a result for a match kicking off at ``kickoff_utc`` cannot be accepted at ``now``,
    or None when it can: no match has a score before it kicks off."""
    if has_kicked_off(kickoff_utc, now=now):
        return None
    return f"kicks off at {iso(kickoff_utc)}, after now ({iso(now)}): no result before kick-off"


def iso(moment: datetime) -> str:
    """An instant as people and clients are told it: ISO 8601 in UTC to the second,
    ``2024-08-17T14:00:00Z``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
