"""Fitting on stored results and registering the fitted model.

The fitted model goes to the model registry on disk (``models.registry``:
versioned, hashed, with its metadata) and a ``model_versions`` row records its
parameters, training window and fit figures and becomes the active version.

Both fits read ``FixtureRepository.history``: finished matches that kicked off
before ``as_of`` on the wall clock, each dated by when it was really played (a
replayed match keeps its historical date), so the training window and the time
decay are history's. ``fit_dixon_coles`` fits Dixon-Coles alone;
``refit_ensemble`` refits an ensemble's Dixon-Coles member and keeps the rest
(XGBoost, the blends, the calibrators), as the walk-forward refits the ratings
more often than the members trained on them.
"""

from __future__ import annotations

import dataclasses
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

__all__ = ["FitSummary", "fit_dixon_coles", "refit_ensemble"]

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
    rows = _finished(unit_of_work, competitions, as_of or datetime.now(UTC))
    matches = pd.DataFrame.from_records(rows, columns=HistoryRow._fields)
    started = datetime.now(UTC)
    model = DixonColes(xi=xi).fit(matches)
    seconds = (datetime.now(UTC) - started).total_seconds()
    artifact = ModelArtifact(
        name=MODEL_NAME,
        params=_params(model, competitions),
        feature_names=[],
        trained_from=min(r.date for r in rows).date(),
        trained_to=max(r.date for r in rows).date(),
        seed=0,
        estimators={"dixon_coles": model},
        metrics=_fit_metrics(model, len(rows), seconds),
    )
    return _register(
        unit_of_work, artifacts_dir, artifact, model=model, matches=len(rows), seconds=seconds
    )


def refit_ensemble(
    unit_of_work: UnitOfWorkFactory,
    *,
    artifacts_dir: Path,
    name: str,
    version: str,
    as_of: datetime | None = None,
) -> FitSummary:
    """A new version of the ensemble ``name`` ``version`` whose Dixon-Coles member is refitted
    (same hyperparameters) on every finished match before ``as_of`` (default: now), the
    other members kept; registered and made active.

    The ratings are what a new result changes; XGBoost, the blends and the
    calibrators were trained on point-in-time ratings of many refits, so they
    take a refreshed member as the walk-forward's weeks between their refits do.
    """
    registry = ModelRegistry(artifacts_dir)
    parent = registry.load(name, version)
    member = parent.estimators.get("dixon_coles")
    if not isinstance(member, DixonColes):
        raise DataError(f"model {name} {version} holds no Dixon-Coles member to refit")
    rows = _finished(unit_of_work, None, as_of or datetime.now(UTC))
    matches = pd.DataFrame.from_records(rows, columns=HistoryRow._fields)
    started = datetime.now(UTC)
    model = DixonColes(
        xi=member.xi, max_goals=member.max_goals, prior_strength=member.prior_strength
    ).fit(matches)
    seconds = (datetime.now(UTC) - started).total_seconds()
    artifact = dataclasses.replace(
        parent,
        params=parent.params | {"refit_of": version, "refitted": ["dixon_coles"]},
        trained_from=min(r.date for r in rows).date(),
        trained_to=max(r.date for r in rows).date(),
        estimators=parent.estimators | {"dixon_coles": model},
        metrics=parent.metrics | {"refit": _fit_metrics(model, len(rows), seconds)},
        version=None,
        created_at=None,
        code_version=None,
        git_commit=None,
    )
    return _register(
        unit_of_work, artifacts_dir, artifact, model=model, matches=len(rows), seconds=seconds
    )


def _finished(
    unit_of_work: UnitOfWorkFactory, competitions: Sequence[str] | None, as_of: datetime
) -> list[HistoryRow]:
    """Finished matches that kicked off before ``as_of``, dated when really played;
    ``DataError`` when there are none."""
    with unit_of_work() as uow:
        rows = uow.fixtures.history(finished_only=True, competitions=competitions, before=as_of)
    if not rows:
        raise DataError(
            "no finished matches to fit on"
            + (f" in {', '.join(competitions)}" if competitions else "")
            + f" before {as_of:%Y-%m-%d}; load results first with `scoreline ingest`"
        )
    return rows


def _fit_metrics(model: DixonColes, matches: int, seconds: float) -> dict[str, Any]:
    return {
        "log_likelihood": float(model.log_likelihood_),
        "converged": bool(model.converged_),
        "matches": matches,
        "fit_seconds": seconds,
    }


def _register(
    unit_of_work: UnitOfWorkFactory,
    artifacts_dir: Path,
    artifact: ModelArtifact,
    *,
    model: DixonColes,
    matches: int,
    seconds: float,
) -> FitSummary:
    """Save ``artifact``, record its version and make it the active one."""
    registry = ModelRegistry(artifacts_dir)
    version = registry.save(artifact)
    path = registry.path(artifact.name, version)
    with unit_of_work() as uow:
        version_id = uow.model_versions.add(
            name=artifact.name,
            version=version,
            created_at=datetime.now(UTC),
            trained_from=artifact.trained_from,
            trained_to=artifact.trained_to,
            params=artifact.params,
            metrics=artifact.metrics,
            artifact_path=str(path),
        )
        # One version serves platform-wide (services.model_versions): this fit replaces it.
        uow.model_versions.activate(version_id)
        uow.commit()
    logger.info("fitted %s %s on %d matches in %.2fs", artifact.name, version, matches, seconds)
    return FitSummary(
        version=version,
        matches=matches,
        teams=len(model.teams_),
        log_likelihood=float(model.log_likelihood_),
        converged=bool(model.converged_),
        seconds=seconds,
        artifact=path,
    )


def _params(model: DixonColes, competitions: Sequence[str] | None) -> dict[str, Any]:
    return {
        "xi": model.xi,
        "competitions": list(competitions or []),
        "home_advantage": float(model.home_advantage_),
        "rho": float(model.rho_),
        "teams": len(model.teams_),
    }
