"""Database errors leave the unit of work as Scoreline's own; a lost lock race as its own kind."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from scoreline.errors import (
    ConflictError,
    StorageContentionError,
    StorageError,
    StorageUnavailableError,
)
from scoreline.storage.unit_of_work import storage_error


class PostgresError(Exception):
    """What psycopg raises: an error carrying its SQLSTATE."""

    def __init__(self, message: str, sqlstate: str) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


class SQLiteError(Exception):
    """What sqlite3 raises: an error carrying its extended result code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.sqlite_errorcode = code


@pytest.mark.parametrize(
    ("driver_error", "expected"),
    [
        (PostgresError("deadlock detected", "40P01"), StorageContentionError),
        (PostgresError("could not serialize access", "40001"), StorageContentionError),
        (SQLiteError("database is locked", 5), StorageContentionError),
        (SQLiteError("database table is locked", 6 | 256), StorageContentionError),
        (PostgresError("connection refused", "08006"), StorageUnavailableError),
        (SQLiteError("disk I/O error", 10), StorageUnavailableError),
    ],
)
def test_a_lost_lock_race_is_told_from_an_unreachable_database(
    driver_error: Exception, expected: type[StorageError]
) -> None:
    mapped = storage_error(OperationalError("UPDATE bets ...", {}, driver_error))
    assert type(mapped) is expected
    assert str(driver_error) in str(mapped)


def test_a_refused_write_is_a_conflict() -> None:
    error = IntegrityError("INSERT ...", {}, PostgresError("duplicate key", "23505"))
    assert type(storage_error(error)) is ConflictError
