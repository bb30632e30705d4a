"""Serving's feature engine: every fixture's base features and its live 1X2 market.

Base features (ratings, form, rest, league rates, Dixon-Coles columns) change
only when a result or a new fixture arrives, so they are computed for every
fixture at once with ``build_features`` (point in time: a fixture never sees
its own result or later ones) and kept as a matrix. The market columns change
with every 1X2 price and are filled per prediction from ``MarketBook``.

``MarketBook`` holds each fixture's latest 1X2 prices by bookmaker, applied in
odds-id order from the stored rows rather than from the ticks a worker happens
to receive: with several workers in one group, each sees only some ticks, and
reading the stored rows makes a tick's prediction the same whichever worker
serves it. The market is priced by the consensus rule training uses
(``pricing.consensus``): the same two functions, on the same prices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.domain.bookmakers import SHARP
from scoreline.domain.fixtures import HistoryRow
from scoreline.models.features import FEATURE_COLUMNS, build_features
from scoreline.models.serving import LiveModel
from scoreline.pricing import consensus

__all__ = ["FeatureTable", "MarketBook", "MarketQuote"]

FloatArray = npt.NDArray[np.float64]

_MARKET_POSITIONS = [FEATURE_COLUMNS.index(c) for c in consensus.MARKET_FEATURES]
_NO_PRICES = (np.nan, np.nan, np.nan)


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

        ``market`` has shape (n, 5), columns ``pricing.consensus.MARKET_FEATURES``:
        NaN where the fixture has no valid 1X2 price yet.
        """
        values = self._values[[self._row[f] for f in fixture_ids]].copy()
        values[:, _MARKET_POSITIONS] = market
        return values


@dataclass(frozen=True, slots=True)
class MarketQuote:
    """What the consensus of one fixture is made from: the sharp book's latest valid prices
    and the market average (``pricing.consensus.average_price``), each None when missing."""

    sharp: consensus.Triple | None
    average: consensus.Triple | None


@dataclass
class _Fixture:
    prices: dict[str, consensus.Triple] = field(default_factory=dict)
    seen: int = 0  # odds id of the last row applied


class MarketBook:
    """Latest valid 1X2 prices per fixture and bookmaker, applied in odds-id order."""

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
        """Take one stored 1X2 row (rows at or below ``seen`` are ignored); a row without
        three valid prices leaves the bookmaker's previous ones standing."""
        state = self._fixtures.setdefault(fixture_id, _Fixture())
        if odds_id <= state.seen:
            return
        state.seen = odds_id
        home, draw, away = prices
        if home is None or draw is None or away is None:
            return
        triple = (float(home), float(draw), float(away))
        if consensus.is_valid(triple):
            state.prices[bookmaker] = triple

    def quote(self, fixture_id: int) -> MarketQuote | None:
        """The prices the fixture's consensus is made from; None when it has none."""
        state = self._fixtures.get(fixture_id)
        if state is None or not state.prices:
            return None
        found = MarketQuote(state.prices.get(SHARP), consensus.average_price(state.prices))
        return None if found.sharp is None and found.average is None else found

    @staticmethod
    def features(quotes: Sequence[MarketQuote | None]) -> FloatArray:
        """Market columns (n, 5) of a batch of quotes, in one call of the consensus rule."""
        sharp = [_NO_PRICES if q is None or q.sharp is None else q.sharp for q in quotes]
        average = [_NO_PRICES if q is None or q.average is None else q.average for q in quotes]
        return consensus.market_features(sharp, average)
