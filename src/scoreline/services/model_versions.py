"""Model versions: which one serves, making one serve, loading it, and refitting.

One version is active platform-wide. ``scoreline fit`` activates the
Dixon-Coles fit it saves, and a refit the new version of the kind that serves;
``activate`` makes any registered version the active one (an ensemble from
``scoreline backtest --register``, or an older version to roll back to).
Workers follow the active version on their own (``pipeline.worker``); the
gateway's admin API is the only place that changes it over the network. Every
question "which model serves?" is answered here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from scoreline.domain.predictions import ModelVersionRecord
from scoreline.errors import NotFoundError
from scoreline.models.drift import ReferenceDistribution
from scoreline.models.registry import ModelRegistry
from scoreline.models.serving import LiveModel
from scoreline.services import fitting
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "LoadedModel",
    "activate",
    "active",
    "active_id",
    "list_",
    "load_active",
    "loader",
    "refit",
]

_NO_ACTIVE = "no active model; run `scoreline fit`, or `scoreline models activate NAME VERSION`"


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """The active version ready to serve, with its training reference for drift (if saved)."""

    version_id: int
    model: LiveModel
    reference: ReferenceDistribution | None


def active(unit_of_work: UnitOfWorkFactory) -> ModelVersionRecord:
    """The version that serves; ``NotFoundError`` when none does yet."""
    with unit_of_work() as uow:
        found = uow.model_versions.active()
    if found is None:
        raise NotFoundError(_NO_ACTIVE)
    return found


def active_id(unit_of_work: UnitOfWorkFactory) -> int | None:
    """The row id of the version that serves, or None: what workers poll to follow it."""
    with unit_of_work() as uow:
        found = uow.model_versions.active()
    return None if found is None else found.id


def list_(
    unit_of_work: UnitOfWorkFactory, *, limit: int, offset: int
) -> tuple[list[ModelVersionRecord], int]:
    """Registered versions, newest first; and how many there are."""
    with unit_of_work() as uow:
        return uow.model_versions.list_(limit=limit, offset=offset)


def activate(
    unit_of_work: UnitOfWorkFactory, *, artifacts_dir: Path, name: str, version: str
) -> ModelVersionRecord:
    """Make a registered version the active one (recording it if the database does not know
    it yet); ``NotFoundError`` naming what is missing when the registry lacks it."""
    registry = ModelRegistry(artifacts_dir)
    metadata = registry.metadata(name, version)
    with unit_of_work() as uow:
        known = uow.model_versions.get_by_name(name=name, version=version)
        version_id = (
            known.id
            if known is not None
            else uow.model_versions.add(
                name=name,
                version=version,
                created_at=datetime.now(UTC),
                trained_from=_date(metadata.get("trained_from")),
                trained_to=_date(metadata.get("trained_to")),
                params=metadata.get("params", {}),
                metrics=metadata.get("metrics", {}),
                artifact_path=str(registry.path(name, version)),
            )
        )
        uow.model_versions.activate(version_id)
        uow.commit()
        record = uow.model_versions.get(version_id)
    assert record is not None  # just written
    return record


def load_active(unit_of_work: UnitOfWorkFactory, *, artifacts_dir: Path) -> LoadedModel:
    """The active version from the registry, ready to serve."""
    record = active(unit_of_work)
    artifact = ModelRegistry(artifacts_dir).load(record.name, record.version)
    reference = artifact.estimators.get("reference")
    return LoadedModel(
        record.id,
        LiveModel.from_artifact(artifact),
        reference if isinstance(reference, ReferenceDistribution) else None,
    )


def refit(unit_of_work: UnitOfWorkFactory, *, artifacts_dir: Path) -> ModelVersionRecord:
    """Refit the kind of model that serves on every finished match before now (true dates:
    a replayed match keeps its historical one), save it and make it the active version.

    An active ensemble gets its Dixon-Coles member refitted and keeps the rest
    (``fitting.refit_ensemble``); otherwise Dixon-Coles is fitted alone. Earlier
    versions and their predictions stay: model health keeps their record.
    ``DataError`` when there is nothing to fit on. Workers follow on their own.
    """
    with unit_of_work() as uow:
        serving = uow.model_versions.active()
    if serving is not None and serving.name == "ensemble":
        summary = fitting.refit_ensemble(
            unit_of_work,
            artifacts_dir=_registry_of(serving, artifacts_dir),
            name=serving.name,
            version=serving.version,
        )
        name = serving.name
    else:
        summary = fitting.fit_dixon_coles(unit_of_work, artifacts_dir=artifacts_dir)
        name = fitting.MODEL_NAME
    with unit_of_work() as uow:
        record = uow.model_versions.get_by_name(name=name, version=summary.version)
    assert record is not None  # just written
    return record


def loader(unit_of_work: UnitOfWorkFactory, *, artifacts_dir: Path) -> Callable[[], LoadedModel]:
    """What a worker calls to (re)load the active version, whenever it changes."""

    def load() -> LoadedModel:
        return load_active(unit_of_work, artifacts_dir=artifacts_dir)

    return load


def _registry_of(record: ModelVersionRecord, artifacts_dir: Path) -> Path:
    """The registry a version was saved in (its artifact path's grandparent), else the
    default one."""
    return Path(record.artifact_path).parents[1] if record.artifact_path else artifacts_dir


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None
