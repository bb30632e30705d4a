"""Loading football-data.co.uk season files into the database.

Each file is its own transaction: a file that cannot be read is rejected
whole and nothing it would have written is kept, while files loaded before it
stay. Reloading an unchanged file (same SHA-256) is a no-op; a corrected file
updates only the fixtures, results and prices that changed, and merges
safely: prices stored by the live feeds, prices a bet or a prediction names,
and results bets were settled on are never removed or rewritten by a file
(``odds_kept`` and ``problems`` say what was held back).

A score for a match that has not kicked off yet (``domain.fixtures.result_refusal``)
is refused and reported in ``problems``: the fixture and its prices are stored,
without the result, so nothing can settle on it. Such a load is not recorded as
the file's load, so the same file loaded after kick-off brings the result in.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import multiprocessing
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from scoreline.domain import Fixture, FixtureStatus, Selection, Team
from scoreline.domain.fixtures import result_refusal
from scoreline.errors import DataError
from scoreline.providers.football_data import (
    MatchRow,
    SeasonFile,
    find_season_files,
    peek_country,
    read_season_file,
)
from scoreline.storage.db import make_engine, shared_database_url, unit_of_work_factory
from scoreline.storage.repositories import fixture_sync, odds_sync
from scoreline.storage.repositories.source_files import PARTIAL
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["FileOutcome", "IngestReport", "ingest_football_data"]

logger = logging.getLogger(__name__)

PROVIDER = "football-data"

Progress = Callable[[Path, int, int], None]
"""Called after each file with (path, files done, files in all)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class FileOutcome:
    """What loading one file did."""

    path: Path
    status: str  # "loaded", "unchanged", "rejected"
    matches: int = 0
    fixtures_inserted: int = 0
    fixtures_updated: int = 0
    odds_inserted: int = 0
    odds_updated: int = 0
    odds_deleted: int = 0
    odds_kept: int = 0
    padding_rows: int = 0
    problems: list[str] = field(default_factory=list)
    dropped_cells: list[str] = field(default_factory=list)
    error: str | None = None


@dataclass(slots=True)
class IngestReport:
    """The outcome of every file of one ingest run."""

    files: list[FileOutcome] = field(default_factory=list)

    @property
    def matches(self) -> int:
        return sum(f.matches for f in self.files)

    @property
    def odds_written(self) -> int:
        return sum(f.odds_inserted + f.odds_updated for f in self.files)

    @property
    def problems(self) -> list[str]:
        return [p for f in self.files for p in f.problems]

    @property
    def dropped_cells(self) -> list[str]:
        return [c for f in self.files for c in f.dropped_cells]

    @property
    def rejected(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "rejected"]


def ingest_football_data(
    unit_of_work: Callable[[], UnitOfWork],
    paths: Iterable[Path],
    *,
    force: bool = False,
    before: datetime | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = _utcnow,
    workers: int = 1,
    names: Mapping[Path, str] | None = None,
) -> IngestReport:
    """Load every season file under ``paths``, one transaction per file.

    ``before`` loads only the matches kicking off before it: the state of the
    world at that moment, from which ``scoreline replay`` plays the rest as a
    live feed. Such a partial load is not recorded as the file's load, so a
    later full one reads the file again. ``clock`` says when now is: results of
    matches kicking off after it are refused.

    ``workers`` above 1 loads on PostgreSQL in that many processes, each with its
    own connection (``_ingest_in_processes``); the rows written are the same as a
    serial load's. SQLite, or files of one country only, load serially.

    ``names`` records a file under another name than its path (an upload is read from a
    temporary folder but listed by the name it was sent with); such a load is serial.
    A partial load is listed too, marked as such (``PARTIAL``), and read again next time.
    """
    files = find_season_files(paths)
    if workers > 1 and not names:
        groups = _country_groups(_to_load(unit_of_work, files, force=force, before=before))
        url = shared_database_url(unit_of_work) if len(groups) > 1 else None
        if url is not None:
            report = _ingest_in_processes(
                url,
                files,
                groups,
                workers,
                force=force,
                before=before,
                progress=progress,
                now=clock(),
            )
            _log_report(report)
            return report
    report = _ingest_serially(
        unit_of_work,
        files,
        force=force,
        before=before,
        progress=progress,
        clock=clock,
        names=names or {},
    )
    _log_report(report)
    return report


def _ingest_serially(
    unit_of_work: Callable[[], UnitOfWork],
    files: list[Path],
    *,
    force: bool,
    before: datetime | None,
    progress: Progress | None,
    clock: Callable[[], datetime],
    names: Mapping[Path, str],
) -> IngestReport:
    report = IngestReport()
    # Parse the next file while this one is written: the database works outside
    # the GIL (SQLite's C code, PostgreSQL's server), so the two overlap.
    with unit_of_work() as uow:
        skip_known = not force and before is None
        known = uow.source_files.hashes(provider=PROVIDER) if skip_known else set()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse") as parser:
        pending = [parser.submit(_parse, path, known) for path in files[:1]]
        for done, path in enumerate(files, start=1):
            parsed = pending.pop().result()
            if done < len(files):
                pending.append(parser.submit(_parse, files[done], known))
            if parsed is None:
                report.files.append(FileOutcome(path=path, status="unchanged"))
            else:
                if before is not None and not isinstance(parsed, DataError):
                    kept = tuple(r for r in parsed.rows if r.fixture.kickoff_utc < before)
                    parsed = dataclasses.replace(parsed, rows=kept)
                report.files.append(
                    _ingest_file(
                        unit_of_work,
                        path,
                        parsed,
                        force=force,
                        partial=before is not None,
                        now=clock(),
                        name=names.get(path),
                    )
                )
            if progress is not None:
                progress(path, done, len(files))
    return report


def _to_load(
    unit_of_work: Callable[[], UnitOfWork],
    files: list[Path],
    *,
    force: bool,
    before: datetime | None,
) -> list[Path]:
    """The files not loaded before as they are: only these are worth other processes."""
    if force or before is not None:
        return files
    with unit_of_work() as uow:
        known = uow.source_files.hashes(provider=PROVIDER)
    return [path for path in files if _parse_needed(path, known)]


def _parse_needed(path: Path, known: set[str]) -> bool:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest() not in known
    except OSError:
        return True  # the load reports it


def _country_groups(files: list[Path]) -> list[list[Path]]:
    """The files in groups that can load side by side, the largest (in bytes) first.

    Files of different countries share no team, competition or season, so their
    transactions never write the same row; files of one country load one after
    another, in order. Bookmakers are shared, and added conflict-free
    (``BookmakerRepository.upsert_many``). Files no division names go together.
    """
    groups: dict[str | None, list[Path]] = {}
    for path in files:
        groups.setdefault(peek_country(path), []).append(path)
    return sorted(groups.values(), key=lambda g: -sum(_size(p) for p in g))


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _ingest_in_processes(
    url: str,
    files: list[Path],
    groups: list[list[Path]],
    workers: int,
    *,
    force: bool,
    before: datetime | None,
    progress: Progress | None,
    now: datetime,
) -> IngestReport:
    """Each group loaded serially in one of ``workers`` processes, on its own connection.

    Processes, not threads: parsing and building the rows is Python work that holds
    the GIL, and the server's side of each load (COPY, key and foreign-key checks)
    runs beside it, so two loaders keep two cores busy. Each file is still its own
    transaction; ``files`` outside every group were loaded before as they are.
    ``now`` stands for the clock in every process (a callable cannot
    cross to another process); progress is told as each group finishes.
    """
    outcomes: dict[Path, FileOutcome] = {}
    grouped = {path for group in groups for path in group}
    for path in files:
        if path not in grouped:
            outcomes[path] = FileOutcome(path=path, status="unchanged")
            if progress is not None:
                progress(path, len(outcomes), len(files))
    context = multiprocessing.get_context("spawn")  # no inherited connections or threads
    with ProcessPoolExecutor(max_workers=min(workers, len(groups)), mp_context=context) as pool:
        futures = [
            pool.submit(_load_group, url, group, force=force, before=before, now=now)
            for group in groups
        ]
        for future in as_completed(futures):
            for outcome in future.result():
                outcomes[outcome.path] = outcome
                if progress is not None:
                    progress(outcome.path, len(outcomes), len(files))
    return IngestReport(files=[outcomes[path] for path in files])


def _load_group(
    url: str, files: list[Path], *, force: bool, before: datetime | None, now: datetime
) -> list[FileOutcome]:
    """One group's files, loaded serially in a worker process on an engine of its own."""
    engine = make_engine(url)
    try:
        report = _ingest_serially(
            unit_of_work_factory(engine),
            files,
            force=force,
            before=before,
            progress=None,
            clock=lambda: now,
            names={},
        )
    finally:
        engine.dispose()
    return report.files


def _log_report(report: IngestReport) -> None:
    logger.info(
        "football-data ingest: %d files, %d matches, %d prices written, %d rows skipped, "
        "%d files rejected",
        len(report.files),
        report.matches,
        report.odds_written,
        len(report.problems),
        len(report.rejected),
    )


def _parse(path: Path, known: set[str]) -> SeasonFile | DataError | None:
    """The parsed file, the reason it cannot be read, or None when loaded before as it is."""
    try:
        if hashlib.sha256(path.read_bytes()).hexdigest() in known:
            return None
        return read_season_file(path)
    except DataError as exc:
        return exc
    except OSError as exc:
        return DataError(f"{path}: cannot be read ({exc.strerror}); file rejected")


def _ingest_file(
    unit_of_work: Callable[[], UnitOfWork],
    path: Path,
    parsed: SeasonFile | DataError,
    *,
    force: bool,
    partial: bool = False,
    now: datetime,
    name: str | None = None,
) -> FileOutcome:
    if isinstance(parsed, DataError):
        logger.warning("%s", parsed)
        return FileOutcome(path=path, status="rejected", error=str(parsed))
    parsed, early = _without_early_results(parsed, now)
    partial = partial or bool(early)
    outcome = FileOutcome(
        path=path,
        status="loaded",
        matches=len(parsed.rows),
        padding_rows=parsed.skipped_padding,
        problems=[*early, *(str(p) for p in parsed.problems)],
        dropped_cells=[cell.message for cell in parsed.dropped_cells],
    )
    with unit_of_work() as uow:
        competition_id = uow.competitions.upsert(competition=parsed.competition)
        season_id = uow.competitions.upsert_season(
            competition_id=competition_id, season=parsed.season
        )
        previous = uow.source_files.sha256_of(provider=PROVIDER, season_id=season_id)
        if previous == parsed.sha256 and not (force or partial):
            outcome.status = "unchanged"
            return outcome
        # Part of the file (or the file without its early results) is written and listed
        # as a partial load, without its hash, so that loading it again reads it again.
        _write(uow, parsed, competition_id, season_id, outcome, is_new=previous is None)
        uow.source_files.record(
            provider=PROVIDER,
            season_id=season_id,
            path=name or str(path),
            sha256=PARTIAL if partial else parsed.sha256,
            loaded_at=datetime.now(UTC),
            rows=len(parsed.rows),
            padding_rows=parsed.skipped_padding,
            problems=[
                *((p.line, "row_skipped", p.reason) for p in parsed.problems),
                *((c.line, "cell_dropped", c.message) for c in parsed.dropped_cells),
            ],
        )
        uow.commit()
    for problem in [*outcome.problems, *outcome.dropped_cells]:
        logger.warning("%s", problem)
    return outcome


def _without_early_results(parsed: SeasonFile, now: datetime) -> tuple[SeasonFile, list[str]]:
    """The file with the results of matches not yet kicked off taken out, and what was."""
    refused: list[str] = []
    rows: list[MatchRow] = []
    for row in parsed.rows:
        fixture = row.fixture
        reason = None if fixture.result is None else result_refusal(fixture.kickoff_utc, now=now)
        if reason is None:
            rows.append(row)
            continue
        refused.append(
            f"{parsed.path} line {row.line}: {fixture.home_team} v {fixture.away_team}"
            f" {reason}; result refused, fixture and prices kept"
        )
        fixture = dataclasses.replace(fixture, status=FixtureStatus.SCHEDULED, result=None)
        rows.append(dataclasses.replace(row, fixture=fixture))
    if not refused:
        return parsed, refused
    return dataclasses.replace(parsed, rows=tuple(rows)), refused


def _write(
    uow: UnitOfWork,
    parsed: SeasonFile,
    competition_id: int,
    season_id: int,
    outcome: FileOutcome,
    *,
    is_new: bool,
) -> None:
    country = parsed.competition.country
    pairs = [_teams_of(row.fixture, country) for row in parsed.rows]
    team_ids = uow.teams.upsert_many(
        teams={team for pair in pairs for team in pair}, provider=PROVIDER
    )
    entries = [
        fixture_sync.FixtureEntry(row.fixture, team_ids[home], team_ids[away])
        for row, (home, away) in zip(parsed.rows, pairs, strict=True)
    ]
    fixture_ids, fixture_counts = uow.fixtures.sync_season(
        competition_id=competition_id, season_id=season_id, entries=entries
    )
    outcome.fixtures_inserted = fixture_counts.inserted
    outcome.fixtures_updated = fixture_counts.updated
    book_ids = uow.bookmakers.upsert_many(
        codes={quote.bookmaker for row in parsed.rows for quote in row.odds}
    )
    wanted = _group_prices(parsed, entries, fixture_ids, book_ids)
    odds_counts = uow.odds.sync_for_fixtures(
        fixture_ids=sorted({fixture_ids[e.key] for e in entries}),
        wanted=wanted,
        is_new=is_new and fixture_counts.updated == 0 and fixture_counts.unchanged == 0,
    )
    outcome.odds_inserted = odds_counts.inserted
    outcome.odds_updated = odds_counts.updated
    outcome.odds_deleted = odds_counts.deleted
    outcome.odds_kept = odds_counts.kept
    outcome.problems.extend(fixture_counts.conflicts)


def _group_prices(
    parsed: SeasonFile,
    entries: list[fixture_sync.FixtureEntry],
    fixture_ids: dict[fixture_sync.FixtureKey, int],
    book_ids: dict[str, int],
) -> dict[odds_sync.QuoteKey, dict[Selection, Decimal]]:
    """Per-selection prices gathered into the per-market rows storage keeps.

    The provider emits a market's selections one after another, sharing their
    bookmaker, market, line, kind and instant objects, so a change of group is
    seen by identity and only one key per market is built and hashed.
    """
    wanted: dict[odds_sync.QuoteKey, dict[Selection, Decimal]] = {}
    for row, entry in zip(parsed.rows, entries, strict=True):
        fixture_id = fixture_ids[entry.key]
        previous = None
        prices: dict[Selection, Decimal] = {}
        for quote in row.odds:
            if not (
                previous is not None
                and quote.bookmaker is previous.bookmaker
                and quote.market is previous.market
                and quote.line is previous.line
                and quote.kind is previous.kind
                and quote.captured_at is previous.captured_at
            ):
                key = odds_sync.quote_key(fixture_id, book_ids[quote.bookmaker], quote)
                prices = wanted.setdefault(key, {})
            prices[quote.selection] = quote.price
            previous = quote
    return wanted


def _teams_of(fixture: Fixture, country: str) -> tuple[Team, Team]:
    return (Team(fixture.home_team, country), Team(fixture.away_team, country))
