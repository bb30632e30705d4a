"""Making a file's prices the stored ones: millions of prices, written in bulk below the ORM.

A stored row holds one bookmaker's prices for one market at one instant
(``tables.OddsRow``); files speak in per-selection prices. New rows go
straight to the driver inside the caller's transaction: ``executemany``
converted by the columns' own type processors on SQLite, ``COPY`` lines
formatted as those processors bind on PostgreSQL, so bulk-written rows read
back exactly as ORM-written ones do.
Rows a live feed wrote, or that a bet or a prediction names, are never changed
or removed by a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from scoreline.domain import (
    Line,
    Market,
    OddsSnapshot,
    PriceKind,
    Selection,
)
from scoreline.storage.repositories._copy import copy_lines, is_postgres_connection
from scoreline.storage.repositories._sql import chunks
from scoreline.storage.tables import (
    BetRow,
    OddsRow,
    PredictionRow,
)
from scoreline.storage.types import PRICE_QUANTUM, Price, UTCDateTime

__all__ = [
    "PRICE_COLUMNS",
    "PRICE_SELECTIONS",
    "Prices",
    "QuoteKey",
    "SyncCounts",
    "quote_key",
    "sync_for_fixtures",
]

QuoteKey = tuple[int, int, Market, Line | None, PriceKind, datetime]
"""fixture id, bookmaker id, market, line, kind, captured at."""
Prices = dict[Selection, Decimal]

PRICE_SELECTIONS = (Selection.HOME, Selection.DRAW, Selection.AWAY, Selection.OVER, Selection.UNDER)
PRICE_COLUMNS = tuple(s.value for s in PRICE_SELECTIONS)
_KEY_COLUMNS = ("fixture_id", "bookmaker_id", "market", "line_quarters", "kind", "captured_at")
_COLUMNS = (*_KEY_COLUMNS, *PRICE_COLUMNS)


@dataclass(slots=True)
class SyncCounts:
    """Prices (not rows) added, changed, removed and left alone.

    ``kept`` counts prices the file would have changed or removed but that are
    protected: a live tick's, or one a bet or a prediction refers to.
    """

    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    kept: int = 0


def quote_key(fixture_id: int, bookmaker_id: int, snapshot: OddsSnapshot) -> QuoteKey:
    """The key of the stored row that holds ``snapshot``'s price."""
    return (
        fixture_id,
        bookmaker_id,
        snapshot.market,
        snapshot.line,
        snapshot.kind,
        snapshot.captured_at,
    )


def sync_for_fixtures(
    session: Session,
    *,
    fixture_ids: Sequence[int],
    wanted: dict[QuoteKey, Prices],
    is_new: bool,
) -> SyncCounts:
    """Make the stored prices of ``fixture_ids`` equal ``wanted``.

    ``is_new`` promises that none of these fixtures has odds yet (a first
    load), which skips reading them back. Otherwise changed prices are updated
    in place (row ids stay), new ones added and ones no longer wanted removed.
    """
    counts = SyncCounts()
    if is_new:
        _bulk_insert(session.connection(), wanted.items())
        counts.inserted = sum(len(prices) for prices in wanted.values())
        return counts
    stored = _stored(session, fixture_ids)
    protected = _protected(session, stored)
    stale = [key for key in stored if key not in wanted]
    removable = [stored[key][0] for key in stale if stored[key][0] not in protected]
    for chunk in chunks(removable):
        session.execute(delete(OddsRow).where(OddsRow.id.in_(chunk)))
    for key in stale:
        row_id, before = stored[key]
        if row_id in protected:
            counts.kept += len(before)
        else:
            counts.deleted += len(before)
    fresh = [(key, prices) for key, prices in wanted.items() if key not in stored]
    _bulk_insert(session.connection(), fresh)
    counts.inserted = sum(len(prices) for _, prices in fresh)
    for key, prices in wanted.items():
        if key not in stored:
            continue
        row_id, before = stored[key]
        changed = {s for s in set(prices) | set(before) if prices.get(s) != before.get(s)}
        counts.unchanged += len(prices) - len(changed & set(prices))
        if not changed:
            continue
        if row_id in protected:
            counts.kept += len(changed)
            continue
        session.execute(
            update(OddsRow)
            .where(OddsRow.id == row_id)
            .values({s.value: prices.get(s) for s in changed})
        )
        counts.updated += len(changed)
    return counts


def _protected(session: Session, stored: dict[QuoteKey, tuple[int, Prices]]) -> set[int]:
    """Rows a file reload must leave as they are: live ticks, and rows that a bet or a
    prediction names (its record would otherwise change under it)."""
    ids = [row_id for row_id, _ in stored.values()]
    protected: set[int] = set()
    for chunk in chunks(ids):
        protected.update(
            session.scalars(
                select(OddsRow.id).where(OddsRow.id.in_(chunk), OddsRow.source != "file")
            )
        )
        for column in (BetRow.odds_snapshot_id, PredictionRow.odds_snapshot_id):
            protected.update(
                i for i in session.scalars(select(column).where(column.in_(chunk))) if i is not None
            )
    return protected


def _stored(session: Session, fixture_ids: Sequence[int]) -> dict[QuoteKey, tuple[int, Prices]]:
    stored: dict[QuoteKey, tuple[int, Prices]] = {}
    for chunk in chunks(fixture_ids):
        for row in session.scalars(select(OddsRow).where(OddsRow.fixture_id.in_(chunk))):
            stored[_key_of_row(row)] = (row.id, _prices_of_row(row))
    return stored


def _key_of_row(row: OddsRow) -> QuoteKey:
    market = Market(row.market)
    line = None if market is Market.MATCH_ODDS else Decimal(row.line_quarters) / 4 + Decimal("0.00")
    return (row.fixture_id, row.bookmaker_id, market, line, PriceKind(row.kind), row.captured_at)


def _prices_of_row(row: OddsRow) -> Prices:
    prices = (getattr(row, column) for column in PRICE_COLUMNS)
    return {s: p for s, p in zip(PRICE_SELECTIONS, prices, strict=True) if p is not None}


def _bulk_insert(connection: Connection, items: Iterable[tuple[QuoteKey, Prices]]) -> None:
    if is_postgres_connection(connection):
        copy_lines(connection, OddsRow.__tablename__, _COLUMNS, _copy_lines(items))
        return
    dialect = connection.dialect
    to_time = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    to_price = Price().dialect_impl(dialect).bind_processor(dialect)
    if to_time is None or to_price is None:  # pragma: no cover - TypeDecorators have one
        raise TypeError("bind processors missing")
    times: dict[datetime, Any] = {}
    prices: dict[Decimal | None, Any] = {None: None}
    quarters: dict[Line | None, int] = {None: 0}

    def convert(key: QuoteKey, quote: Prices) -> tuple[Any, ...]:
        fixture_id, bookmaker_id, market, line, kind, when = key
        if when not in times:
            times[when] = to_time(when)
        if line not in quarters:
            quarters[line] = int(cast(Decimal, line) * 4)
        stored = []
        for selection in PRICE_SELECTIONS:
            price = quote.get(selection)
            if price not in prices:
                prices[price] = to_price(price)
            stored.append(prices[price])
        return (
            fixture_id,
            bookmaker_id,
            market.value,
            quarters[line],
            kind.value,
            times[when],
            *stored,
        )

    rows = (convert(key, quote) for key, quote in items)
    names = ", ".join(_COLUMNS)
    marks = ", ".join("?" for _ in _COLUMNS)
    raw: Any = connection.connection.driver_connection
    cursor = raw.cursor()
    cursor.executemany(f"INSERT INTO {OddsRow.__tablename__} ({names}) VALUES ({marks})", rows)
    cursor.close()


def _copy_lines(items: Iterable[tuple[QuoteKey, Prices]]) -> Iterator[str]:
    """Each row in COPY's text format, as ``Price`` and ``UTCDateTime`` would bind it (four
    decimal places, UTC). The values repeat a lot (a file has a few hundred instants and
    prices), so each is formatted once."""
    times: dict[datetime, str] = {}
    prices: dict[Decimal, str] = {}
    heads: dict[tuple[int, Market, Line | None, PriceKind], str] = {}
    for (fixture_id, bookmaker_id, market, line, kind, when), quote in items:
        head = heads.get((bookmaker_id, market, line, kind))
        if head is None:
            quarters = 0 if line is None else int(line * 4)
            head = f"{bookmaker_id}\t{market.value}\t{quarters}\t{kind.value}"
            heads[bookmaker_id, market, line, kind] = head
        at = times.get(when)
        if at is None:
            at = times[when] = when.astimezone(UTC).isoformat()
        cells = []
        for selection in PRICE_SELECTIONS:
            price = quote.get(selection)
            if price is None:
                cells.append("\\N")
                continue
            text = prices.get(price)
            if text is None:
                text = prices[price] = str(price.quantize(PRICE_QUANTUM))
            cells.append(text)
        yield f"{fixture_id}\t{head}\t{at}\t{chr(9).join(cells)}\n"
