"""Which model version serves, and loading it for the live worker.

One version is active platform-wide: ``scoreline fit`` activates the
Dixon-Coles fit it saves, ``activate_model`` any registered version (an
ensemble from ``scoreline backtest --register``, or an older version to roll
back to). The worker loads the active one and switches when told to.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select, update

from scoreline.errors import NotFoundError
from scoreline.models.drift import ReferenceDistribution
from scoreline.models.registry import ModelRegistry
from scoreline.models.serving import LiveModel
from scoreline.storage.db import UnitOfWork
from scoreline.storage.tables import ModelVersion

__all__ = ["activate_model", "active_version", "load_live_model"]


def activate_model(
    unit_of_work: Callable[[], UnitOfWork], *, artifacts_dir: Path, name: str, version: str
) -> int:
    """Make a registered version the active one (registering its row if new); its row id."""
    registry = ModelRegistry(artifacts_dir)
    metadata = registry.metadata(name, version)  # NotFoundError names what is missing
    with unit_of_work() as uow:
        session = uow.session
        row = session.scalar(
            select(ModelVersion).where(ModelVersion.name == name, ModelVersion.version == version)
        )
        if row is None:
            row = ModelVersion(
                name=name,
                version=version,
                created_at=datetime.now(UTC),
                trained_from=_date(metadata.get("trained_from")),
                trained_to=_date(metadata.get("trained_to")),
                params=metadata.get("params", {}),
                metrics=metadata.get("metrics", {}),
                artifact_path=str(registry.path(name, version)),
                is_active=False,
            )
            session.add(row)
            session.flush()
        session.execute(update(ModelVersion).values(is_active=False))
        row.is_active = True
        uow.commit()
        return row.id


def active_version(unit_of_work: Callable[[], UnitOfWork]) -> tuple[int, str, str]:
    """(row id, name, version) of the active model; ``NotFoundError`` when there is none."""
    with unit_of_work() as uow:
        row = uow.session.execute(
            select(ModelVersion.id, ModelVersion.name, ModelVersion.version)
            .where(ModelVersion.is_active.is_(True))
            .order_by(ModelVersion.id.desc())
            .limit(1)
        ).first()
    if row is None:
        raise NotFoundError(
            "no active model; run `scoreline fit`, or `scoreline models activate NAME VERSION`"
        )
    return row[0], row[1], row[2]


def load_live_model(
    unit_of_work: Callable[[], UnitOfWork], *, artifacts_dir: Path
) -> tuple[int, LiveModel, ReferenceDistribution | None]:
    """The active version ready to serve, and its training reference for drift (if saved)."""
    version_id, name, version = active_version(unit_of_work)
    artifact = ModelRegistry(artifacts_dir).load(name, version)
    reference = artifact.estimators.get("reference")
    return (
        version_id,
        LiveModel.from_artifact(artifact),
        reference if isinstance(reference, ReferenceDistribution) else None,
    )


def _date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    return date.fromisoformat(value)
