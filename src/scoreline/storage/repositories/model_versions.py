"""Registered model versions; exactly one is active platform-wide."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scoreline.domain.predictions import ModelVersionRecord
from scoreline.storage.tables import ModelVersion

__all__ = ["ModelVersionRepository"]


class ModelVersionRepository:
    """Model versions by id, by (name, version), and the active one."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, version_id: int) -> ModelVersionRecord | None:
        """One version by row id, or None."""
        row = self.session.get(ModelVersion, version_id)
        return None if row is None else _record(row)

    def get_by_name(self, *, name: str, version: str) -> ModelVersionRecord | None:
        """One version by its name and version, or None."""
        row = self.session.scalar(
            select(ModelVersion).where(ModelVersion.name == name, ModelVersion.version == version)
        )
        return None if row is None else _record(row)

    def active(self) -> ModelVersionRecord | None:
        """The version that serves, or None before any was activated."""
        row = self.session.scalar(
            select(ModelVersion)
            .where(ModelVersion.is_active.is_(True))
            .order_by(ModelVersion.id.desc())
            .limit(1)
        )
        return None if row is None else _record(row)

    def active_ids(self) -> tuple[int, ...]:
        """Ids of the active versions (one, or none): part of the caches' watch signature."""
        return tuple(
            self.session.scalars(
                select(ModelVersion.id)
                .where(ModelVersion.is_active.is_(True))
                .order_by(ModelVersion.id)
            )
        )

    def list_(self, *, limit: int, offset: int) -> tuple[list[ModelVersionRecord], int]:
        """Versions, newest first, a page at a time; and how many there are."""
        rows = self.session.scalars(
            select(ModelVersion).order_by(ModelVersion.id.desc()).limit(limit).offset(offset)
        ).all()
        total = int(self.session.scalar(select(func.count(ModelVersion.id))) or 0)
        return [_record(r) for r in rows], total

    def add(
        self,
        *,
        name: str,
        version: str,
        created_at: datetime,
        trained_from: date | None,
        trained_to: date | None,
        params: Mapping[str, Any],
        metrics: Mapping[str, Any],
        artifact_path: str | None,
    ) -> int:
        """Register a version (not active); its row id."""
        row = ModelVersion(
            name=name,
            version=version,
            created_at=created_at,
            trained_from=trained_from,
            trained_to=trained_to,
            params=dict(params),
            metrics=dict(metrics),
            artifact_path=artifact_path,
            is_active=False,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def activate(self, version_id: int) -> None:
        """Make this version the only active one."""
        self.session.execute(
            update(ModelVersion).where(ModelVersion.id != version_id).values(is_active=False)
        )
        self.session.execute(
            update(ModelVersion).where(ModelVersion.id == version_id).values(is_active=True)
        )


def _record(row: ModelVersion) -> ModelVersionRecord:
    return ModelVersionRecord(
        id=row.id,
        name=row.name,
        version=row.version,
        created_at=row.created_at,
        trained_from=row.trained_from,
        trained_to=row.trained_to,
        params=row.params or {},
        metrics=row.metrics or {},
        artifact_path=row.artifact_path,
        is_active=row.is_active,
    )
