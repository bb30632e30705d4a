"""The rows of one football-data.co.uk file turned into fixtures, one at a time.

``Date`` is day first (``dd/mm/yy`` or ``dd/mm/yyyy``); ``Time`` (from 2019-2020)
is UK local time. Without it the kick-off is a 15:00 UK placeholder and
``has_kickoff_time`` is false. Kick-offs are stored in UTC.

Goals decide the status:

- full-time and half-time goals: ``FINISHED``;
- full-time goals without half-time goals: ``AWARDED``. football-data records the
  half-time score of every match played, and in 2005-2023 every such row holds a
  forfeit score (3-0, 0-3, 5-0, or Reus Deportiu's 1-0 walkovers in SP2 2018-2019);
- no full-time goals but half-time ones: ``AWARDED``, the half-time columns holding
  the award (G1 2018-2019 Panathinaikos v Olympiakos);
- no goals at all: the row is skipped ("no full-time score").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from operator import itemgetter

from scoreline.domain.competitions import Season
from scoreline.domain.fixtures import Fixture, FixtureStatus, MatchStats, Result
from scoreline.domain.odds import OddsSnapshot
from scoreline.errors import BadRowError
from scoreline.providers.football_data import columns
from scoreline.providers.football_data.odds import (
    LONDON,
    MISSING,
    DropCode,
    DroppedCell,
    OddsReader,
)

__all__ = ["MatchRow", "RowReader", "parse_date"]

_PLACEHOLDER_KICKOFF = time(15, 0)
_EMPTY_STATS = MatchStats()
_COUNTS = {str(n): n for n in range(100)}  # statistics are small whole numbers

# football-data.co.uk's names are stable, with the odd slip: the same club spelled
# another way in one row. Each entry here was found in the files and checked by hand.
SPELLINGS = {
    "St. Pauli": "St Pauli",  # D2 2008-2009, Ingolstadt v St. Pauli, 14/05/09
}


@dataclass(frozen=True, slots=True)
class MatchRow:
    """One match of a season file: its fixture and the prices quoted for it."""

    line: int
    fixture: Fixture
    odds: tuple[OddsSnapshot, ...]


def parse_date(value: str) -> date | None:
    """A day-first ``dd/mm/yy`` or ``dd/mm/yyyy`` date, or None."""
    parts = value.strip().split("/")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    day, month, year = (int(p) for p in parts)
    if len(parts[2]) == 2:
        year += 1900 if year >= 90 else 2000
    elif len(parts[2]) != 4:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parse_time(value: str) -> time | None:
    hours, _, minutes = value.strip().partition(":")
    if not (hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()):
        return None
    try:
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def _whole(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


def _not_whole(column: str, value: str) -> str:
    if value in MISSING:
        return f"{column} is empty"
    if value.startswith("-") and value[1:].isdigit():
        return f"{column} {value!r} is negative"
    return f"{column} {value!r} is not a whole number"


# Full-time home and away goals, then half-time ones (None for an award).
_Goals = tuple[int, int, int | None, int | None]


class RowReader:
    """Turns the rows of one file into MatchRows, with per-file caches of repeated values."""

    def __init__(self, where: str, layout: columns.HeaderLayout, season: Season) -> None:
        self.where = where
        self.season = season
        self.rows: list[MatchRow] = []
        self.problems: list[BadRowError] = []
        self.dropped: list[DroppedCell] = []
        self.padding = 0
        index = layout.index
        self.width = len(layout.names)
        self.div, self.date = index["Div"], index["Date"]
        self.home, self.away = index["HomeTeam"], index["AwayTeam"]
        self.fthg, self.ftag = index["FTHG"], index["FTAG"]
        self.hthg, self.htag = index.get("HTHG"), index.get("HTAG")
        self.time, self.referee = index.get("Time"), index.get("Referee")
        self.stats = tuple((name, index.get(name)) for name in columns.STAT_COLUMNS)
        self.has_stats = any(position is not None for _, position in self.stats)
        present = [position for _, position in self.stats if position is not None]
        # With every statistic column present (the usual case) one getter reads them all.
        self.stat_cells = itemgetter(*present) if len(present) == len(self.stats) else None
        self.odds = OddsReader(where, layout, self.dropped)
        self.first = date(season.start_year, 6, 1)
        self.last = date(season.start_year + 1, 8, 31)
        self.seen: dict[tuple[str, str, date], int] = {}
        self.kickoffs: dict[tuple[str, str], tuple[datetime, bool] | str] = {}

    def read(self, line: int, row: list[str]) -> None:
        """Read one physical record; a skipped row lands in ``problems``."""
        if len(row) != self.width:
            if all(cell.strip() in MISSING for cell in row):
                self.padding += 1
            else:
                reason = f"has {len(row)} cells where the header has {self.width}"
                self.problems.append(BadRowError(self.where, line, reason))
            return
        if (
            row[self.div].strip() in MISSING
            and row[self.home].strip() in MISSING
            and row[self.away].strip() in MISSING
        ):
            self.padding += 1
            return
        fixture = self._fixture(line, row)
        if isinstance(fixture, str):
            self.problems.append(BadRowError(self.where, line, fixture))
            return
        key = (fixture.home_team, fixture.away_team, fixture.match_date)
        if (first := self.seen.get(key)) is not None:
            reason = (
                f"duplicate fixture: {fixture.home_team} v {fixture.away_team} on"
                f" {fixture.match_date.isoformat()} already at line {first}"
            )
            self.problems.append(BadRowError(self.where, line, reason))
            return
        self.seen[key] = line
        odds = tuple(self.odds.read(line, row, fixture.kickoff_utc))
        self.rows.append(MatchRow(line, fixture, odds))

    def _fixture(self, line: int, row: list[str]) -> Fixture | str:
        if row[self.div].strip() in MISSING:
            return "Div is empty on a row that names teams"
        home, away = row[self.home].strip(), row[self.away].strip()
        home, away = SPELLINGS.get(home, home), SPELLINGS.get(away, away)
        if home in MISSING or away in MISSING:
            return "HomeTeam or AwayTeam is empty"
        if home == away:
            return f"HomeTeam and AwayTeam are both {home!r}"
        kickoff = self._kickoff(line, row)
        if isinstance(kickoff, str):
            return kickoff
        outcome = self._result(row)
        if isinstance(outcome, str):
            return outcome
        status, goals = outcome
        stats = self._stats(line, row) if self.has_stats else _EMPTY_STATS
        referee = row[self.referee].strip() if self.referee is not None else ""
        return Fixture(
            competition_code=self.season.competition_code,
            season_label=self.season.label,
            home_team=home,
            away_team=away,
            kickoff_utc=kickoff[0],
            status=status,
            has_kickoff_time=kickoff[1],
            result=Result(*goals, stats),
            referee=None if referee in MISSING else referee,
        )

    def _kickoff(self, line: int, row: list[str]) -> tuple[datetime, bool] | str:
        day = row[self.date]
        clock = "" if self.time is None else row[self.time].strip()
        known = self.kickoffs.get((day, clock))
        if known is None:
            known = self.kickoffs[day, clock] = self._new_kickoff(day, clock)
        if isinstance(known, str):
            return known
        if clock not in MISSING and not known[1]:
            self._drop(line, ("Time",), (clock,), "time_invalid", "not a HH:MM time; 15:00 UK used")
        return known

    def _new_kickoff(self, day: str, clock: str) -> tuple[datetime, bool] | str:
        match_date = parse_date(day)
        if match_date is None:
            return f"Date {day!r} is not a dd/mm/yy or dd/mm/yyyy date"
        if not self.first <= match_date <= self.last:
            return f"Date {day!r} is outside season {self.season.label}"
        kickoff = None if clock in MISSING else _parse_time(clock)
        local = datetime.combine(match_date, kickoff or _PLACEHOLDER_KICKOFF, LONDON)
        return local.astimezone(UTC), kickoff is not None

    def _result(self, row: list[str]) -> tuple[FixtureStatus, _Goals] | str:
        """Status and goals (full time, then half time), or why the row has no usable score."""
        fthg, ftag = row[self.fthg].strip(), row[self.ftag].strip()
        if self.hthg is None or self.htag is None:  # files before 1995 have no half-time
            full_time = self._goals("FTHG", fthg, "FTAG", ftag)
            if isinstance(full_time, str):
                return full_time
            return FixtureStatus.FINISHED, (*full_time, None, None)
        hthg, htag = row[self.hthg].strip(), row[self.htag].strip()
        no_ht = hthg in MISSING and htag in MISSING
        if fthg in MISSING and ftag in MISSING:
            if no_ht:
                return "no full-time score: match abandoned or awarded without a score"
            award = self._goals("HTHG", hthg, "HTAG", htag)
            if isinstance(award, str):
                return f"no full-time score and the half-time columns hold no award: {award}"
            return FixtureStatus.AWARDED, (*award, None, None)
        full_time = self._goals("FTHG", fthg, "FTAG", ftag)
        if isinstance(full_time, str):
            return full_time
        if no_ht:
            return FixtureStatus.AWARDED, (*full_time, None, None)
        half_time = self._goals("HTHG", hthg, "HTAG", htag)
        if isinstance(half_time, str):
            return half_time
        if half_time[0] > full_time[0] or half_time[1] > full_time[1]:
            return f"half-time score {hthg}-{htag} exceeds full-time score {fthg}-{ftag}"
        return FixtureStatus.FINISHED, (*full_time, *half_time)

    @staticmethod
    def _goals(home_column: str, home: str, away_column: str, away: str) -> tuple[int, int] | str:
        home_goals, away_goals = _whole(home), _whole(away)
        if home_goals is None:
            return _not_whole(home_column, home)
        if away_goals is None:
            return _not_whole(away_column, away)
        return home_goals, away_goals

    def _stats(self, line: int, row: list[str]) -> MatchStats:
        if self.stat_cells is not None:
            known = [_COUNTS.get(cell) for cell in self.stat_cells(row)]
            if None not in known:
                return MatchStats(*known)
        values: list[int | None] = []
        for name, position in self.stats:
            cell = "" if position is None else row[position].strip()
            value = None if cell in MISSING else _whole(cell)
            if value is None and cell not in MISSING:
                self._drop(line, (name,), (cell,), "stat_not_whole_number", "not a whole number")
            values.append(value)
        if all(v is None for v in values):
            return _EMPTY_STATS
        return MatchStats(*values)

    def _drop(
        self, line: int, names: tuple[str, ...], cells: tuple[str, ...], code: DropCode, reason: str
    ) -> None:
        self.dropped.append(DroppedCell(self.where, line, names, cells, code, reason))
