"""Shadow CLV of stored predictions and of a backtest's: is the model's edge real?

The measure is ``pricing.shadow_clv``'s (read its docstring for the exact
definition): each prediction backs the 1X2 selections it rates above the sharp
book's de-margined pre-match price at the prediction's moment, at its own fair
odds, and the bet's CLV is ``close / model - 1`` against the de-margined close.

``shadow_clv`` reads the active version's predictions of finished matches and
their prices in four queries whatever the window holds. Each match counts once
per time bucket (its latest prediction in the bucket), so a fixture predicted
on every tick does not pass for hundreds of independent bets. The pre-match
price is the sharp book's newest captured at or before the prediction (else the
market average's); the close is the sharp book's closing price (else the
closing average's).

``backtest_shadow_clv`` gives the same figures for a walk-forward, whose
pre-match prices (football-data's) carry no capture time: there is one bucket,
``pre-match``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from scoreline.domain.bookmakers import AVERAGE, SHARP
from scoreline.domain.odds import OddsRecord, PriceKind
from scoreline.pricing.devig import remove_margin
from scoreline.pricing.shadow_clv import (
    TIME_BUCKETS,
    ShadowClv,
    by_group,
    shadow_bets,
    summarise,
    time_bucket,
)
from scoreline.storage.repositories.predictions import PredictionMoment
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "DEFINITION",
    "ShadowClvReport",
    "ShadowClvRow",
    "backtest_shadow_clv",
    "shadow_clv",
]

FloatArray = npt.NDArray[np.float64]
OUTCOMES = ("home", "draw", "away")
MARKET = "1x2"
ALL = "all"
DEFINITION = (
    "Each prediction backs the selections it rates above the sharp book's de-margined "
    "pre-match price at its moment, at its own fair odds 1/p; CLV = (1/p) / (1/close) - 1 "
    "= close/p - 1 against the de-margined close (power method). Interval: 95% t-interval "
    "of the mean. Bets needed: (1.96 * sd / mean)^2, the bets for that interval to exclude "
    "zero at an edge of this size."
)
_SOURCES = (SHARP, AVERAGE)  # best first


@dataclass(frozen=True, slots=True)
class ShadowClvRow:
    """The shadow bets of one league (or ``all``), market and time bucket (or ``all``)."""

    league: str
    market: str
    bucket: str
    n_bets: int
    mean: float | None
    ci95_low: float | None
    ci95_high: float | None
    bets_needed: int | None


@dataclass(frozen=True, slots=True)
class ShadowClvReport:
    """Shadow CLV of the active version over a window ending at the latest finished match.

    ``rows`` is per league, market and bucket; ``decay`` is every league's by bucket,
    earliest first (the edge-decay curve); ``overall`` is everything together.
    """

    model: str | None
    version: str | None
    window_start: datetime | None
    window_end: datetime | None
    n_predictions: int
    overall: ShadowClvRow
    decay: list[ShadowClvRow]
    rows: list[ShadowClvRow]
    definition: str = DEFINITION


# -- the use case ---------------------------------------------------------------------------


def shadow_clv(unit_of_work: UnitOfWorkFactory, *, days: int) -> ShadowClvReport:
    """Shadow CLV of the active model's predictions of the matches finished in the ``days``
    before the latest one (anchored on the data, as model health is)."""
    with unit_of_work() as uow:
        active = uow.model_versions.active()
        end = uow.fixtures.latest_finished_kickoff() if active is not None else None
        if active is None or end is None:
            return _empty(active.name if active else None, active.version if active else None)
        start = end - timedelta(days=days)
        moments = uow.predictions.list_moments_of_finished(
            model_version_id=active.id, start=start, end=end
        )
        quotes = uow.odds.list_match_odds_of_finished_by(start=start, end=end, bookmakers=_SOURCES)
    latest = _latest_per_bucket(moments)
    model = np.array([m.probabilities for m in latest], dtype=np.float64).reshape(-1, 3)
    model /= model.sum(axis=1, keepdims=True)  # stored rounded: each row sums to 1
    prematch, close = _market_views(latest, quotes)
    bets = shadow_bets(model, prematch, close)
    hours = [(m.kickoff - m.created_at).total_seconds() / 3600 for m in latest]
    buckets = time_bucket(hours) if latest else np.empty(0, dtype=str)
    rows, cols = np.nonzero(bets.backed)
    clv = bets.clv[rows, cols]
    leagues = np.array([m.league for m in latest], dtype=str)[rows]
    markets = np.full(len(clv), MARKET)
    return ShadowClvReport(
        model=active.name,
        version=active.version,
        window_start=start,
        window_end=end,
        n_predictions=len(latest),
        overall=_row(ALL, ALL, ALL, summarise(clv)),
        decay=[
            _row(ALL, ALL, bucket, summarise(clv[buckets[rows] == bucket]))
            for bucket in TIME_BUCKETS
        ],
        rows=[
            _row(key["league"], key["market"], key["bucket"], figures)
            for key, figures in by_group(
                clv, {"league": leagues, "market": markets, "bucket": buckets[rows]}
            )
        ],
    )


def _empty(model: str | None, version: str | None) -> ShadowClvReport:
    nothing = summarise([])
    return ShadowClvReport(
        model=model,
        version=version,
        window_start=None,
        window_end=None,
        n_predictions=0,
        overall=_row(ALL, ALL, ALL, nothing),
        decay=[_row(ALL, ALL, bucket, nothing) for bucket in TIME_BUCKETS],
        rows=[],
    )


def _latest_per_bucket(moments: Sequence[PredictionMoment]) -> list[PredictionMoment]:
    """Each fixture's latest prediction in each time bucket (moments come in id order)."""
    if not moments:
        return []
    hours = [(m.kickoff - m.created_at).total_seconds() / 3600 for m in moments]
    chosen: dict[tuple[int, str], PredictionMoment] = {}
    for moment, bucket in zip(moments, time_bucket(hours).tolist(), strict=True):
        key = (moment.fixture_id, bucket)
        if key not in chosen or moment.created_at >= chosen[key].created_at:
            chosen[key] = moment
    return sorted(chosen.values(), key=lambda m: (m.kickoff, m.fixture_id, m.created_at))


def _market_views(
    moments: Sequence[PredictionMoment], quotes: Sequence[OddsRecord]
) -> tuple[FloatArray, FloatArray]:
    """De-margined pre-match (as of each prediction) and closing probabilities, (n, 3) each."""
    prematch: dict[int, list[tuple[int, datetime, tuple[float, ...]]]] = {}
    closing: dict[int, tuple[int, tuple[float, ...]]] = {}
    for quote in quotes:  # id order: a later snapshot of the same rank wins
        prices = _prices(quote)
        if prices is None:
            continue
        rank = _SOURCES.index(quote.bookmaker)
        if quote.kind == PriceKind.CLOSING.value:
            if quote.fixture_id not in closing or rank <= closing[quote.fixture_id][0]:
                closing[quote.fixture_id] = (rank, prices)
        elif quote.kind == PriceKind.PREMATCH.value:
            prematch.setdefault(quote.fixture_id, []).append((rank, quote.captured_at, prices))
    pre = np.full((len(moments), 3), np.nan)
    close = np.full((len(moments), 3), np.nan)
    for i, moment in enumerate(moments):
        if moment.fixture_id in closing:
            close[i] = closing[moment.fixture_id][1]
        known = [
            (rank, -at.timestamp(), prices)
            for rank, at, prices in prematch.get(moment.fixture_id, [])
            if at <= moment.created_at
        ]
        if known:
            pre[i] = min(known, key=lambda k: (k[0], k[1]))[2]
    return _fair(pre), _fair(close)


def _prices(quote: OddsRecord) -> tuple[float, ...] | None:
    quoted = [quote.prices.get(outcome) for outcome in OUTCOMES]
    if any(p is None for p in quoted):
        return None
    prices = tuple(float(p) for p in quoted if p is not None)
    return prices if min(prices) > 1 else None


def _fair(odds: FloatArray) -> FloatArray:
    out = np.full(odds.shape, np.nan)
    usable = np.isfinite(odds).all(axis=1)
    if usable.any():
        out[usable] = remove_margin(odds[usable])
    return out


def _row(league: str, market: str, bucket: str, figures: ShadowClv) -> ShadowClvRow:
    return ShadowClvRow(
        league=league,
        market=market,
        bucket=bucket,
        n_bets=figures.n_bets,
        mean=figures.mean,
        ci95_low=figures.ci95_low,
        ci95_high=figures.ci95_high,
        bets_needed=figures.bets_needed,
    )


# -- the backtest's -------------------------------------------------------------------------


def backtest_shadow_clv(
    model: npt.ArrayLike,
    prematch: npt.ArrayLike,
    close: npt.ArrayLike,
    leagues: npt.ArrayLike,
    *,
    name: str,
) -> dict[str, Any]:
    """The report's ``shadow_clv`` section: overall and per league, market ``1x2``, one
    ``pre-match`` bucket (football-data's pre-match prices have no capture time)."""
    bets = shadow_bets(model, prematch, close)
    rows, cols = np.nonzero(bets.backed)
    clv = bets.clv[rows, cols]
    by_league = np.asarray(leagues, dtype=str)[rows]

    def figures(league: str, values: FloatArray) -> dict[str, Any]:
        found = summarise(values)
        return {
            "league": league,
            "market": MARKET,
            "bucket": "pre-match",
            "n_bets": found.n_bets,
            "mean": found.mean,
            "ci95": [found.ci95_low, found.ci95_high],
            "bets_needed": found.bets_needed,
        }

    return {
        "model": name,
        "definition": DEFINITION,
        "predictions": len(bets.backed),
        "overall": figures(ALL, clv),
        "by_league": [
            figures(league, clv[by_league == league]) for league in sorted(set(by_league.tolist()))
        ],
    }
