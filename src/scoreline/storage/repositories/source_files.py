"""Loaded source files and the rows they had to skip."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from scoreline.storage.tables import IngestProblem, SourceFile

__all__ = ["get_by_season", "hashes", "list_problems", "record"]


def get_by_season(session: Session, *, provider: str, season_id: int) -> SourceFile | None:
    """The file last loaded for this provider and season, or None."""
    return session.scalar(
        select(SourceFile).where(SourceFile.provider == provider, SourceFile.season_id == season_id)
    )


def record(
    session: Session,
    *,
    provider: str,
    season_id: int,
    path: str,
    sha256: str,
    loaded_at: datetime,
    rows: int,
    padding_rows: int,
    problems: Sequence[tuple[int, str, str]],
) -> int:
    """Remember a loaded file and replace its list of problems (line, kind, reason)."""
    row = get_by_season(session, provider=provider, season_id=season_id)
    if row is None:
        row = SourceFile(provider=provider, season_id=season_id)
        session.add(row)
    row.path, row.sha256, row.loaded_at = path, sha256, loaded_at
    row.rows, row.padding_rows = rows, padding_rows
    session.flush()
    session.execute(delete(IngestProblem).where(IngestProblem.source_file_id == row.id))
    if problems:
        session.execute(
            insert(IngestProblem),
            [
                {"source_file_id": row.id, "line": line, "kind": kind, "reason": reason}
                for line, kind, reason in problems
            ],
        )
    return row.id


def hashes(session: Session, *, provider: str) -> set[str]:
    """The SHA-256 of every file loaded from ``provider``: reloading one is a no-op."""
    return set(session.scalars(select(SourceFile.sha256).where(SourceFile.provider == provider)))


def list_problems(session: Session, *, kind: str = "row_skipped") -> list[tuple[str, int, str]]:
    """Every problem of one kind in every loaded file: path, line, reason."""
    rows = session.execute(
        select(SourceFile.path, IngestProblem.line, IngestProblem.reason)
        .where(IngestProblem.kind == kind)
        .join(SourceFile, SourceFile.id == IngestProblem.source_file_id)
        .order_by(SourceFile.path, IngestProblem.line)
    )
    return [(path, line, reason) for path, line, reason in rows]
