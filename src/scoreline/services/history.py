"""Match history as one frame: results, statistics and the 1X2 prices models and backtests use.

Reads football-data.co.uk trees through the provider (no database needed), so
a backtest can run on any folder of season files. Roots are merged; when the
same match appears twice the later root wins.

Columns (one row per finished match, sorted by kick-off):

===========================  =====================================================
match_id                     0..n-1 in kick-off order
league, season               ``E0``, ``2019-2020``
date                         kick-off, ``datetime64[ns, UTC]``
home_team, away_team         football-data names
neutral                      bool
home_goals, away_goals       int
home_shots … away_corners    float, NaN where the file has no statistics
ps_home/ps_draw/ps_away      Pinnacle pre-match (``PSH``…), NaN when absent
psc_home/psc_draw/psc_away   Pinnacle closing (``PSCH``…)
best_home/…                  best pre-match price over individual bookmakers
avg_home/…                   market average pre-match (``BbAv``/``Avg``, else the mean of
                             the bookmakers quoting all three: ``pricing.consensus``)
ps_over/ps_under             Pinnacle pre-match over/under 2.5 (``P>2.5``, from 2019-2020)
avg_over/avg_under           market average over/under 2.5 (``BbAv>2.5``/``Avg>2.5``)
ah_line                      the pre-match Asian handicap line, the HOME handicap
                             (``BbAHh``/``AHh``: one line per match for every book)
ps_ah_home/ps_ah_away        Pinnacle's prices at that line (``PAHH``, from 2019-2020)
avg_ah_home/avg_ah_away      the market average's (``BbAvAHH``/``AvgAHH``)
===========================  =====================================================
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoreline.domain import FixtureStatus, Market, PriceKind, Selection
from scoreline.domain.bookmakers import AVERAGE, SHARP, is_bookmaker
from scoreline.domain.fixtures import FORM_STATISTICS
from scoreline.pricing import consensus
from scoreline.providers.football_data import find_season_files, read_season_file

__all__ = ["HISTORY_COLUMNS", "LINE_COLUMNS", "load_history"]

LINE_COLUMNS = (
    "ps_over",
    "ps_under",
    "avg_over",
    "avg_under",
    "ah_line",
    "ps_ah_home",
    "ps_ah_away",
    "avg_ah_home",
    "avg_ah_away",
)
"""The over/under 2.5 and Asian handicap columns (the market-implied goal rates read them)."""

logger = logging.getLogger(__name__)

_SIDES = {Selection.HOME: "home", Selection.DRAW: "draw", Selection.AWAY: "away"}
_STATS = FORM_STATISTICS
HISTORY_COLUMNS = (
    "match_id",
    "league",
    "season",
    "date",
    "home_team",
    "away_team",
    "neutral",
    "home_goals",
    "away_goals",
    *_STATS,
    *(f"{prefix}_{side}" for prefix in ("ps", "psc", "best", "avg") for side in _SIDES.values()),
    *LINE_COLUMNS,
)
_TOTALS_LINE = Decimal("2.5")


def _prices(odds: Sequence[Any]) -> dict[str, float]:
    """The 1X2 columns of one match from its odds snapshots; ``avg_*`` is the consensus
    average (``pricing.consensus.average_price``), as the live worker computes it."""
    out: dict[str, float] = {}
    books: dict[str, dict[str, float]] = {}
    best: dict[str, list[float]] = {side: [] for side in _SIDES.values()}
    for quote in odds:
        if quote.market is not Market.MATCH_ODDS:
            out.update(_line_price(quote))
            continue
        side = _SIDES[quote.selection]
        price = float(quote.price)
        if quote.kind is PriceKind.CLOSING:
            if quote.bookmaker == SHARP:
                out[f"psc_{side}"] = price
            continue
        if quote.bookmaker == SHARP:
            out[f"ps_{side}"] = price
        books.setdefault(quote.bookmaker, {})[side] = price
        if is_bookmaker(quote.bookmaker):
            best[side].append(price)
    for side, prices in best.items():
        if prices:
            out[f"best_{side}"] = max(prices)
    complete = {code: (p["home"], p["draw"], p["away"]) for code, p in books.items() if len(p) == 3}
    average = consensus.average_price(complete)
    if average is not None:
        out.update(zip(("avg_home", "avg_draw", "avg_away"), average, strict=True))
    return out


def _line_price(quote: Any) -> dict[str, float]:
    """The line column(s) of one pre-match over/under 2.5 or handicap quote of Pinnacle
    or the market average; nothing for any other quote."""
    if quote.kind is not PriceKind.PREMATCH or quote.bookmaker not in (SHARP, AVERAGE):
        return {}
    prefix = "ps" if quote.bookmaker == SHARP else "avg"
    price = float(quote.price)
    if quote.market is Market.OVER_UNDER:
        if quote.line != _TOTALS_LINE:
            return {}
        return {f"{prefix}_{quote.selection.value}": price}
    return {"ah_line": float(quote.line), f"{prefix}_ah_{quote.selection.value}": price}


def _division(path: Path) -> str | None:
    """The ``Div`` of a file's first match, read without parsing the file; None if unsure."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header, first = next(reader), next(reader)
        return first[header.index("Div")] or None
    except (OSError, UnicodeDecodeError, StopIteration, ValueError, IndexError):
        return None


def load_history(
    roots: Sequence[Path],
    *,
    leagues: Sequence[str] | None = None,
    progress: Callable[[Path, int, int], None] | None = None,
) -> pd.DataFrame:
    """Every finished (not awarded) match under ``roots`` as one frame, oldest first."""
    wanted = set(leagues or ())
    records: dict[tuple[str, str, str, object], dict[str, Any]] = {}
    # Root by root, so that a match found under a later root replaces the earlier one.
    files = [path for root in roots for path in find_season_files([root])]
    for done, path in enumerate(files, start=1):
        if progress is not None:
            progress(path, done, len(files))
        if wanted and _division(path) not in wanted | {None}:
            continue
        parsed = read_season_file(path)
        league = parsed.competition.code
        if wanted and league not in wanted:
            continue
        for row in parsed.rows:
            fixture = row.fixture
            if fixture.status is not FixtureStatus.FINISHED or fixture.result is None:
                continue
            result = fixture.result
            record: dict[str, Any] = {
                "league": league,
                "season": parsed.season.label,
                "date": fixture.kickoff_utc,
                "home_team": fixture.home_team,
                "away_team": fixture.away_team,
                "neutral": fixture.neutral,
                "home_goals": result.home_goals,
                "away_goals": result.away_goals,
            }
            for name in _STATS:
                value = getattr(result.stats, name)
                record[name] = np.nan if value is None else float(value)
            record.update(_prices(row.odds))
            records[(league, fixture.home_team, fixture.away_team, fixture.match_date)] = record
    frame = pd.DataFrame.from_records(list(records.values()))
    for column in HISTORY_COLUMNS:
        if column not in frame.columns and column != "match_id":
            frame[column] = np.nan
    if frame.empty:
        return pd.DataFrame(columns=list(HISTORY_COLUMNS))
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    frame = frame.sort_values(["date", "league", "home_team"], kind="stable").reset_index(drop=True)
    frame.insert(0, "match_id", np.arange(len(frame), dtype=np.int64))
    logger.info("history: %d matches from %d files", len(frame), len(files))
    return frame[list(HISTORY_COLUMNS)]
