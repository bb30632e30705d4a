"""Serving's feature engine: every fixture's base features and its live 1X2 market.

Base features (ratings, form, rest, league rates, Dixon-Coles columns) change
only when a result or a new fixture arrives. ``FeatureTable`` keeps them in a
``models.live_features.LiveFeatures``: the walk ``build_features`` makes over
the history, kept alive, so a new fixture is a read of the current state and a
result a step of it, never a rebuild of every fixture (point in time: a fixture
never sees its own result or later ones). The market columns change with every
1X2 price and are filled per prediction from ``MarketBook``.

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
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.models.live_features import Change, LiveFeatures
from scoreline.models.serving import LiveModel
from scoreline.pricing import consensus

__all__ = ["Change", "FeatureTable", "MarketBook", "MarketQuote"]

FloatArray = npt.NDArray[np.float64]

_MARKET_POSITIONS = [FEATURE_COLUMNS.index(c) for c in consensus.MARKET_FEATURES]
_NO_PRICES = (np.nan, np.nan, np.nan)


class FeatureTable:
    """Base features of every fixture in the database, by fixture id, kept current."""

    def __init__(self, model: LiveModel) -> None:
        self.model = model
        self.live = LiveFeatures()

    @property
    def fixtures(self) -> int:
        """How many fixtures have a row."""
        return self.live.fixtures

    def rebuild(self, history: Sequence[HistoryRow]) -> None:
        """Walk every fixture's history row (``FixtureRepository.history``) afresh."""
        if not history:
            self.live = LiveFeatures()
            return
        frame = _frame(history)
        self.live.rebuild(frame, dixon_coles=self.model.dixon_coles_columns(frame))

    def update(self, history: Sequence[HistoryRow]) -> Change:
        """Take new or changed fixtures' history rows (new fixtures, results, moves);
        what it took (``LiveFeatures.update``)."""
        if not history:
            return Change.NOTHING
        frame = _frame(history)
        return self.live.update(frame, dixon_coles=self.model.dixon_coles_columns(frame))

    def unplayed(self) -> list[int]:
        """The fixtures held without a result: where the next results will come."""
        return self.live.unplayed()

    def latest_id(self) -> int:
        """The highest fixture id held: fixtures above it are new."""
        return self.live.latest_id()

    def __contains__(self, fixture_id: object) -> bool:
        return fixture_id in self.live

    def rows(self, fixture_ids: Sequence[int], market: FloatArray) -> FloatArray:
        """Feature rows (``FEATURE_COLUMNS`` order) of fixtures, market columns from ``market``.

        ``market`` has shape (n, 5), columns ``pricing.consensus.MARKET_FEATURES``:
        NaN where the fixture has no valid 1X2 price yet.
        """
        values = self.live.rows(fixture_ids)
        values[:, _MARKET_POSITIONS] = market
        return values


def _frame(history: Sequence[HistoryRow]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(list(history), columns=HistoryRow._fields)
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    for column in ("home_goals", "away_goals"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return frame


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
