"""Rows the integration tests seed directly, made one way (importable as ``seeding``, as
``servers`` is): a registered model version stands behind every stored prediction.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from scoreline.storage.tables import ModelVersion
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["add_model_version"]


def add_model_version(uow: UnitOfWork, version: str, *, active: bool) -> int:
    """A ``test-model`` version with no artifact, in ``uow``'s transaction (the caller
    commits); its id."""
    row = ModelVersion(
        name="test-model",
        version=version,
        created_at=datetime.now(UTC),
        trained_from=date(2020, 1, 1),
        trained_to=date(2022, 1, 1),
        params={},
        metrics={},
        artifact_path=None,
        is_active=active,
    )
    uow.session.add(row)
    uow.session.flush()
    return row.id
