"""football-data.co.uk season files turned into the ticks and results a live feed would send.

The replay lets the whole live path (ingestion, predictions, the dashboard) run on
history. Each match of the date window becomes, in simulated UTC time::

    captured_at (estimate)   one "prematch" odds tick per bookmaker, market and line
    kick-off                 one "closing" odds tick per bookmaker, market and line
    kick-off + result_delay  the final score

The parser gives one ``OddsSnapshot`` per selection; a tick carries a whole
market, so snapshots are grouped by (bookmaker, market, line, kind, captured_at).
A group missing a selection (a blank cell, or a cell the parser dropped) cannot
become a valid tick: it is skipped and reported in ``ReplaySummary``, as are
rejected files, skipped rows and dropped cells. Names stay as football-data
writes them (teams, division codes, bookmaker codes such as ``PS`` and ``AVG``);
resolving them is the ingestion engine's work, as for any provider.
"""

from __future__ import annotations

import gc
import logging
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from scoreline.domain.fixtures import Fixture, FixtureStatus
from scoreline.domain.markets import SELECTIONS, Line, Market, Selection
from scoreline.domain.odds import PriceKind
from scoreline.domain.ticks import RawResult, RawTick
from scoreline.errors import BadRowError, DataError
from scoreline.providers.football_data import (
    DroppedCell,
    MatchRow,
    SeasonFile,
    find_season_files,
    get_competition,
    read_season_file,
)

__all__ = [
    "PROVIDER",
    "IncompleteGroup",
    "ReplayEvent",
    "ReplayEvents",
    "ReplaySummary",
    "replay_events",
]

logger = logging.getLogger(__name__)

PROVIDER = "replay"
DEFAULT_RESULT_DELAY = timedelta(hours=2)

StrPath = str | os.PathLike[str]

_SEASON_STEM = re.compile(r"^(\d{4})-(\d{4})$")
# The parser keeps rows dated 1 June of the first year to 31 August of the second; a day
# more each side covers a kick-off whose UTC date differs from its local one.
_SEASON_OPENS = (6, 1)
_SEASON_CLOSES = (8, 31)
_DATE_MARGIN = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ReplayEvent:
    """One payload of the replayed feed and the simulated UTC time it is sent at."""

    at: datetime
    payload: RawTick | RawResult


@dataclass(frozen=True, slots=True)
class IncompleteGroup:
    """Prices of one market that lack a selection, so no tick was made of them."""

    path: str
    line: int
    bookmaker: str
    market: Market
    market_line: Line | None
    kind: PriceKind
    present: tuple[Selection, ...]

    @property
    def message(self) -> str:
        """One line for a log or a report."""
        at_line = "" if self.market_line is None else f" {_line_text(self.market_line)}"
        have = ", ".join(s.value for s in self.present)
        return (
            f"{self.path} line {self.line}: {self.bookmaker} {self.kind.value}"
            f" {self.market.value}{at_line} has only {have}; tick skipped"
        )


@dataclass(frozen=True, slots=True)
class ReplaySummary:
    """What a replay read, what it made, and everything it left out, with reasons.

    ``results_withheld`` counts awarded matches: their score was decided off the
    pitch, and a live feed would not have sent it at full time.
    """

    files_read: int
    files_rejected: tuple[DataError, ...]
    rows_skipped: tuple[BadRowError, ...]
    cells_dropped: tuple[DroppedCell, ...]
    matches: int
    ticks: int
    results: int
    results_withheld: int
    incomplete_groups: tuple[IncompleteGroup, ...]


class ReplayEvents(list[ReplayEvent]):
    """The events of a replay, in order, with the ``summary`` of how they were made.

    A list, so callers who only want the events use it as one; a copy or a slice
    is a plain list and leaves the summary behind.
    """

    def __init__(self, events: Iterable[ReplayEvent], summary: ReplaySummary) -> None:
        super().__init__(events)
        self.summary = summary


def replay_events(
    paths_or_dir: StrPath | Iterable[StrPath],
    *,
    start: date,
    end: date,
    competitions: Sequence[str] | None = None,
    result_delay: timedelta = DEFAULT_RESULT_DELAY,
) -> ReplayEvents:
    """The ticks and results of every match kicking off in [start, end], in simulated order.

    Parameters
    ----------
    paths_or_dir
        Season files, or folders searched recursively for ``*.csv`` files.
    start, end
        The window, both days included, on the UTC date of kick-off. Pre-match
        ticks of a match on ``start`` come a few days earlier, and its result
        after ``end``: a match is replayed whole or not at all.
    competitions
        Division codes (``E0``, ``SP1``) to keep; None keeps every file's.
    result_delay
        Time from kick-off to the result: two hours covers a match with its break
        and stoppage time.

    Returns
    -------
    ReplayEvents
        Events sorted by ``at``, ties broken by competition, home team, away team,
        odds before results, bookmaker, market, line and kind, so two runs on the
        same files send the same sequence. ``.summary`` reports what was skipped.

    Raises
    ------
    DataError
        When a path does not exist or a competition code is unknown (a typo would
        otherwise replay nothing, silently). Unreadable files are not raised:
        they are reported in ``summary.files_rejected``.
    """
    if end < start:
        raise DataError(f"replay window ends ({end}) before it starts ({start})")
    wanted = None if competitions is None else {get_competition(c).code for c in competitions}
    given = [paths_or_dir] if isinstance(paths_or_dir, str | os.PathLike) else paths_or_dir
    builder = _Builder(start, end, result_delay)
    seasons: dict[tuple[str, str], Path] = {}
    with _cyclic_gc_paused():
        for path in find_season_files(Path(p) for p in given):
            builder.read(path, wanted, seasons)
    return builder.finish()


def _season_may_overlap(path: Path, start: date, end: date) -> bool:
    """False only for a file named like ``2019-2020.csv`` whose season misses the window.

    Saves reading a whole history to replay one month of it.
    """
    named = _SEASON_STEM.match(path.stem)
    if named is None:
        return True
    first_year = int(named.group(1))
    opens = date(first_year, *_SEASON_OPENS) - _DATE_MARGIN
    closes = date(first_year + 1, *_SEASON_CLOSES) + _DATE_MARGIN
    return opens <= end and start <= closes


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while a replay is built.

    A replay of four seasons of five leagues keeps ~240,000 ticks alive, none in a
    reference cycle, yet each full collection walks them all: half of the build
    time. Reference counting still frees everything (as in ``football_data.parse``).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Sort key of an event: time, competition, home, away, odds (0) before result (1),
# bookmaker, market, has a line, line, kind.
_Key = tuple[datetime, str, str, str, int, str, str, bool, Decimal, str]
_NO_LINE = Decimal(0)


class _Builder:
    """Collects the events and the reports of the files of one replay."""

    def __init__(self, start: date, end: date, result_delay: timedelta) -> None:
        self.start, self.end, self.result_delay = start, end, result_delay
        self.keyed: list[tuple[_Key, ReplayEvent]] = []
        self.rejected: list[DataError] = []
        self.skipped: list[BadRowError] = []
        self.dropped: list[DroppedCell] = []
        self.incomplete: list[IncompleteGroup] = []
        self.files = self.matches = self.ticks = self.results = self.withheld = 0
        self.times: dict[datetime, str] = {}

    def read(
        self, path: Path, wanted: set[str] | None, seasons: dict[tuple[str, str], Path]
    ) -> None:
        """Add the events of one file, unless it is out of the window, unwanted or rejected."""
        if not _season_may_overlap(path, self.start, self.end):
            return
        try:
            season_file = read_season_file(path)
        except DataError as exc:
            logger.warning("%s", exc)
            self.rejected.append(exc)
            return
        code, label = season_file.competition.code, season_file.season.label
        if wanted is not None and code not in wanted:
            return
        # Two copies of a season (our cache and football-data's mmz4281 tree, say) would
        # send every tick twice.
        if (first := seasons.get((code, label))) is not None:
            twice = DataError(f"{path}: {code} {label} already read from {first}; file rejected")
            logger.warning("%s", twice)
            self.rejected.append(twice)
            return
        seasons[code, label] = path
        self.add_file(season_file)

    def add_file(self, season_file: SeasonFile) -> None:
        self.files += 1
        self.skipped.extend(season_file.problems)
        self.dropped.extend(season_file.dropped_cells)
        where = str(season_file.path)
        for row in season_file.rows:
            if self.start <= row.fixture.match_date <= self.end:
                self.matches += 1
                self._add_ticks(where, row)
                self._add_result(row.fixture)

    def _add_ticks(self, where: str, row: MatchRow) -> None:
        groups: dict[tuple[str, Market, Line | None, PriceKind, datetime], dict[str, str]] = {}
        for snapshot in row.odds:
            key = (
                snapshot.bookmaker,
                snapshot.market,
                snapshot.line,
                snapshot.kind,
                snapshot.captured_at,
            )
            # str() of a StrEnum is its value, minus the cost of the ``value`` property:
            # this loop runs once per price, over half a million times on the sample.
            groups.setdefault(key, {})[str(snapshot.selection)] = format(snapshot.price, "f")
        fixture = row.fixture
        kickoff = self._iso(fixture.kickoff_utc)
        for (bookmaker, market, line, kind, at), prices in groups.items():
            if len(prices) != len(SELECTIONS[market]):
                present = tuple(s for s in SELECTIONS[market] if s in prices)
                self.incomplete.append(
                    IncompleteGroup(where, row.line, bookmaker, market, line, kind, present)
                )
                continue
            market_text, kind_text = str(market), str(kind)
            tick: RawTick = {
                "type": "odds",
                "provider": PROVIDER,
                "competition": fixture.competition_code,
                "home_team": fixture.home_team,
                "away_team": fixture.away_team,
                "kickoff": kickoff,
                "bookmaker": bookmaker,
                "market": market_text,
                "line": None if line is None else _line_text(line),
                "prices": prices,
                "captured_at": self._iso(at),
                "kind": kind_text,
            }
            sort_key: _Key = (
                at,
                fixture.competition_code,
                fixture.home_team,
                fixture.away_team,
                0,
                bookmaker,
                market_text,
                line is not None,
                _NO_LINE if line is None else line,
                kind_text,
            )
            self.keyed.append((sort_key, ReplayEvent(at, tick)))
            self.ticks += 1

    def _add_result(self, fixture: Fixture) -> None:
        if fixture.result is None or fixture.status is not FixtureStatus.FINISHED:
            self.withheld += 1
            return
        at = fixture.kickoff_utc + self.result_delay
        result: RawResult = {
            "type": "result",
            "provider": PROVIDER,
            "competition": fixture.competition_code,
            "home_team": fixture.home_team,
            "away_team": fixture.away_team,
            "kickoff": self._iso(fixture.kickoff_utc),
            "home_goals": fixture.result.home_goals,
            "away_goals": fixture.result.away_goals,
        }
        sort_key: _Key = (
            at,
            fixture.competition_code,
            fixture.home_team,
            fixture.away_team,
            1,
            "",
            "",
            False,
            _NO_LINE,
            "",
        )
        self.keyed.append((sort_key, ReplayEvent(at, result)))
        self.results += 1

    def _iso(self, moment: datetime) -> str:
        """``2021-08-13T19:00:00Z``; cached, as a season has a few hundred distinct times."""
        text = self.times.get(moment)
        if text is None:
            text = self.times[moment] = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return text

    def finish(self) -> ReplayEvents:
        self.keyed.sort(key=lambda pair: pair[0])
        summary = ReplaySummary(
            files_read=self.files,
            files_rejected=tuple(self.rejected),
            rows_skipped=tuple(self.skipped),
            cells_dropped=tuple(self.dropped),
            matches=self.matches,
            ticks=self.ticks,
            results=self.results,
            results_withheld=self.withheld,
            incomplete_groups=tuple(self.incomplete),
        )
        if self.incomplete or self.rejected or self.skipped or self.withheld:
            logger.warning(
                "replay: %d files rejected, %d rows skipped, %d incomplete price groups"
                " skipped, %d awarded results withheld (see ReplaySummary)",
                len(self.rejected),
                len(self.skipped),
                len(self.incomplete),
                self.withheld,
            )
        logger.info(
            "replay: %d matches from %d files: %d ticks, %d results",
            self.matches,
            self.files,
            self.ticks,
            self.results,
        )
        return ReplayEvents((event for _, event in self.keyed), summary)


def _line_text(line: Line) -> str:
    """``2.5``, ``-0.75``, ``0``: the shortest form, as the wire examples write lines."""
    return "0" if line == 0 else format(line.normalize(), "f")
