"""Odds snapshots: millions of rows, so written in bulk below the ORM.

New rows go straight to the driver (``executemany`` on SQLite, ``COPY`` on
PostgreSQL) inside the caller's transaction; the ORM is too slow for the
six million prices of the full football-data history. Rows are converted with
the columns' own type processors, so what the bulk path writes reads back
exactly as ORM-written rows do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from scoreline.domain import Market, OddsSnapshot, PriceKind, Selection
from scoreline.storage.tables import Bookmaker, OddsRow
from scoreline.storage.types import Price, UTCDateTime

__all__ = [
    "OddsKey",
    "StoredOdds",
    "SyncCounts",
    "count",
    "key_of",
    "latest_for_fixtures",
    "sync_for_fixtures",
]

OddsKey = tuple[int, int, str, str, int, str, datetime]
"""fixture id, bookmaker id, market, selection, line in quarters, kind, captured at."""

_COLUMNS = (
    "fixture_id",
    "bookmaker_id",
    "market",
    "selection",
    "line_quarters",
    "kind",
    "captured_at",
    "price",
)


@dataclass(slots=True)
class SyncCounts:
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0


@dataclass(frozen=True, slots=True)
class StoredOdds:
    """A stored snapshot with its fixture and bookmaker code."""

    fixture_id: int
    bookmaker: str
    snapshot: OddsSnapshot


def key_of(fixture_id: int, bookmaker_id: int, snapshot: OddsSnapshot) -> OddsKey:
    """The natural key of a snapshot of ``fixture_id`` from ``bookmaker_id``."""
    quarters = 0 if snapshot.line is None else int(snapshot.line * 4)
    return (
        fixture_id,
        bookmaker_id,
        snapshot.market.value,
        snapshot.selection.value,
        quarters,
        snapshot.kind.value,
        snapshot.captured_at,
    )


def sync_for_fixtures(
    session: Session,
    *,
    fixture_ids: Sequence[int],
    wanted: dict[OddsKey, Decimal],
    is_new: bool,
) -> SyncCounts:
    """Make the stored odds of ``fixture_ids`` equal ``wanted`` (key to price).

    ``is_new`` promises that none of these fixtures has odds yet (a first
    load), which skips reading them back. Otherwise changed prices are updated,
    missing ones added and ones no longer wanted deleted.
    """
    counts = SyncCounts()
    if is_new:
        _bulk_insert(session, wanted.items())
        counts.inserted = len(wanted)
        return counts
    stored: dict[OddsKey, tuple[int, Decimal]] = {}
    for chunk in _chunks(fixture_ids, 500):
        rows = session.execute(
            select(OddsRow.id, *(getattr(OddsRow, c) for c in _COLUMNS)).where(
                OddsRow.fixture_id.in_(chunk)
            )
        )
        for row_id, *key, price in rows:
            stored[cast(OddsKey, tuple(key))] = (row_id, price)
    stale = [row_id for key, (row_id, _) in stored.items() if key not in wanted]
    for chunk in _chunks(stale, 500):
        session.execute(delete(OddsRow).where(OddsRow.id.in_(chunk)))
    counts.deleted = len(stale)
    fresh = [(key, price) for key, price in wanted.items() if key not in stored]
    _bulk_insert(session, fresh)
    counts.inserted = len(fresh)
    changed = [
        {"row_id": stored[key][0], "new_price": price}
        for key, price in wanted.items()
        if key in stored and stored[key][1] != price
    ]
    for item in changed:
        session.execute(
            update(OddsRow).where(OddsRow.id == item["row_id"]).values(price=item["new_price"])
        )
    counts.updated = len(changed)
    counts.unchanged = len(wanted) - counts.inserted - counts.updated
    return counts


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _bulk_insert(session: Session, items: Iterable[tuple[OddsKey, Decimal]]) -> None:
    connection = session.connection()
    dialect = connection.dialect
    to_time = UTCDateTime().bind_processor(dialect)
    to_price = Price().bind_processor(dialect)
    if to_time is None or to_price is None:  # pragma: no cover - TypeDecorators always have one
        raise TypeError("bind processors missing")
    times: dict[datetime, Any] = {}
    prices: dict[Decimal, Any] = {}

    def convert(key: OddsKey, price: Decimal) -> tuple[Any, ...]:
        when = key[6]
        stored_time = times.get(when)
        if stored_time is None:
            stored_time = times[when] = to_time(when)
        stored_price = prices.get(price)
        if stored_price is None:
            stored_price = prices[price] = to_price(price)
        return (*key[:6], stored_time, stored_price)

    rows = (convert(key, price) for key, price in items)
    names = ", ".join(_COLUMNS)
    if dialect.name == "postgresql":
        raw: Any = connection.connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {OddsRow.__tablename__} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in _COLUMNS)
        sqlite_connection: Any = connection.connection.driver_connection
        raw_cursor = sqlite_connection.cursor()
        raw_cursor.executemany(
            f"INSERT INTO {OddsRow.__tablename__} ({names}) VALUES ({marks})", rows
        )
        raw_cursor.close()


def latest_for_fixtures(
    session: Session, *, fixture_ids: Sequence[int], kind: PriceKind | None = None
) -> list[StoredOdds]:
    """The newest snapshot per fixture, bookmaker, market, selection and line."""
    statement = (
        select(OddsRow, Bookmaker.code)
        .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
        .where(OddsRow.fixture_id.in_(fixture_ids))
        .order_by(OddsRow.captured_at)
    )
    if kind is not None:
        statement = statement.where(OddsRow.kind == kind.value)
    latest: dict[tuple[int, str, str, str, int], StoredOdds] = {}
    for row, code in session.execute(statement):
        snapshot = OddsSnapshot(
            bookmaker=code,
            market=Market(row.market),
            selection=Selection(row.selection),
            line=None if row.market == Market.MATCH_ODDS else Decimal(row.line_quarters) / 4,
            price=row.price,
            captured_at=row.captured_at,
            kind=PriceKind(row.kind),
        )
        latest[(row.fixture_id, code, row.market, row.selection, row.line_quarters)] = StoredOdds(
            row.fixture_id, code, snapshot
        )
    return list(latest.values())


def count(session: Session) -> int:
    """How many snapshots are stored."""
    return session.scalar(select(func.count()).select_from(OddsRow)) or 0
