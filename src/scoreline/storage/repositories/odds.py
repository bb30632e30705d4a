"""Odds snapshots: file loads (``odds_sync``), live ticks with their outbox, and reads."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from scoreline.domain import (
    FixtureStatus,
    Market,
    PriceKind,
    bookmakers,
)
from scoreline.domain.odds import OddsRecord
from scoreline.storage.repositories._sql import count_of, insert_ignoring
from scoreline.storage.repositories.odds_sync import (
    PRICE_COLUMNS,
    PRICE_SELECTIONS,
    Prices,
    QuoteKey,
    SyncCounts,
    sync_for_fixtures,
)
from scoreline.storage.tables import (
    Bookmaker,
    FixtureRow,
    OddsOutboxRow,
    OddsRow,
)

__all__ = ["LiveOdds", "OddsRepository"]


@dataclass(frozen=True, slots=True)
class LiveOdds:
    """A feed's snapshot to store, with the stream entry that announces it once stored."""

    fixture_id: int
    bookmaker_id: int
    market: Market
    line_quarters: int
    kind: PriceKind
    captured_at: datetime
    prices: Prices
    payload: str


_NATURAL_KEY = ("fixture_id", "bookmaker_id", "market", "line_quarters", "kind", "captured_at")


class OddsRepository:
    """Odds snapshots: bulk file loads, live ticks with their outbox, and reads."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- writes ------------------------------------------------------------------------

    def sync_for_fixtures(
        self, *, fixture_ids: Sequence[int], wanted: dict[QuoteKey, Prices], is_new: bool
    ) -> SyncCounts:
        """Make the stored prices of ``fixture_ids`` equal ``wanted`` (see
        ``_sync_for_fixtures``): protected rows are kept and counted."""
        return sync_for_fixtures(
            self.session, fixture_ids=fixture_ids, wanted=wanted, is_new=is_new
        )

    def insert_live(self, rows: Sequence[LiveOdds], *, now: datetime) -> list[int | None]:
        """Insert feed snapshots and their outbox entries; per row its new id, or None if
        already stored.

        One cached ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` for the whole
        batch, below the ORM because it runs for every tick; returned ids are
        matched back to the rows by the natural key (a key repeated within the
        batch keeps its first row). Idempotent: streams deliver at least once.
        """
        if not rows:
            return []
        connection = self.session.connection()
        table = OddsRow.__table__
        values = [_live_values(row) for row in rows]
        returned = connection.execute(
            insert_ignoring(self.session, table)
            .on_conflict_do_nothing(index_elements=list(_NATURAL_KEY))
            .returning(table.c.id, *(table.c[name] for name in _NATURAL_KEY)),
            values,
        ).all()
        new_ids = {tuple(r[1:]): r[0] for r in returned}
        ids: list[int | None] = [
            new_ids.pop(tuple(value[name] for name in _NATURAL_KEY), None) for value in values
        ]
        outbox = [
            {"odds_snapshot_id": new_id, "payload": row.payload, "created_at": now}
            for new_id, row in zip(ids, rows, strict=True)
            if new_id is not None
        ]
        if outbox:
            connection.execute(insert_ignoring(self.session, OddsOutboxRow.__table__), outbox)
        return ids

    # -- reads -------------------------------------------------------------------------

    def count(self) -> int:
        """How many prices are stored (a row holds one per selection)."""
        counts = self.session.execute(
            select(*(func.count(getattr(OddsRow, c)) for c in PRICE_COLUMNS))
        ).one()
        return int(sum(counts))

    def get(self, odds_id: int) -> OddsRecord | None:
        """One stored snapshot, or None."""
        row = self.session.execute(
            select(OddsRow, Bookmaker.code)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(OddsRow.id == odds_id)
        ).first()
        return None if row is None else _record(row[0], row[1])

    def fixture_ids_of(self, *, odds_ids: Sequence[int]) -> dict[int, int]:
        """The fixture of each stored snapshot among ``odds_ids`` (absent ones are left out):
        a stream entry naming a snapshot is checked against what is stored before use."""
        if not odds_ids:
            return {}
        rows = self.session.execute(
            select(OddsRow.id, OddsRow.fixture_id).where(OddsRow.id.in_(set(odds_ids)))
        )
        return {int(r[0]): int(r[1]) for r in rows}

    def get_current(self, *, odds_id: int, selection: str, as_of: datetime) -> OddsRecord | None:
        """The newest snapshot captured by ``as_of`` of the same fixture, bookmaker, market and
        line as snapshot ``odds_id`` that prices ``selection`` (by capture time, then id), of
        either kind; None when there is none (or no snapshot ``odds_id``)."""
        if selection not in PRICE_COLUMNS:
            raise ValueError(f"{selection!r} is not a priced selection")
        named = aliased(OddsRow)
        price = getattr(OddsRow, selection)
        row = self.session.execute(
            select(OddsRow, Bookmaker.code)
            .join(named, _same_series(named, odds_id))
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(price.is_not(None), OddsRow.captured_at <= as_of)
            .order_by(OddsRow.captured_at.desc(), OddsRow.id.desc())
            .limit(1)
        ).first()
        return None if row is None else _record(row[0], row[1])

    def reference(self, *, odds_id: int, selection: str, as_of: datetime) -> OddsRecord | None:
        """The price a later snapshot of the same series is measured against: of the same
        fixture, bookmaker, market, line and kind as snapshot ``odds_id``, pricing
        ``selection`` and stored before it, the newest captured by ``as_of``, else the
        first captured after it (the opening price, when nothing was quoted by then)."""
        if selection not in PRICE_COLUMNS:
            raise ValueError(f"{selection!r} is not a priced selection")
        named = aliased(OddsRow)
        price = getattr(OddsRow, selection)
        series = (
            select(OddsRow, Bookmaker.code)
            .join(named, and_(_same_series(named, odds_id), named.kind == OddsRow.kind))
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(price.is_not(None), OddsRow.id < odds_id)
        )
        row = self.session.execute(
            series.where(OddsRow.captured_at <= as_of)
            .order_by(OddsRow.captured_at.desc(), OddsRow.id.desc())
            .limit(1)
        ).first()
        if row is None:
            row = self.session.execute(
                series.where(OddsRow.captured_at > as_of)
                .order_by(OddsRow.captured_at, OddsRow.id)
                .limit(1)
            ).first()
        return None if row is None else _record(row[0], row[1])

    def latest(self, fixture_id: int) -> list[OddsRecord]:
        """The newest snapshot per bookmaker, market, line and kind of a fixture."""
        newest = (
            select(func.max(OddsRow.id).label("id"))
            .where(OddsRow.fixture_id == fixture_id)
            .group_by(OddsRow.bookmaker_id, OddsRow.market, OddsRow.line_quarters, OddsRow.kind)
            .subquery()
        )
        rows = self.session.execute(
            select(OddsRow, Bookmaker.code)
            .join(newest, newest.c.id == OddsRow.id)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .order_by(OddsRow.market, OddsRow.line_quarters, Bookmaker.code, OddsRow.kind)
        ).all()
        return [_record(odds, code) for odds, code in rows]

    def history(
        self,
        fixture_id: int,
        *,
        market: str | None,
        bookmaker: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[OddsRecord], int]:
        """Every stored snapshot of a fixture in capture order, filtered; and how many."""
        statement = (
            select(OddsRow, Bookmaker.code)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(OddsRow.fixture_id == fixture_id)
        )
        if market:
            statement = statement.where(OddsRow.market == market)
        if bookmaker:
            statement = statement.where(Bookmaker.code == bookmaker)
        rows = self.session.execute(
            statement.order_by(OddsRow.captured_at, OddsRow.id).limit(limit).offset(offset)
        ).all()
        return [_record(odds, code) for odds, code in rows], count_of(self.session, statement)

    def match_odds_since(
        self, *, fixture_ids: Sequence[int], after_id: int, up_to_id: int
    ) -> list[tuple[int, int, int, Decimal | None, Decimal | None, Decimal | None]]:
        """1X2 rows of ``fixture_ids`` with ids in (after_id, up_to_id], in id order.

        Returns (id, fixture id, bookmaker id, home, draw, away); pre-match and
        closing prices alike (the latest price is the market's view either way).
        """
        rows = self.session.execute(
            select(
                OddsRow.id,
                OddsRow.fixture_id,
                OddsRow.bookmaker_id,
                OddsRow.home,
                OddsRow.draw,
                OddsRow.away,
            )
            .where(
                OddsRow.fixture_id.in_(fixture_ids),
                OddsRow.market == Market.MATCH_ODDS.value,
                OddsRow.id > after_id,
                OddsRow.id <= up_to_id,
            )
            .order_by(OddsRow.id)
        )
        return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]

    def list_latest_prematch(
        self, *, fixture_ids: Sequence[int], totals_quarters: int
    ) -> list[OddsRecord]:
        """Each real bookmaker's newest pre-match 1X2 snapshot of these fixtures, and its
        newest over/under at ``totals_quarters`` (the line times four), in id order.

        Never the market-wide aggregates (``domain.bookmakers``): no one bets at them.
        One query, whatever the number of fixtures.
        """
        if not fixture_ids:
            return []
        newest = (
            select(func.max(OddsRow.id).label("id"))
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(
                OddsRow.fixture_id.in_(fixture_ids),
                OddsRow.kind == PriceKind.PREMATCH.value,
                Bookmaker.code.not_in(bookmakers.AGGREGATES),
                or_(
                    OddsRow.market == Market.MATCH_ODDS.value,
                    and_(
                        OddsRow.market == Market.OVER_UNDER.value,
                        OddsRow.line_quarters == totals_quarters,
                    ),
                ),
            )
            .group_by(
                OddsRow.fixture_id, OddsRow.bookmaker_id, OddsRow.market, OddsRow.line_quarters
            )
            .subquery()
        )
        rows = self.session.execute(
            select(OddsRow, Bookmaker.code)
            .join(newest, newest.c.id == OddsRow.id)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .order_by(OddsRow.id)
        ).all()
        return [_record(odds, code) for odds, code in rows]

    def line_odds_since(
        self, *, fixture_ids: Sequence[int], after_id: int, up_to_id: int
    ) -> list[tuple[int, int, int, str, int, Decimal | None, Decimal | None]]:
        """Over/under and Asian handicap rows of ``fixture_ids`` with ids in
        (after_id, up_to_id], in id order, as ``match_odds_since`` gives the 1X2's.

        Returns (id, fixture id, bookmaker id, market, line in quarters, side 0, side 1):
        side 0 is the over (or the home side of a handicap), side 1 the under (or away).
        """
        rows = self.session.execute(
            select(
                OddsRow.id,
                OddsRow.fixture_id,
                OddsRow.bookmaker_id,
                OddsRow.market,
                OddsRow.line_quarters,
                OddsRow.home,
                OddsRow.away,
                OddsRow.over,
                OddsRow.under,
            )
            .where(
                OddsRow.fixture_id.in_(fixture_ids),
                OddsRow.market.in_([Market.OVER_UNDER.value, Market.ASIAN_HANDICAP.value]),
                OddsRow.id > after_id,
                OddsRow.id <= up_to_id,
            )
            .order_by(OddsRow.id)
        )
        return [
            (
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                *((r[7], r[8]) if r[3] == Market.OVER_UNDER.value else (r[5], r[6])),
            )
            for r in rows
        ]

    def list_latest_prematch_of(
        self, *, fixture_ids: Sequence[int], bookmaker: str
    ) -> list[OddsRecord]:
        """One bookmaker's newest pre-match snapshot per fixture, market and line, every
        market and line it quotes, in id order; one query whatever the number of fixtures.

        The board reads the sharp book's (``domain.bookmakers.SHARP``) this way: its
        1X2, totals and handicap lines are the market's fair price (``pricing.fair``).
        """
        if not fixture_ids:
            return []
        newest = (
            select(func.max(OddsRow.id).label("id"))
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(
                OddsRow.fixture_id.in_(fixture_ids),
                OddsRow.kind == PriceKind.PREMATCH.value,
                Bookmaker.code == bookmaker,
            )
            .group_by(OddsRow.fixture_id, OddsRow.market, OddsRow.line_quarters)
            .subquery()
        )
        rows = self.session.execute(
            select(OddsRow, Bookmaker.code)
            .join(newest, newest.c.id == OddsRow.id)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .order_by(OddsRow.id)
        ).all()
        return [_record(odds, code) for odds, code in rows]

    def list_match_odds_of_finished(
        self,
        *,
        start: datetime,
        end: datetime,
        closing_from: Collection[str],
        prematch_except: Collection[str],
    ) -> list[OddsRecord]:
        """1X2 snapshots of the matches finished with kick-off in [start, end], in id order:
        the closing prices of the bookmakers ``closing_from`` and the pre-match prices of
        every code but ``prematch_except``."""
        return self._match_odds_of_finished(
            start,
            end,
            or_(
                and_(OddsRow.kind == PriceKind.CLOSING.value, Bookmaker.code.in_(closing_from)),
                and_(
                    OddsRow.kind == PriceKind.PREMATCH.value,
                    Bookmaker.code.not_in(prematch_except),
                ),
            ),
        )

    def list_match_odds_of_finished_by(
        self, *, start: datetime, end: datetime, bookmakers: Collection[str]
    ) -> list[OddsRecord]:
        """Pre-match and closing 1X2 snapshots of ``bookmakers`` (codes) for the matches
        finished with kick-off in [start, end], in id order; one query."""
        return self._match_odds_of_finished(start, end, Bookmaker.code.in_(bookmakers))

    def _match_odds_of_finished(
        self, start: datetime, end: datetime, which: ColumnElement[bool]
    ) -> list[OddsRecord]:
        rows = self.session.execute(
            select(OddsRow, Bookmaker.code)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .join(FixtureRow, FixtureRow.id == OddsRow.fixture_id)
            .where(
                OddsRow.market == Market.MATCH_ODDS.value,
                FixtureRow.status == FixtureStatus.FINISHED.value,
                FixtureRow.kickoff_utc >= start,
                FixtureRow.kickoff_utc <= end,
                which,
            )
            .order_by(OddsRow.id)
        ).all()
        return [_record(odds, code) for odds, code in rows]

    def last_live_captured_at(self) -> datetime | None:
        """When the newest snapshot from a live feed was captured, or None."""
        return self.session.scalar(
            select(func.max(OddsRow.captured_at)).where(OddsRow.source == "live")
        )


def _same_series(named: type[OddsRow], odds_id: int) -> ColumnElement[bool]:
    """Rows of the same fixture, bookmaker, market and line as snapshot ``odds_id`` (``named``
    is an alias of the table standing for that snapshot)."""
    return and_(
        named.id == odds_id,
        named.fixture_id == OddsRow.fixture_id,
        named.bookmaker_id == OddsRow.bookmaker_id,
        named.market == OddsRow.market,
        named.line_quarters == OddsRow.line_quarters,
    )


def _live_values(row: LiveOdds) -> dict[str, Any]:
    values: dict[str, Any] = {
        "fixture_id": row.fixture_id,
        "bookmaker_id": row.bookmaker_id,
        "market": row.market.value,
        "line_quarters": row.line_quarters,
        "kind": row.kind.value,
        "captured_at": row.captured_at,
        "source": "live",
    }
    for selection in PRICE_SELECTIONS:
        values[selection.value] = row.prices.get(selection)
    return values


def _record(row: OddsRow, bookmaker: str) -> OddsRecord:
    market = row.market
    return OddsRecord(
        id=row.id,
        fixture_id=row.fixture_id,
        bookmaker=bookmaker,
        market=market,
        line=None if market == Market.MATCH_ODDS.value else str(Decimal(row.line_quarters) / 4),
        kind=row.kind,
        captured_at=row.captured_at,
        prices={c: p for c in PRICE_COLUMNS if (p := getattr(row, c)) is not None},
    )
