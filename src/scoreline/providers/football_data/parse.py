"""Read one football-data.co.uk season file into fixtures and odds snapshots.

The rules follow the shared data README (``shared/data/README.md``):

- The file is decoded as ``utf-8-sig``; ``""`` and ``"NA"`` are missing values;
  columns are found by name (see ``columns``). A file that cannot be read at all
  (not UTF-8, not CSV, no header, a required column missing, a column twice, two
  divisions, an unknown division) raises ``DataError``: reject it whole.
- Rows with no ``Div`` and no teams are padding (blank lines, R's all-``NA``
  rows, T1 2013-2014's row holding only ``#REF!``): counted, not problems.
- A row that cannot become a fixture is skipped and reported as a
  ``BadRowError`` with its line and reason (see ``rows``). A bad cell in a good
  row (a price, a handicap line, a statistic, a kick-off time) is dropped and
  reported as a ``DroppedCell`` (see ``odds``); the row is kept.
- The same home team, away team and date twice: the second row is reported.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from scoreline.domain.competitions import Competition, Season, Team, season_label
from scoreline.domain.text import first_control_character
from scoreline.errors import BadRowError, DataError
from scoreline.providers.football_data import columns
from scoreline.providers.football_data.competitions import COMPETITIONS, get_competition
from scoreline.providers.football_data.odds import MISSING, DroppedCell
from scoreline.providers.football_data.rows import MatchRow, RowReader, parse_date

__all__ = [
    "DroppedCell",
    "MatchRow",
    "SeasonFile",
    "find_season_files",
    "read_season_file",
]

logger = logging.getLogger(__name__)

_SEASON_FOLDER = re.compile(r"^(\d{2})(\d{2})$")  # football-data's own mmz4281/1920/E0.csv
_SEASON_STEM = re.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True, slots=True)
class SeasonFile:
    """A season file read: matches, the rows skipped and the cells dropped, with reasons."""

    path: Path
    sha256: str
    competition: Competition
    season: Season
    rows: tuple[MatchRow, ...]
    problems: tuple[BadRowError, ...]
    skipped_padding: int
    dropped_cells: tuple[DroppedCell, ...] = field(default=())

    @property
    def teams(self) -> frozenset[Team]:
        """The teams of the file, named as football-data names them, in the league's country."""
        country = self.competition.country
        names = {r.fixture.home_team for r in self.rows} | {r.fixture.away_team for r in self.rows}
        return frozenset(Team(name, country) for name in names)


def find_season_files(paths: Iterable[Path]) -> list[Path]:
    """The ``*.csv`` files in ``paths`` and their folder trees, sorted; hidden ones skipped."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith(".")
            )
        elif path.is_file():
            if path.suffix.lower() == ".csv":
                found.add(path)
        else:
            raise DataError(f"{path}: no such file or folder")
    return sorted(found)


def peek_country(path: Path) -> str | None:
    """The country a season file's teams belong to, from its first row's ``Div`` (else its
    folder or file name), without parsing it; None when neither names a known division.

    Loads running side by side group their files by it: files of different countries
    share no team, competition or season, so they never write the same rows. A file this
    cannot place, or places wrongly, is at worst refused by a key on its own (its
    transaction rolls back), never half written.
    """
    code: str | None = None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            first = next(reader, [])
        position = [name.strip() for name in header].index("Div")
        code = first[position].strip() if len(first) > position else None
    except (OSError, UnicodeDecodeError, csv.Error, ValueError):
        code = None
    if code not in COMPETITIONS:
        code = next((n for n in (path.parent.name, path.stem) if n in COMPETITIONS), None)
    return None if code is None else COMPETITIONS[code].country


def read_season_file(
    path: Path, *, competition_code: str | None = None, season_label: str | None = None
) -> SeasonFile:
    """Read a football-data.co.uk season file.

    Parameters
    ----------
    path
        The CSV file.
    competition_code
        The division (``E0``); by default the file's ``Div`` column, else the
        folder or file name. When given it must agree with ``Div``.
    season_label
        ``2019-2020``; by default from the file name (``2019-2020.csv``), the
        folder (football-data's ``mmz4281/1920/E0.csv``), else the first date.

    Returns
    -------
    SeasonFile
        With every skipped row in ``problems`` and every dropped cell in
        ``dropped_cells``, each with its reason.

    Raises
    ------
    DataError
        When the file as a whole cannot be read; nothing of it should be used.
    """
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{where}: cannot be read ({exc.strerror}); file rejected") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{where}: not UTF-8 text (byte {exc.start} is {raw[exc.start : exc.start + 1]!r});"
            " file rejected"
        ) from exc
    control = first_control_character(text)
    if control is not None:
        raise DataError(
            f"{where} line {control[0]}: holds the control character {control[1]},"
            " which no football-data file has; file rejected"
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        body = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise DataError(f"{where} line {reader.line_num}: not CSV ({exc}); file rejected") from exc
    if not header or not any(name.strip() for name in header):
        raise DataError(f"{where}: no header row; file rejected")
    layout = columns.resolve_header(header)
    if layout.missing_required:
        missing = ", ".join(layout.missing_required)
        raise DataError(f"{where}: required column(s) missing: {missing}; file rejected")
    if layout.duplicates:
        twice = ", ".join(layout.duplicates)
        raise DataError(f"{where}: column(s) given twice: {twice}; file rejected")
    if layout.no_line:
        logger.warning(
            "%s: handicap prices without a line column ignored: %s", where, layout.no_line
        )
    competition = _competition(path, layout, body, competition_code)
    season = _season(path, competition.code, layout, body, season_label)
    reader_ = RowReader(where, layout, season)
    with _cyclic_gc_paused():
        for line, row in body:
            reader_.read(line, row)
    result = SeasonFile(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        competition=competition,
        season=season,
        rows=tuple(reader_.rows),
        problems=tuple(reader_.problems),
        skipped_padding=reader_.padding,
        dropped_cells=tuple(reader_.dropped),
    )
    if result.problems or result.dropped_cells:
        logger.warning(
            "%s: %d rows skipped, %d cells dropped (see SeasonFile.problems/dropped_cells)",
            where,
            len(result.problems),
            len(result.dropped_cells),
        )
    return result


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector while one file's records are built.

    A file makes ~20,000 records (and the full data set ~6 million) that form no
    reference cycles, yet each 700 allocations would trigger a collection that
    walks every live record: a third of the total time when a caller keeps them
    all. Reference counting still frees everything; the pause lasts one file.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _competition(
    path: Path, layout: columns.HeaderLayout, body: list[tuple[int, list[str]]], given: str | None
) -> Competition:
    position = layout.index["Div"]
    divisions = {
        row[position].strip()
        for _, row in body
        if len(row) > position and row[position].strip() not in MISSING
    }
    if len(divisions) > 1:
        raise DataError(
            f"{path}: holds more than one division ({', '.join(sorted(divisions))}); file rejected"
        )
    code = divisions.pop() if divisions else None
    if given is not None:
        if code is not None and code != given:
            raise DataError(f"{path}: Div is {code!r} but {given!r} was asked for; file rejected")
        code = given
    if code is None:
        code = next((n for n in (path.parent.name, path.stem) if n in COMPETITIONS), None)
    if code is None:
        raise DataError(f"{path}: no Div values and no division code in its name; file rejected")
    try:
        return get_competition(code)
    except DataError as exc:
        raise DataError(f"{path}: {exc}; file rejected") from exc


def _season(
    path: Path,
    code: str,
    layout: columns.HeaderLayout,
    body: list[tuple[int, list[str]]],
    given: str | None,
) -> Season:
    label = given
    if label is None and _SEASON_STEM.match(path.stem) is not None:
        label = path.stem
    if label is None and (folder := _SEASON_FOLDER.match(path.parent.name)) is not None:
        first, second = int(folder.group(1)), int(folder.group(2))
        if (first + 1) % 100 == second:
            label = season_label(first + (1900 if first >= 90 else 2000))
    if label is None:
        position = layout.index["Date"]
        dates = (parse_date(row[position]) for _, row in body if len(row) > position)
        first_date = next((d for d in dates if d is not None), None)
        if first_date is not None:
            start = first_date.year if first_date.month >= 7 else first_date.year - 1
            label = season_label(start)
    if label is None:
        raise DataError(
            f"{path}: cannot tell the season (no name like 2019-2020.csv and no dates);"
            " file rejected"
        )
    try:
        return Season(code, label)
    except ValueError as exc:
        raise DataError(f"{path}: {exc}; file rejected") from exc
