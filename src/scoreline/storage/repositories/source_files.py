"""Loaded source files and the rows they had to skip."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from scoreline.storage.tables import IngestProblem, SourceFile

__all__ = ["PARTIAL", "SourceFileRecord", "SourceFileRepository"]

PARTIAL = "partial"
"""The hash a partial load is recorded with (only the matches before a moment, or without
results refused as early): it matches no file, so loading the file again reads it again."""


@dataclass(frozen=True, slots=True)
class SourceFileRecord:
    """A loaded season file: where it was read from, when, and how many rows it had."""

    provider: str
    path: str
    loaded_at: datetime
    rows: int
    partial: bool = False


class SourceFileRepository:
    """Loaded files by provider and season, with their problems."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def _row(self, *, provider: str, season_id: int) -> SourceFile | None:
        """The file last loaded for this provider and season, or None."""
        return self.session.scalar(
            select(SourceFile).where(
                SourceFile.provider == provider, SourceFile.season_id == season_id
            )
        )

    def record(
        self,
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
        row = self._row(provider=provider, season_id=season_id)
        if row is None:
            row = SourceFile(provider=provider, season_id=season_id)
            self.session.add(row)
        row.path, row.sha256, row.loaded_at = path, sha256, loaded_at
        row.rows, row.padding_rows = rows, padding_rows
        self.session.flush()
        self.session.execute(delete(IngestProblem).where(IngestProblem.source_file_id == row.id))
        if problems:
            self.session.execute(
                insert(IngestProblem),
                [
                    {"source_file_id": row.id, "line": line, "kind": kind, "reason": reason}
                    for line, kind, reason in problems
                ],
            )
        return row.id

    def sha256_of(self, *, provider: str, season_id: int) -> str | None:
        """The SHA-256 of the file last loaded for this provider and season, or None."""
        row = self._row(provider=provider, season_id=season_id)
        return None if row is None else row.sha256

    def hashes(self, *, provider: str) -> set[str]:
        """The SHA-256 of every file loaded from ``provider``: reloading one is a no-op."""
        return set(
            self.session.scalars(select(SourceFile.sha256).where(SourceFile.provider == provider))
        )

    def list_problems(self, *, kind: str = "row_skipped") -> list[tuple[str, int, str]]:
        """Every problem of one kind in every loaded file: path, line, reason."""
        rows = self.session.execute(
            select(SourceFile.path, IngestProblem.line, IngestProblem.reason)
            .where(IngestProblem.kind == kind)
            .join(SourceFile, SourceFile.id == IngestProblem.source_file_id)
            .order_by(SourceFile.path, IngestProblem.line)
        )
        return [(path, line, reason) for path, line, reason in rows]

    def list_recent(self, *, limit: int) -> list[SourceFileRecord]:
        """The files loaded most recently, newest first."""
        rows = self.session.scalars(
            select(SourceFile).order_by(SourceFile.loaded_at.desc()).limit(limit)
        )
        return [
            SourceFileRecord(r.provider, r.path, r.loaded_at, r.rows, r.sha256 == PARTIAL)
            for r in rows
        ]

    def signature(self) -> tuple[int, datetime | None]:
        """How many files are loaded and when the last was: changes with every (re)load."""
        row = self.session.execute(
            select(func.count(SourceFile.id), func.max(SourceFile.loaded_at))
        ).one()
        return int(row[0]), row[1]
