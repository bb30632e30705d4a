"""Fitting Dixon-Coles on stored results and registering the fitted model.

The fitted model goes to the model registry on disk (``models.registry``:
versioned, hashed, with its metadata) and a ``model_versions`` row records its
parameters, training window and fit figures and becomes the active version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select, update

from scoreline.errors import DataError, NotFoundError
from scoreline.models import DixonColes
from scoreline.models.registry import ModelArtifact, ModelRegistry
from scoreline.storage.db import UnitOfWork
from scoreline.storage.repositories import fixtures as fixture_repo
from scoreline.storage.tables import ModelVersion

__all__ = ["FitSummary", "fit_dixon_coles", "load_active"]

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
    unit_of_work: Callable[[], UnitOfWork],
    *,
    artifacts_dir: Path,
    competitions: Sequence[str] | None = None,
    as_of: datetime | None = None,
    xi: float = 0.0018,
) -> FitSummary:
    """Fit on every finished match before ``as_of`` (default: now) and make it active."""
    as_of = as_of or datetime.now(UTC)
    with unit_of_work() as uow:
        rows = fixture_repo.list_finished(uow.session, competitions=competitions, before=as_of)
    if not rows:
        raise DataError(
            "no finished matches to fit on"
            + (f" in {', '.join(competitions)}" if competitions else "")
            + f" before {as_of:%Y-%m-%d}; load results first with `scoreline ingest`"
        )
    matches = pd.DataFrame(rows)
    started = datetime.now(UTC)
    model = DixonColes(xi=xi).fit(matches)
    seconds = (datetime.now(UTC) - started).total_seconds()
    trained_from = min(r["date"] for r in rows).date()
    trained_to = max(r["date"] for r in rows).date()
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
        session = uow.session
        session.execute(
            update(ModelVersion).where(ModelVersion.name == MODEL_NAME).values(is_active=False)
        )
        session.add(
            ModelVersion(
                name=MODEL_NAME,
                version=version,
                created_at=datetime.now(UTC),
                trained_from=trained_from,
                trained_to=trained_to,
                params=_params(model, competitions),
                metrics=metrics,
                artifact_path=str(artifact),
                is_active=True,
            )
        )
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


def load_active(
    unit_of_work: Callable[[], UnitOfWork], *, artifacts_dir: Path
) -> tuple[str, DixonColes]:
    """The active Dixon-Coles version and its fitted model, checked against its hash."""
    with unit_of_work() as uow:
        version = uow.session.scalar(
            select(ModelVersion.version).where(
                ModelVersion.name == MODEL_NAME, ModelVersion.is_active.is_(True)
            )
        )
    if version is None:
        raise NotFoundError("no fitted Dixon-Coles model yet; run `scoreline fit` first")
    artifact = ModelRegistry(artifacts_dir).load(MODEL_NAME, version)
    model = artifact.estimators.get("dixon_coles")
    if not isinstance(model, DixonColes):
        raise NotFoundError(f"model {MODEL_NAME} {version} holds no Dixon-Coles estimator")
    return version, model
