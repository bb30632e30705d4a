"""Bulk inserts below the ORM, inside the caller's transaction: ``COPY`` on PostgreSQL.

A season file writes hundreds of fixtures and results and thousands of price
rows. One INSERT per row (what ``executemany`` sends, even pipelined) costs a
statement each on the server; ``COPY ... FROM STDIN`` streams them in one. The
constraints (keys, foreign keys, unique natural keys) are checked as usual: a
row that breaks one fails the whole COPY, and with it the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

__all__ = ["copy_lines", "copy_rows", "defer_commit_flush", "is_postgres_connection"]

# Text lines go to the server in pieces of about this many characters.
_CHUNK_CHARS = 1 << 20


def is_postgres_connection(connection: Connection) -> bool:
    """Whether the connection talks to PostgreSQL (the only backend with COPY)."""
    return connection.dialect.name == "postgresql"


def defer_commit_flush(connection: Connection) -> None:
    """Let this transaction's COMMIT return before its WAL reaches disk (PostgreSQL only).

    For a season file's load: it is idempotent and records the file's hash in the same
    transaction, so if the server crashed in the fraction of a second before the flush,
    the file would just be loaded again; nothing else waits on it. Consistency and every
    constraint are unchanged (``synchronous_commit`` is per transaction: ``SET LOCAL``),
    and the 324 files skip 324 waits for the disk.
    """
    connection.exec_driver_sql("SET LOCAL synchronous_commit TO off")


def copy_rows(
    connection: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """COPY ``rows`` (Python values psycopg adapts: int, str, bool, date, aware datetime,
    Decimal, None) into ``table``; PostgreSQL only."""
    raw: Any = connection.connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def copy_lines(
    connection: Connection, table: str, columns: Sequence[str], lines: Iterable[str]
) -> None:
    """COPY rows already in PostgreSQL's text format (tab-separated, ``\\N`` for NULL,
    one per line, each ending in a newline) into ``table``; PostgreSQL only.

    For millions of rows: formatting a line in Python is several times cheaper than
    adapting each value, and the lines go out in large pieces.
    """
    raw: Any = connection.connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        piece: list[str] = []
        size = 0
        for line in lines:
            piece.append(line)
            size += len(line)
            if size >= _CHUNK_CHARS:
                copy.write("".join(piece))
                piece, size = [], 0
        if piece:
            copy.write("".join(piece))
