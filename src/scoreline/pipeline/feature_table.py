"""The worker's feature engine: every fixture's base features and its live 1X2 market.

Base features (ratings, form, rest, league rates, Dixon-Coles columns) change
only when a result or a new fixture arrives, so they are computed for every
fixture at once with ``build_features`` (point in time: a fixture never sees
its own result or later ones) and kept as a matrix. The market columns change
with every 1X2 tick and are filled per tick from ``MarketBook``.

``MarketBook`` holds each fixture's latest 1X2 prices by bookmaker, applied in
odds-id order from the database rather than from the ticks a worker happens
to receive: with several workers in one group, each sees only some ticks, and
reading the stored rows makes a tick's prediction the same whichever worker
serves it. The market is priced as in training: Pinnacle where it quotes,
else the market average (``AVG``), else the mean of the bookmakers' prices
(``MAX`` excluded); its margin removed by the power method.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.domain.fixtures import HistoryRow
from scoreline.models.features import FEATURE_COLUMNS, build_features
from scoreline.models.serving import LiveModel
from scoreline.pricing import remove_margin

__all__ = ["FeatureTable", "MarketBook"]

FloatArray = npt.NDArray[np.float64]

_MARKET_COLUMNS = ("market_home", "market_draw", "market_away", "market_overround")
_MARKET_POSITIONS = [FEATURE_COLUMNS.index(c) for c in _MARKET_COLUMNS]
_PINNACLE_POSITION = FEATURE_COLUMNS.index("market_is_pinnacle")


class FeatureTable:
    """Base features of every fixture in the database, by fixture id."""

    def __init__(self, model: LiveModel) -> None:
        self.model = model
        self._row: dict[int, int] = {}
        self._values: FloatArray = np.empty((0, len(FEATURE_COLUMNS)))
        self.fixtures = 0

    def rebuild(self, history: Sequence[HistoryRow]) -> None:
        """Recompute from every fixture's history row (``FixtureRepository.history``)."""
        if not history:
            self._row, self._values, self.fixtures = {}, np.empty((0, len(FEATURE_COLUMNS))), 0
            return
        frame = pd.DataFrame.from_records(list(history), columns=HistoryRow._fields)
        frame["date"] = pd.to_datetime(frame["date"], utc=True)
        for column in ("home_goals", "away_goals"):
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        dc = self.model.dixon_coles_columns(frame)
        features = build_features(frame, dixon_coles=dc)
        self._values = features[list(FEATURE_COLUMNS)].to_numpy(dtype=np.float64)
        self._row = {int(f): i for i, f in enumerate(frame["fixture_id"])}
        self.fixtures = len(self._row)

    def __contains__(self, fixture_id: object) -> bool:
        return fixture_id in self._row

    def rows(self, fixture_ids: Sequence[int], market: FloatArray) -> FloatArray:
        """Feature rows (``FEATURE_COLUMNS`` order) of fixtures, market columns from ``market``.

        ``market`` has shape (n, 5): home, draw, away probabilities, overround
        and is-Pinnacle; NaN where the fixture has no complete 1X2 price yet.
        """
        values = self._values[[self._row[f] for f in fixture_ids]].copy()
        values[:, _MARKET_POSITIONS] = market[:, :4]
        values[:, _PINNACLE_POSITION] = market[:, 4]
        return values


@dataclass
class _Fixture:
    prices: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    seen: int = 0  # odds id of the last row applied


class MarketBook:
    """Latest 1X2 prices per fixture and bookmaker, applied in odds-id order."""

    def __init__(self) -> None:
        self._fixtures: dict[int, _Fixture] = {}

    def seen(self, fixture_id: int) -> int:
        """The odds id up to which ``fixture_id``'s rows have been applied."""
        state = self._fixtures.get(fixture_id)
        return 0 if state is None else state.seen

    def apply(
        self,
        odds_id: int,
        fixture_id: int,
        bookmaker: str,
        prices: tuple[Decimal | None, Decimal | None, Decimal | None],
    ) -> None:
        """Take one stored 1X2 row (rows at or below ``seen`` are ignored)."""
        state = self._fixtures.setdefault(fixture_id, _Fixture())
        if odds_id <= state.seen:
            return
        state.seen = odds_id
        if all(p is not None and p > 1 for p in prices):
            home, draw, away = (float(p) for p in prices if p is not None)
            state.prices[bookmaker] = (home, draw, away)

    def quote(self, fixture_id: int) -> tuple[tuple[float, float, float], bool] | None:
        """The prices the market features use, and whether they are Pinnacle's."""
        state = self._fixtures.get(fixture_id)
        if state is None or not state.prices:
            return None
        if "PS" in state.prices:
            return state.prices["PS"], True
        if "AVG" in state.prices:
            return state.prices["AVG"], False
        others = [p for book, p in state.prices.items() if book != "MAX"]
        if not others:
            return None
        mean = np.mean(np.array(others), axis=0)
        return (float(mean[0]), float(mean[1]), float(mean[2])), False

    @staticmethod
    def features(quotes: Sequence[tuple[tuple[float, float, float], bool] | None]) -> FloatArray:
        """Market columns (n, 5) for a batch of quotes, margins removed in one call."""
        out = np.full((len(quotes), 5), np.nan)
        priced = [i for i, q in enumerate(quotes) if q is not None]
        if not priced:
            return out
        odds = np.array([quotes[i][0] for i in priced if quotes[i] is not None])  # type: ignore[index]
        out[priced, :3] = remove_margin(odds, method="power")
        out[priced, 3] = (1.0 / odds).sum(axis=1) - 1.0
        out[priced, 4] = [1.0 if quotes[i][1] else 0.0 for i in priced]  # type: ignore[index]
        return out
