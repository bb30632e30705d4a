"""Model health: reliability, rolling scores against the market and drift of the active model.

A bounded number of queries per request, whatever the window holds.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from scoreline.api.routes.common import Reader, State
from scoreline.api.schemas.models import DriftOut, ModelHealth, ReliabilityBin, RollingPoint
from scoreline.errors import ScorelineError
from scoreline.models.drift import ReferenceDistribution
from scoreline.models.registry import ModelRegistry
from scoreline.services import model_health
from scoreline.storage.tables import (
    Bookmaker,
    FixtureRow,
    ModelVersion,
    OddsRow,
    PredictionRow,
    ResultRow,
)

router = APIRouter(tags=["models"])
logger = logging.getLogger(__name__)


DRIFT_SAMPLE = 500  # recent predictions whose home probabilities the PSI compares


@dataclass(frozen=True, slots=True)
class _Settled:
    """Finished matches in kick-off order, with the model's and the market's 1X2 views."""

    kickoffs: list[datetime]
    model: np.ndarray[Any, np.dtype[np.float64]]  # (n, 3)
    market: np.ndarray[Any, np.dtype[np.float64]]  # (n, 3), NaN rows where unpriced
    outcomes: np.ndarray[Any, np.dtype[np.int64]]  # (n,)


@router.get("/models/health", response_model=ModelHealth)
def health(
    state: State,
    _: Reader,
    days: Annotated[int, Query(ge=1, le=3660)] = 90,
    window: Annotated[int, Query(ge=1, le=2000)] = 50,
) -> ModelHealth:
    """Calibration, rolling RPS and log loss against the closing market, and prediction drift
    of the active model, over the ``days`` before the latest finished match.

    The window is anchored on the data, not on today, so a database of past
    seasons still shows its last months.
    """
    with state.unit_of_work() as uow:
        session = uow.session
        active = session.execute(
            select(
                ModelVersion.id, ModelVersion.name, ModelVersion.version, ModelVersion.artifact_path
            )
            .where(ModelVersion.is_active.is_(True))
            .order_by(ModelVersion.id.desc())
            .limit(1)
        ).first()
        if active is None:
            return ModelHealth(
                model=None,
                version=None,
                window_start=None,
                window_end=None,
                n_matches=0,
                reliability=[],
                rolling=[],
                drift=DriftOut(prediction_psi=None, n_recent=0, status="unknown"),
            )
        version_id, name, version, artifact_path = active
        end = session.scalar(
            select(func.max(FixtureRow.kickoff_utc))
            .join(ResultRow, ResultRow.fixture_id == FixtureRow.id)
            .where(FixtureRow.status == "finished")
        )
        start = None if end is None else end - timedelta(days=days)
        settled = _settled(session, version_id, start, end)
        recent_home = session.scalars(
            select(PredictionRow.p_home)
            .where(PredictionRow.model_version_id == version_id)
            .order_by(PredictionRow.id.desc())
            .limit(DRIFT_SAMPLE)
        ).all()
    registry_root = (
        Path(artifact_path).parents[1] if artifact_path else state.settings.data_dir / "models"
    )
    drift = model_health.prediction_drift(
        _reference(registry_root, name, version), np.array(recent_home, dtype=np.float64)
    )
    return ModelHealth(
        model=name,
        version=version,
        window_start=start,
        window_end=end,
        n_matches=len(settled.kickoffs),
        reliability=[
            ReliabilityBin.model_validate(b, from_attributes=True)
            for b in model_health.reliability_bins(settled.model, settled.outcomes)
        ],
        rolling=[
            RollingPoint(
                at=settled.kickoffs[p.end],
                n=p.n,
                rps_model=p.rps_model,
                rps_market=p.rps_market,
                log_loss_model=p.log_loss_model,
                log_loss_market=p.log_loss_market,
            )
            for p in model_health.rolling_scores(
                settled.model, settled.market, settled.outcomes, window=window
            )
        ],
        drift=DriftOut(
            prediction_psi=drift.prediction_psi, n_recent=drift.n_recent, status=drift.status
        ),
    )


def _settled(
    session: Session, version_id: int, start: datetime | None, end: datetime | None
) -> _Settled:
    """Finished matches kicking off in [start, end] with the model's latest prediction made
    before kick-off (else its latest at all), and the market's; two queries."""
    if start is None or end is None:
        return _Settled([], np.empty((0, 3)), np.empty((0, 3)), np.empty(0, dtype=np.int64))
    in_window = (
        FixtureRow.status == "finished",
        FixtureRow.kickoff_utc >= start,
        FixtureRow.kickoff_utc <= end,
    )
    chosen = (
        select(
            PredictionRow.fixture_id.label("fixture_id"),
            func.max(
                case((PredictionRow.created_at < FixtureRow.kickoff_utc, PredictionRow.id))
            ).label("before"),
            func.max(PredictionRow.id).label("latest"),
        )
        .join(FixtureRow, FixtureRow.id == PredictionRow.fixture_id)
        .where(PredictionRow.model_version_id == version_id, *in_window)
        .group_by(PredictionRow.fixture_id)
        .subquery()
    )
    rows = session.execute(
        select(
            FixtureRow.id,
            FixtureRow.kickoff_utc,
            ResultRow.home_goals,
            ResultRow.away_goals,
            PredictionRow.p_home,
            PredictionRow.p_draw,
            PredictionRow.p_away,
        )
        .join(chosen, chosen.c.fixture_id == FixtureRow.id)
        .join(ResultRow, ResultRow.fixture_id == FixtureRow.id)
        .join(PredictionRow, PredictionRow.id == func.coalesce(chosen.c.before, chosen.c.latest))
        .order_by(FixtureRow.kickoff_utc, FixtureRow.id)
    ).all()
    model = np.array([r[4:7] for r in rows], dtype=np.float64).reshape(-1, 3)
    model /= model.sum(axis=1, keepdims=True)  # stored rounded: make each row sum to 1 exactly
    prices = _market_prices(session, in_window)
    odds = np.array([prices.get(r[0], (np.nan,) * 3) for r in rows], dtype=np.float64)
    return _Settled(
        kickoffs=[r[1] for r in rows],
        model=model,
        market=model_health.market_probabilities(odds.reshape(-1, 3)),
        outcomes=np.array([_outcome(r[2], r[3]) for r in rows], dtype=np.int64),
    )


def _market_prices(session: Session, in_window: tuple[Any, ...]) -> dict[int, tuple[float, ...]]:
    """Per fixture, the 1X2 prices the market is judged by: Pinnacle's closing, else the
    closing average, else Pinnacle's, the average's or any bookmaker's pre-match (never MAX,
    which is no one book's prices)."""
    rows = session.execute(
        select(
            OddsRow.fixture_id,
            Bookmaker.code,
            OddsRow.kind,
            OddsRow.home,
            OddsRow.draw,
            OddsRow.away,
        )
        .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
        .join(FixtureRow, FixtureRow.id == OddsRow.fixture_id)
        .where(
            OddsRow.market == "1x2",
            *in_window,
            or_(
                and_(OddsRow.kind == "closing", Bookmaker.code.in_(("PS", "AVG"))),
                and_(OddsRow.kind == "prematch", Bookmaker.code != "MAX"),
            ),
        )
        .order_by(OddsRow.id)
    ).all()
    ranks = {("PS", "closing"): 0, ("AVG", "closing"): 1, ("PS", "prematch"): 2}
    ranks[("AVG", "prematch")] = 3
    best: dict[int, tuple[int, tuple[float, ...]]] = {}
    for fixture_id, code, kind, *quoted in rows:  # by id: a later snapshot of a rank wins
        prices = tuple(float(p) for p in quoted if p is not None)
        if len(prices) != 3 or min(prices) <= 1:
            continue
        rank = ranks.get((code, kind), 4)
        if fixture_id not in best or rank <= best[fixture_id][0]:
            best[fixture_id] = (rank, prices)
    return {fixture_id: prices for fixture_id, (_, prices) in best.items()}


def _outcome(home_goals: int, away_goals: int) -> int:
    return 0 if home_goals > away_goals else 1 if home_goals == away_goals else 2


_references: dict[tuple[str, str, str], ReferenceDistribution | None] = {}
_references_lock = threading.Lock()


def _reference(root: Path, name: str, version: str) -> ReferenceDistribution | None:
    """The training reference saved with a model version, loaded once per process.

    Versions never change once saved, so what is found (or found missing in a
    readable artifact) is kept; a version that cannot be read is tried again
    next time, as it may yet be copied in.
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
