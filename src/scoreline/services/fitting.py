"""Fitting Dixon-Coles on stored results and registering the fitted model.

The fitted model is pickled under the artifacts folder and a ``model_versions``
row records its parameters, training window and fit figures, and becomes the
active version of its name.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import select, update

from scoreline.errors import DataError, NotFoundError
from scoreline.models import DixonColes
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
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    version = f"{as_of:%Y%m%dT%H%M%S}-{hashlib.sha256(blob).hexdigest()[:10]}"
    artifacts_dir.mkdir(parents=True, exist_ok=True)
    artifact = artifacts_dir / f"{MODEL_NAME}-{version}.pkl"
    artifact.write_bytes(blob)
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
                trained_from=min(r["date"] for r in rows).date(),
                trained_to=max(r["date"] for r in rows).date(),
                params=_params(model, competitions),
                metrics={
                    "log_likelihood": float(model.log_likelihood_),
                    "converged": bool(model.converged_),
                    "matches": len(rows),
                    "fit_seconds": seconds,
                },
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


def load_active(unit_of_work: Callable[[], UnitOfWork]) -> tuple[str, DixonColes]:
    """The active Dixon-Coles version and its fitted model."""
    with unit_of_work() as uow:
        row = uow.session.scalar(
            select(ModelVersion).where(
                ModelVersion.name == MODEL_NAME, ModelVersion.is_active.is_(True)
            )
        )
        if row is None or row.artifact_path is None:
            raise NotFoundError("no fitted Dixon-Coles model yet; run `scoreline fit` first")
        version, path = row.version, Path(row.artifact_path)
    if not path.exists():
        raise NotFoundError(f"model {MODEL_NAME} {version}: artifact {path} is missing; refit")
    model = pickle.loads(path.read_bytes())
    if not isinstance(model, DixonColes):
        raise NotFoundError(f"{path} does not hold a Dixon-Coles model")
    return version, model
