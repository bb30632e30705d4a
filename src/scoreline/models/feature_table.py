"""Serving's feature engine: every fixture's base features and its live market.

Base features (ratings, form, rest, league rates, Dixon-Coles columns) change
only when a result or a new fixture arrives. ``FeatureTable`` keeps them in a
``models.live_features.LiveFeatures``: the walk ``build_features`` makes over
the history, kept alive, so a new fixture is a read of the current state and a
result a step of it, never a rebuild of every fixture (point in time: a fixture
never sees its own result or later ones). The market columns change with every
price (1X2, and the over/under and handicap lines the goal-rate features read)
and are filled per prediction from ``MarketBook``.

``MarketBook`` holds each fixture's latest 1X2 prices by bookmaker, and the
sharp book's and the market average's latest over/under 2.5 and Asian handicap
prices (the ones the training files carry), applied in
odds-id order from the stored rows rather than from the ticks a worker happens
to receive: with several workers in one group, each sees only some ticks, and
reading the stored rows makes a tick's prediction the same whichever worker
serves it. The market is priced by the consensus rule training uses
(``pricing.consensus``) and its goal rates by the same inversion
(``models.market_rates.rate_features``): the same functions, on the same prices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.domain.bookmakers import AVERAGE, SHARP
from scoreline.domain.fixtures import HistoryRow
from scoreline.domain.markets import Market
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.models.live_features import Change, LiveFeatures
from scoreline.models.market_rates import RATE_FEATURES, rate_features
from scoreline.models.serving import LiveModel
from scoreline.pricing import consensus

__all__ = ["MARKET_COLUMNS", "Change", "FeatureTable", "MarketBook", "MarketQuote"]

FloatArray = npt.NDArray[np.float64]

MARKET_COLUMNS = (*consensus.MARKET_FEATURES, *RATE_FEATURES)
"""The columns ``MarketBook.features`` fills, in order."""
_MARKET_POSITIONS = [FEATURE_COLUMNS.index(c) for c in MARKET_COLUMNS]
_NO_PRICES = (np.nan, np.nan, np.nan)
_NO_PAIR = (np.nan, np.nan)
_TOTALS_LINE = Decimal("2.5")
_LINE_BOOKS = (SHARP, AVERAGE)
Pair = tuple[float, float]


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

        ``market`` has shape (n, 7), columns ``MARKET_COLUMNS``: NaN where the
        fixture has no valid price yet.
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
    """What the market columns of one fixture are made from: the sharp book's latest valid
    1X2 prices and the market average (``pricing.consensus.average_price``), each None when
    missing; and, for the goal rates, the over/under 2.5 pair and the Asian handicap (home
    line, pair) of the sharp book and of the market average (``AVG``), as training reads
    them from the files."""

    sharp: consensus.Triple | None
    average: consensus.Triple | None
    totals: dict[str, Pair] = field(default_factory=dict)
    handicap: dict[str, tuple[float, Pair]] = field(default_factory=dict)


@dataclass
class _Fixture:
    prices: dict[str, consensus.Triple] = field(default_factory=dict)
    totals: dict[str, Pair] = field(default_factory=dict)
    handicap: dict[str, tuple[float, Pair]] = field(default_factory=dict)
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

    def apply_line(
        self,
        odds_id: int,
        fixture_id: int,
        bookmaker: str,
        *,
        market: str,
        line: Decimal,
        prices: tuple[Decimal | None, Decimal | None],
    ) -> None:
        """Take one stored over/under or handicap row (side 0 first: over, or home). Only
        the sharp book's and the average's over/under 2.5 and handicap rows count, as in
        training; a handicap row replaces that book's previous line."""
        state = self._fixtures.setdefault(fixture_id, _Fixture())
        if odds_id <= state.seen:
            return
        state.seen = odds_id
        first, second = prices
        if bookmaker not in _LINE_BOOKS or first is None or second is None:
            return
        pair = (float(first), float(second))
        if not all(math.isfinite(p) and p > 1.0 for p in pair):
            return
        if market == Market.OVER_UNDER.value and line == _TOTALS_LINE:
            state.totals[bookmaker] = pair
        elif market == Market.ASIAN_HANDICAP.value:
            state.handicap[bookmaker] = (float(line), pair)

    def quote(self, fixture_id: int) -> MarketQuote | None:
        """The prices the fixture's market columns are made from; None when it has none."""
        state = self._fixtures.get(fixture_id)
        if state is None or not (state.prices or state.totals or state.handicap):
            return None
        found = MarketQuote(
            state.prices.get(SHARP),
            consensus.average_price(state.prices) if state.prices else None,
            dict(state.totals),
            dict(state.handicap),
        )
        empty = found.sharp is None and found.average is None
        return None if empty and not (found.totals or found.handicap) else found

    @staticmethod
    def features(quotes: Sequence[MarketQuote | None]) -> FloatArray:
        """Market columns (n, 7) of a batch of quotes (``MARKET_COLUMNS``), in one call of
        the consensus rule and one of the rate inversion."""
        sharp = [_NO_PRICES if q is None or q.sharp is None else q.sharp for q in quotes]
        average = [_NO_PRICES if q is None or q.average is None else q.average for q in quotes]
        market = consensus.market_features(sharp, average)
        over = consensus.line_probability(
            [_totals(q, SHARP) for q in quotes],
            [_totals(q, AVERAGE) for q in quotes],
        )
        handicap = [_handicap(q) for q in quotes]
        home = consensus.line_probability(
            [pair if code == SHARP else _NO_PAIR for code, _, pair in handicap],
            [pair if code == AVERAGE else _NO_PAIR for code, _, pair in handicap],
        )
        rates = rate_features(
            market[:, :3],
            totals_line=float(_TOTALS_LINE),
            over=over,
            handicap_line=np.array([line for _, line, _ in handicap]),
            home=home,
        )
        return np.column_stack([market, rates])


def _totals(quote: MarketQuote | None, code: str) -> Pair:
    return _NO_PAIR if quote is None else quote.totals.get(code, _NO_PAIR)


def _handicap(quote: MarketQuote | None) -> tuple[str | None, float, Pair]:
    """The handicap the rates read: the sharp book's line and prices, else the average's."""
    for code in _LINE_BOOKS:
        found = None if quote is None else quote.handicap.get(code)
        if found is not None:
            return code, found[0], found[1]
    return None, np.nan, _NO_PAIR
