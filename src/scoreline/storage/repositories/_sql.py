"""Statement helpers the repositories share: paging, conflict-tolerant inserts, chunking."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

__all__ = ["chunks", "count_of", "insert_ignoring", "is_postgres"]

T = TypeVar("T")


def is_postgres(session: Session) -> bool:
    """Whether the session talks to PostgreSQL (else SQLite)."""
    return session.get_bind().dialect.name == "postgresql"


def insert_ignoring(session: Session, table: Table | Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT DO NOTHING on the session's backend."""
    if is_postgres(session):
        return postgresql.insert(table)
    return sqlite.insert(table)


def count_of(session: Session, statement: Select[*tuple[Any, ...]]) -> int:
    """How many rows ``statement`` returns, ignoring its order and paging."""
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    return int(total or 0)


def chunks(items: Sequence[T], size: int = 500) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size``: IN lists stay within every backend's limits."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
