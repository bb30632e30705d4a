"""Model health from settled matches: calibration by bins, rolling scores against the market, drift.

The record is the platform's, not one version's: each finished match is judged
on the prediction that served it (the latest made before kick-off, by whichever
version was active then), and ``versions`` splits it by version. A refit or a
roll-back adds a version and leaves the record of the matches already played
as it was; only the drift is the active version's (it compares that version's
recent predictions with its own training reference).

``health`` reads what it needs in a bounded number of queries, whatever the
window holds, and hands arrays to the pure computations below it, so the numbers
can be checked by hand. Every probability matrix has shape (n, 3), columns home,
draw, away; ``outcomes`` has shape (n,) with 0 home win, 1 draw, 2 away win.
The market's rows are NaN where a match had no usable prices.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from scoreline.domain.bookmakers import AVERAGE, MAXIMUM, SHARP
from scoreline.domain.odds import OddsRecord, PriceKind
from scoreline.errors import ScorelineError
from scoreline.models.drift import ReferenceDistribution
from scoreline.models.registry import ModelRegistry
from scoreline.pricing import scoring
from scoreline.pricing.devig import remove_margin
from scoreline.storage.repositories.predictions import SettledPrediction
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "DRIFT_SAMPLE",
    "DRIFT_THRESHOLD",
    "OUTCOMES",
    "WATCH_THRESHOLD",
    "Drift",
    "DriftStatus",
    "HealthReport",
    "ReliabilityBin",
    "RollingPoint",
    "RollingScore",
    "VersionRecord",
    "drift_status",
    "health",
    "market_prices",
    "market_probabilities",
    "prediction_drift",
    "reliability_bins",
    "rolling_scores",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DriftStatus = Literal["stable", "watch", "drift", "unknown"]
Outcome = Literal["home", "draw", "away"]

OUTCOMES: tuple[Outcome, Outcome, Outcome] = ("home", "draw", "away")
WATCH_THRESHOLD = 0.1  # the usual PSI reading (models.drift.psi): a moderate shift from here
DRIFT_THRESHOLD = 0.25  # and a major one from here
# A forecast of exactly 0 for what happened has an infinite log loss, which JSON
# cannot carry and which would swamp every mean it enters; cap it at -log(1e-15).
_MAX_LOG_LOSS = -math.log(1e-15)
DRIFT_SAMPLE = 500  # recent predictions whose home probabilities the PSI compares
# The 1X2 prices the market is judged by, best first; any other bookmaker's pre-match
# prices come last, and MAX (no one book's prices) never.
_MARKET_RANKS = {
    (SHARP, PriceKind.CLOSING.value): 0,
    (AVERAGE, PriceKind.CLOSING.value): 1,
    (SHARP, PriceKind.PREMATCH.value): 2,
    (AVERAGE, PriceKind.PREMATCH.value): 3,
}
_ANY_PREMATCH = len(_MARKET_RANKS)


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """The forecasts of one outcome falling in ``[bin_low, bin_high)`` (the last bin closed)."""

    selection: Outcome
    bin_low: float
    bin_high: float
    predicted_mean: float
    observed_rate: float
    count: int


@dataclass(frozen=True, slots=True)
class RollingScore:
    """Mean scores of the ``n`` matches ending at position ``end`` (inclusive)."""

    end: int
    n: int
    rps_model: float
    rps_market: float | None
    log_loss_model: float
    log_loss_market: float | None


@dataclass(frozen=True, slots=True)
class Drift:
    """PSI of recent home probabilities, how many there were, and what it means."""

    prediction_psi: float | None
    n_recent: int
    status: DriftStatus


@dataclass(frozen=True, slots=True)
class RollingPoint:
    """Mean scores of the ``n`` matches up to the one kicking off ``at`` (lower is better)."""

    at: datetime
    n: int
    rps_model: float
    rps_market: float | None
    log_loss_model: float
    log_loss_market: float | None


@dataclass(frozen=True, slots=True)
class VersionRecord:
    """The finished matches of the window one model version served, and its mean scores
    on them against the market's (None where none of them had prices)."""

    model: str
    version: str
    n_matches: int
    rps_model: float
    rps_market: float | None
    log_loss_model: float
    log_loss_market: float | None


@dataclass(frozen=True, slots=True)
class HealthReport:
    """How the served predictions did on the finished matches of a window, by version too,
    and whether the active model (``model``, ``version``) drifts; ``model`` is None (and
    everything empty) before any model is active."""

    model: str | None
    version: str | None
    window_start: datetime | None
    window_end: datetime | None
    n_matches: int
    reliability: list[ReliabilityBin]
    rolling: list[RollingPoint]
    drift: Drift
    versions: list[VersionRecord] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Settled:
    """Finished matches in kick-off order, with the model's and the market's 1X2 views."""

    kickoffs: list[datetime]
    model: FloatArray  # (n, 3)
    market: FloatArray  # (n, 3), NaN rows where unpriced
    outcomes: IntArray  # (n,)
    version_ids: IntArray  # (n,): the version whose prediction served each match


# -- the use case ---------------------------------------------------------------------------


def health(
    unit_of_work: UnitOfWorkFactory, *, days: int, window: int, artifacts_dir: Path
) -> HealthReport:
    """Calibration, rolling RPS and log loss against the closing market of the predictions
    that served, each version's share of them, and prediction drift of the active model,
    over the ``days`` before the latest finished match.

    The window is anchored on the data, not on today, so a database of past seasons
    still shows its last months. ``artifacts_dir`` is the model registry to find the
    training reference in when the version does not record where it was saved.
    """
    with unit_of_work() as uow:
        active = uow.model_versions.active()
        if active is None:
            return HealthReport(None, None, None, None, 0, [], [], Drift(None, 0, "unknown"))
        end = uow.fixtures.latest_finished_kickoff()
        start = None if end is None else end - timedelta(days=days)
        settled, quotes = [], []
        if start is not None and end is not None:
            settled = uow.predictions.list_settled(model_version_id=None, start=start, end=end)
            quotes = uow.odds.list_match_odds_of_finished(
                start=start,
                end=end,
                closing_from=(SHARP, AVERAGE),
                prematch_except=(MAXIMUM,),
            )
        recent_home = uow.predictions.list_recent_home_probabilities(
            model_version_id=active.id, limit=DRIFT_SAMPLE
        )
        names = {
            version_id: (found.name, found.version)
            for version_id in sorted({r.model_version_id for r in settled})
            if (found := uow.model_versions.get(version_id)) is not None
        }
    root = Path(active.artifact_path).parents[1] if active.artifact_path else artifacts_dir
    drift = prediction_drift(
        _reference(root, active.name, active.version), np.array(recent_home, dtype=np.float64)
    )
    matches = _settled(settled, market_prices(quotes))
    rolling = rolling_scores(matches.model, matches.market, matches.outcomes, window=window)
    return HealthReport(
        model=active.name,
        version=active.version,
        window_start=start,
        window_end=end,
        n_matches=len(matches.kickoffs),
        reliability=reliability_bins(matches.model, matches.outcomes),
        rolling=[
            RollingPoint(
                at=matches.kickoffs[p.end],
                n=p.n,
                rps_model=p.rps_model,
                rps_market=p.rps_market,
                log_loss_model=p.log_loss_model,
                log_loss_market=p.log_loss_market,
            )
            for p in rolling
        ],
        drift=drift,
        versions=_version_records(matches, names),
    )


def _version_records(matches: _Settled, names: dict[int, tuple[str, str]]) -> list[VersionRecord]:
    """Each version's share of the served record, in the order versions first served."""
    records = []
    order = dict.fromkeys(int(v) for v in matches.version_ids)  # first-served order
    for version_id in order:
        rows = matches.version_ids == version_id
        model_rps, model_ll = _scores(matches.model[rows], matches.outcomes[rows])
        priced = np.isfinite(matches.market[rows]).all(axis=1)
        market_rps = market_ll = None
        if priced.any():
            q_rps, q_ll = _scores(matches.market[rows][priced], matches.outcomes[rows][priced])
            market_rps, market_ll = float(q_rps.mean()), float(q_ll.mean())
        name, version = names.get(version_id, ("unknown", str(version_id)))
        records.append(
            VersionRecord(
                model=name,
                version=version,
                n_matches=int(rows.sum()),
                rps_model=float(model_rps.mean()),
                rps_market=market_rps,
                log_loss_model=float(model_ll.mean()),
                log_loss_market=market_ll,
            )
        )
    return records


def _settled(rows: Sequence[SettledPrediction], prices: dict[int, tuple[float, ...]]) -> _Settled:
    model = np.array([r.probabilities for r in rows], dtype=np.float64).reshape(-1, 3)
    model /= model.sum(axis=1, keepdims=True)  # stored rounded: make each row sum to 1 exactly
    odds = np.array([prices.get(r.fixture_id, (np.nan,) * 3) for r in rows], dtype=np.float64)
    return _Settled(
        kickoffs=[r.kickoff for r in rows],
        model=model,
        market=market_probabilities(odds.reshape(-1, 3)),
        outcomes=np.array([_outcome(r.home_goals, r.away_goals) for r in rows], dtype=np.int64),
        version_ids=np.array([r.model_version_id for r in rows], dtype=np.int64),
    )


def market_prices(quotes: Sequence[OddsRecord]) -> dict[int, tuple[float, ...]]:
    """Per fixture, the 1X2 prices the market is judged by: Pinnacle's closing, else the
    closing average, else Pinnacle's, the average's or any bookmaker's pre-match."""
    best: dict[int, tuple[int, tuple[float, ...]]] = {}
    for quote in quotes:  # by id: a later snapshot of a rank wins
        quoted = (quote.prices.get(outcome) for outcome in OUTCOMES)
        prices = tuple(float(p) for p in quoted if p is not None)
        if len(prices) != 3 or min(prices) <= 1:
            continue
        rank = _MARKET_RANKS.get((quote.bookmaker, quote.kind), _ANY_PREMATCH)
        if quote.fixture_id not in best or rank <= best[quote.fixture_id][0]:
            best[quote.fixture_id] = (rank, prices)
    return {fixture_id: prices for fixture_id, (_, prices) in best.items()}


def _outcome(home_goals: int, away_goals: int) -> int:
    return 0 if home_goals > away_goals else 1 if home_goals == away_goals else 2


_references: dict[tuple[str, str, str], ReferenceDistribution | None] = {}
_references_lock = threading.Lock()


def _reference(root: Path, name: str, version: str) -> ReferenceDistribution | None:
    """The training reference saved with a model version, loaded once per process.

    Versions never change once saved, so what is found (or found missing in a
    readable artifact) is kept; a version that cannot be read is tried again next
    time, as it may yet be copied in.
    """
    key = (str(root), name, version)
    with _references_lock:
        if key in _references:
            return _references[key]
    try:
        artifact = ModelRegistry(root).load(name, version)
    except ScorelineError as error:
        logger.warning("no drift reference for model %s %s: %s", name, version, error)
        return None
    found = artifact.estimators.get("reference")
    reference = found if isinstance(found, ReferenceDistribution) else None
    with _references_lock:
        _references[key] = reference
    return reference


# -- the arithmetic -------------------------------------------------------------------------


def reliability_bins(
    probabilities: npt.ArrayLike, outcomes: npt.ArrayLike, *, n_bins: int = 10
) -> list[ReliabilityBin]:
    """Equal-width bins of each outcome's forecasts; empty bins are left out.

    Edges are ``b / n_bins`` exactly (not ``linspace``, whose 0.6 is
    0.6000000000000001), so a forecast of 0.6 opens the bin [0.6, 0.7) as a
    reader of the chart expects; 1.0 falls in the last bin.
    """
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1, 3)
    y = np.asarray(outcomes, dtype=np.int64)
    edges = np.arange(n_bins + 1) / n_bins
    out: list[ReliabilityBin] = []
    for j, selection in enumerate(OUTCOMES):
        bins = np.searchsorted(edges[1:-1], p[:, j], side="right")
        counts = np.bincount(bins, minlength=n_bins)
        summed = np.bincount(bins, weights=p[:, j], minlength=n_bins)
        hits = np.bincount(bins, weights=(y == j).astype(np.float64), minlength=n_bins)
        out.extend(
            ReliabilityBin(
                selection=selection,
                bin_low=float(edges[b]),
                bin_high=float(edges[b + 1]),
                predicted_mean=float(summed[b] / counts[b]),
                observed_rate=float(hits[b] / counts[b]),
                count=int(counts[b]),
            )
            for b in range(n_bins)
            if counts[b] > 0
        )
    return out


def rolling_scores(
    model: npt.ArrayLike, market: npt.ArrayLike, outcomes: npt.ArrayLike, *, window: int
) -> list[RollingScore]:
    """Mean RPS and log loss over each run of ``window`` consecutive matches, model and market.

    One point per match from the ``window``-th on. The market is averaged over
    the matches of the window that had prices (as ``models.drift.RollingScores``
    does), and is None when none had.
    """
    p = np.asarray(model, dtype=np.float64).reshape(-1, 3)
    q = np.asarray(market, dtype=np.float64).reshape(-1, 3)
    y = np.asarray(outcomes, dtype=np.int64)
    n = len(p)
    if n < window or n == 0:
        return []
    model_rps, model_ll = _scores(p, y)  # each of shape (n,)
    priced = np.asarray(np.isfinite(q).all(axis=1), dtype=np.bool_)
    market_rps: FloatArray = np.zeros(n)
    market_ll: FloatArray = np.zeros(n)
    if priced.any():
        market_rps[priced], market_ll[priced] = _scores(q[priced], y[priced])

    def window_sums(values: FloatArray) -> FloatArray:
        total = np.concatenate([[0.0], np.cumsum(values)])
        sums: FloatArray = total[window:] - total[:-window]
        return sums

    rps_sum, ll_sum = window_sums(model_rps), window_sums(model_ll)
    market_rps_sum, market_ll_sum = window_sums(market_rps), window_sums(market_ll)
    market_n = window_sums(priced.astype(np.float64))
    points = []
    for k in range(n - window + 1):
        has_market = market_n[k] > 0
        points.append(
            RollingScore(
                end=k + window - 1,
                n=window,
                rps_model=float(rps_sum[k] / window),
                rps_market=float(market_rps_sum[k] / market_n[k]) if has_market else None,
                log_loss_model=float(ll_sum[k] / window),
                log_loss_market=float(market_ll_sum[k] / market_n[k]) if has_market else None,
            )
        )
    return points


def market_probabilities(odds: npt.ArrayLike) -> FloatArray:
    """De-margined 1X2 probabilities (power method, as the features use), shape (n, 3).

    Rows whose prices are missing or not all above 1 stay NaN instead of
    failing the batch.
    """
    prices = np.asarray(odds, dtype=np.float64).reshape(-1, 3)
    out = np.full(prices.shape, np.nan)
    usable = (np.isfinite(prices) & (prices > 1)).all(axis=1)
    if usable.any():
        out[usable] = remove_margin(prices[usable], method="power")
    return out


def drift_status(value: float | None) -> DriftStatus:
    """Stable below 0.1, watch up to 0.25, drift from there; unknown without a value."""
    if value is None or not math.isfinite(value):
        return "unknown"
    if value < WATCH_THRESHOLD:
        return "stable"
    return "watch" if value < DRIFT_THRESHOLD else "drift"


def prediction_drift(
    reference: ReferenceDistribution | None, home_probabilities: npt.ArrayLike
) -> Drift:
    """PSI of the recent home probabilities against the training reference's ``home`` column.

    Unknown when the model was saved without a reference for its home
    probability (a Dixon-Coles fit keeps none) or there is nothing recent.
    """
    recent = np.asarray(home_probabilities, dtype=np.float64).ravel()
    if reference is None or "home" not in reference.columns or len(recent) == 0:
        return Drift(None, len(recent), "unknown")
    value = reference.psi_of("home", recent)
    if not math.isfinite(value):
        return Drift(None, len(recent), "unknown")
    return Drift(value, len(recent), drift_status(value))


def _scores(probabilities: FloatArray, outcomes: IntArray) -> tuple[FloatArray, FloatArray]:
    rps = scoring.rps_per_row(probabilities, outcomes)
    log_loss = scoring.log_loss_per_row(probabilities, outcomes)
    return rps, np.minimum(log_loss, _MAX_LOG_LOSS)
