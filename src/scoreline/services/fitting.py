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
        # One version serves platform-wide (services.serving): this fit replaces it.
        session.execute(update(ModelVersion).values(is_active=False))
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
) -> tuple[str, str, DixonColes]:
    """The active (name, version) and its Dixon-Coles fit (ensembles carry one), checked."""
    with unit_of_work() as uow:
        row = uow.session.execute(
            select(ModelVersion.name, ModelVersion.version)
            .where(ModelVersion.is_active.is_(True))
            .order_by(ModelVersion.id.desc())
            .limit(1)
        ).first()
    if row is None:
        raise NotFoundError("no fitted Dixon-Coles model yet; run `scoreline fit` first")
    name, version = row
    artifact = ModelRegistry(artifacts_dir).load(name, version)
    model = artifact.estimators.get("dixon_coles")
    if not isinstance(model, DixonColes):
        raise NotFoundError(f"model {name} {version} holds no Dixon-Coles estimator")
    return name, version, model
