"""Training and serving see the same market: the features ``build_features`` computes from the
history frame equal, to 1e-9, those the live ``MarketBook`` computes from the replayed feed's
pre-match 1X2, over/under and handicap ticks of the same matches (one season of the five
bundled leagues, 1,826 matches), the implied goal rates included.

Each branch of the consensus rule is compared on the whole season: the files as they are
(Pinnacle quotes every match), without Pinnacle's columns (the market average), and without
Pinnacle's nor the average's (the mean of the bookmakers)."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from scoreline.domain import Market, PriceKind, Selection
from scoreline.domain.ticks import OddsTick, parse_tick
from scoreline.models.feature_table import MARKET_COLUMNS, MarketBook, MarketQuote
from scoreline.models.features import build_features
from scoreline.providers.replay import replay_events
from scoreline.services.history import load_history

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "football-data"
SEASON = "2022-2023.csv"

MatchKey = tuple[str, str, str, date]


BRANCHES = {
    "pinnacle": (),
    "average": ("PSH", "PSD", "PSA"),
    "bookmakers": ("PSH", "PSD", "PSA", "AvgH", "AvgD", "AvgA"),
}


def season_files(folder: Path, dropped: tuple[str, ...]) -> list[Path]:
    """Copies of the season's files without the ``dropped`` columns."""
    out = []
    for source in sorted(SAMPLE.glob(f"*/{SEASON}")):
        target = folder / source.parent.name / SEASON
        target.parent.mkdir(parents=True)
        with source.open(encoding="utf-8-sig", newline="") as read:
            rows = list(csv.reader(read))
        keep = [i for i, name in enumerate(rows[0]) if name not in dropped]
        with target.open("w", encoding="utf-8", newline="") as write:
            csv.writer(write).writerows([[row[i] for i in keep if i < len(row)] for row in rows])
        out.append(target)
    return out


def training(history: pd.DataFrame) -> np.ndarray:
    """The market columns as the walk-forward trains on them."""
    return build_features(history)[list(MARKET_COLUMNS)].to_numpy()


def serving(files: list[Path], history: pd.DataFrame) -> np.ndarray:
    """The market columns as the worker serves them: each bookmaker's pre-match 1X2 tick
    applied to the book in feed order, as the ingestion engine stores them."""
    events = replay_events(files, start=date(2022, 7, 1), end=date(2023, 6, 30))
    keys: dict[MatchKey, int] = {}
    book = MarketBook()
    for odds_id, event in enumerate(events, start=1):
        tick = parse_tick(event.payload)
        if not (isinstance(tick, OddsTick) and tick.kind is PriceKind.PREMATCH):
            continue
        key = (tick.competition, tick.home_team, tick.away_team, tick.kickoff.date())
        fixture_id = keys.setdefault(key, len(keys))
        if tick.market is not Market.MATCH_ODDS:
            sides = (
                (Selection.OVER, Selection.UNDER)
                if tick.market is Market.OVER_UNDER
                else (Selection.HOME, Selection.AWAY)
            )
            assert tick.line is not None
            book.apply_line(
                odds_id,
                fixture_id,
                tick.bookmaker.upper()[:16],
                market=tick.market.value,
                line=tick.line,
                prices=(tick.prices.get(sides[0]), tick.prices.get(sides[1])),
            )
            continue
        prices = (
            tick.prices.get(Selection.HOME),
            tick.prices.get(Selection.DRAW),
            tick.prices.get(Selection.AWAY),
        )
        book.apply(odds_id, fixture_id, tick.bookmaker.upper()[:16], prices)
    quotes: list[MarketQuote | None] = []
    days = history["date"].dt.date
    for league, home, away, day in zip(
        history["league"], history["home_team"], history["away_team"], days, strict=True
    ):
        found = keys.get((str(league), str(home), str(away), day))
        quotes.append(None if found is None else book.quote(found))
    return MarketBook.features(quotes)


@pytest.mark.parametrize("branch", list(BRANCHES))
def test_training_and_serving_compute_the_same_market_features(branch: str, tmp_path: Path) -> None:
    files = season_files(tmp_path, BRANCHES[branch])
    history = load_history(files)
    trained, served = training(history), serving(files, history)
    assert len(history) >= 1000
    priced = np.isfinite(trained[:, 0])
    assert priced.mean() > 0.99  # nearly every match has prices: the comparison means something
    assert np.isfinite(served[:, 0]).sum() == priced.sum()
    np.testing.assert_allclose(served[:, :5], trained[:, :5], rtol=0, atol=1e-9, equal_nan=True)
    # The rates are an iterative fit, stopped once no step moves them by 1e-11: the mean of
    # the bookmakers' prices summed in another order (1e-16 apart) lands within 1e-8.
    np.testing.assert_allclose(served[:, 5:], trained[:, 5:], rtol=0, atol=1e-7, equal_nan=True)
    assert set(trained[priced, 4].tolist()) == {1.0 if branch == "pinnacle" else 0.0}
    assert np.isfinite(trained[:, 5]).mean() > 0.95  # the rates too: 1X2, totals and handicap
