"""Stored predictions, idempotent on (fixture, model version, trigger)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoreline.storage.tables import ModelVersion, PredictionRow

__all__ = ["upsert_many", "version_id"]


def version_id(session: Session, *, name: str, version: str) -> int:
    """The id of a registered model version."""
    found = session.scalar(
        select(ModelVersion.id).where(ModelVersion.name == name, ModelVersion.version == version)
    )
    if found is None:
        raise LookupError(f"model {name} {version} is not registered")
    return found


def upsert_many(session: Session, *, rows: Sequence[dict[str, Any]]) -> int:
    """Store predictions, replacing the values of ones already stored; returns how many."""
    keys = {(r["fixture_id"], r["model_version_id"], r["trigger"]) for r in rows}
    stored = {
        (p.fixture_id, p.model_version_id, p.trigger): p
        for p in session.scalars(
            select(PredictionRow).where(
                PredictionRow.fixture_id.in_({k[0] for k in keys}),
                PredictionRow.model_version_id.in_({k[1] for k in keys}),
            )
        )
    }
    for values in rows:
        existing = stored.get((values["fixture_id"], values["model_version_id"], values["trigger"]))
        if existing is None:
            session.add(PredictionRow(**values))
        else:
            for name, value in values.items():
                setattr(existing, name, value)
    session.flush()
    return len(rows)
