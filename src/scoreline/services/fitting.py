"""Fitting Dixon-Coles on stored results and registering the fitted model.

The fitted model goes to the model registry on disk (``models.registry``:
versioned, hashed, with its metadata) and a ``model_versions`` row records its
parameters, training window and fit figures and becomes the active version.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from scoreline.domain.fixtures import HistoryRow
from scoreline.errors import DataError
from scoreline.models import DixonColes
from scoreline.models.registry import ModelArtifact, ModelRegistry
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["FitSummary", "fit_dixon_coles"]

logger = logging.getLogger(__name__)

MODEL_NAME = "dixon-coles"


@dataclass(frozen=True, slots=True)
class FitSummary:
    """What a fit produced and where it is kept."""

    version: str
    matches: int
    teams: int
    log_likelihood: float
    converged: bool
    seconds: float
    artifact: Path


def fit_dixon_coles(
    unit_of_work: UnitOfWorkFactory,
    *,
    artifacts_dir: Path,
    competitions: Sequence[str] | None = None,
    as_of: datetime | None = None,
    xi: float = 0.0018,
) -> FitSummary:
    """Fit on every finished match before ``as_of`` (default: now) and make it active."""
    as_of = as_of or datetime.now(UTC)
    with unit_of_work() as uow:
        rows = uow.fixtures.history(finished_only=True, competitions=competitions, before=as_of)
    if not rows:
        raise DataError(
            "no finished matches to fit on"
            + (f" in {', '.join(competitions)}" if competitions else "")
            + f" before {as_of:%Y-%m-%d}; load results first with `scoreline ingest`"
        )
    matches = pd.DataFrame.from_records(rows, columns=HistoryRow._fields)
    started = datetime.now(UTC)
    model = DixonColes(xi=xi).fit(matches)
    seconds = (datetime.now(UTC) - started).total_seconds()
    trained_from = min(r.date for r in rows).date()
    trained_to = max(r.date for r in rows).date()
    metrics = {
        "log_likelihood": float(model.log_likelihood_),
        "converged": bool(model.converged_),
        "matches": len(rows),
        "fit_seconds": seconds,
    }
    registry = ModelRegistry(artifacts_dir)
    version = registry.save(
        ModelArtifact(
            name=MODEL_NAME,
            params=_params(model, competitions),
            feature_names=[],
            trained_from=trained_from,
            trained_to=trained_to,
            seed=0,
            estimators={"dixon_coles": model},
            metrics=metrics,
        )
    )
    artifact = registry.path(MODEL_NAME, version)
    with unit_of_work() as uow:
        version_id = uow.model_versions.add(
            name=MODEL_NAME,
            version=version,
            created_at=datetime.now(UTC),
            trained_from=trained_from,
            trained_to=trained_to,
            params=_params(model, competitions),
            metrics=metrics,
            artifact_path=str(artifact),
        )
        # One version serves platform-wide (services.model_versions): this fit replaces it.
        uow.model_versions.activate(version_id)
        uow.commit()
    logger.info("fitted %s %s on %d matches in %.2fs", MODEL_NAME, version, len(rows), seconds)
    return FitSummary(
        version=version,
        matches=len(rows),
        teams=len(model.teams_),
        log_likelihood=float(model.log_likelihood_),
        converged=bool(model.converged_),
        seconds=seconds,
        artifact=artifact,
    )


def _params(model: DixonColes, competitions: Sequence[str] | None) -> dict[str, Any]:
    return {
        "xi": model.xi,
        "competitions": list(competitions or []),
        "home_advantage": float(model.home_advantage_),
        "rho": float(model.rho_),
        "teams": len(model.teams_),
    }
