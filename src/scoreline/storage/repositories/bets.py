"""Bets: placed open, then settled or voided exactly once.

A bet leaves ``open`` through a conditional UPDATE (``WHERE status = 'open'``):
of two transactions racing to settle or void the same bet, one moves it and
the other is told it did not, so nothing is paid or refunded twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session, aliased

from scoreline.domain.bet_history import BetFilter, BetLabels
from scoreline.domain.betting import BetRecord, BetStatus, LabelledBet, OpenStake
from scoreline.domain.odds import PriceKind
from scoreline.storage.repositories._sql import chunks, count_of, is_postgres
from scoreline.storage.repositories.fixtures import with_names
from scoreline.storage.tables import (
    BetRow,
    Bookmaker,
    CompetitionRow,
    FixtureRow,
    OddsRow,
    PortfolioRow,
    ResultRow,
)

__all__ = ["BetRepository"]


class BetRepository:
    """Bets: placement, the one move out of ``open``, and the reads the book needs."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- writes ------------------------------------------------------------------------

    def add(
        self,
        *,
        portfolio_id: int,
        fixture_id: int,
        odds_snapshot_id: int | None,
        prediction_id: int | None,
        market: str,
        selection: str,
        line_quarters: int,
        odds: Decimal,
        stake_minor: int,
        placed_at: datetime,
        bookmaker: str | None = None,
        bookmaker_id: int | None = None,
        bookmaker_account_id: int | None = None,
    ) -> int:
        """Store an open bet; its id. A bet taken elsewhere names no snapshot but its
        ``bookmaker`` (and the known bookmaker and the account, when there are)."""
        row = BetRow(
            bookmaker=bookmaker,
            bookmaker_id=bookmaker_id,
            bookmaker_account_id=bookmaker_account_id,
            portfolio_id=portfolio_id,
            fixture_id=fixture_id,
            odds_snapshot_id=odds_snapshot_id,
            prediction_id=prediction_id,
            market=market,
            selection=selection,
            line_quarters=line_quarters,
            odds=odds,
            stake_minor=stake_minor,
            status=BetStatus.OPEN.value,
            placed_at=placed_at,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def settle_if_open(
        self, *, bet_id: int, outcome: str, payout_minor: int, settled_at: datetime
    ) -> bool:
        """Settle the bet if it is still open; whether this call settled it."""
        return self._close_if_open(bet_id, BetStatus.SETTLED, outcome, payout_minor, settled_at)

    def void_if_open(
        self, *, bet_id: int, outcome: str, refund_minor: int, voided_at: datetime
    ) -> bool:
        """Void the bet if it is still open; whether this call voided it."""
        return self._close_if_open(bet_id, BetStatus.VOID, outcome, refund_minor, voided_at)

    def _close_if_open(
        self, bet_id: int, status: BetStatus, outcome: str, payout_minor: int, at: datetime
    ) -> bool:
        moved = self.session.execute(
            update(BetRow)
            .where(BetRow.id == bet_id, BetRow.status == BetStatus.OPEN.value)
            .values(status=status.value, outcome=outcome, payout_minor=payout_minor, settled_at=at)
        )
        return getattr(moved, "rowcount", 0) == 1

    # -- reads -------------------------------------------------------------------------

    def get(self, *, bet_id: int, owner_id: int) -> BetRecord | None:
        """The bet if ``owner_id`` owns its portfolio, else None (as if it did not exist)."""
        row = self.session.scalar(
            select(BetRow)
            .join(PortfolioRow, PortfolioRow.id == BetRow.portfolio_id)
            .where(BetRow.id == bet_id, PortfolioRow.owner_id == owner_id)
        )
        return None if row is None else _record(row)

    def list_(
        self,
        *,
        portfolio_id: int,
        status: BetStatus | None = None,
        limit: int,
        offset: int,
        matching: BetFilter | None = None,
    ) -> tuple[list[BetRecord], int]:
        """A portfolio's bets, newest first, optionally of one status or as ``matching``
        narrows them; and how many.

        One statement walks ``ix_bets_portfolio_id_id`` (or ``..._status_id``) in order
        and counts the rest with a window function; plain columns, not ORM objects,
        since a page of 100 is read only to be shown. A competition or bookmaker filter
        is a correlated ``EXISTS`` on the fixture or odds snapshot's primary key, so the
        walk stays in bet order. Only a page past the end needs a second statement for
        the count.
        """
        wanted = _conditions(portfolio_id, status, matching or BetFilter())
        page = self.session.execute(
            select(*_COLUMNS, func.count().over().label("total"))
            .where(*wanted)
            .order_by(BetRow.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        if not page:
            return [], count_of(self.session, select(BetRow.id).where(*wanted))
        return [_from_columns(row) for row in page], int(page[0].total)

    def labels(self, *, bet_ids: Sequence[int]) -> dict[int, BetLabels]:
        """Each bet's fixture (competition, kick-off, teams) and the bookmaker whose price it
        took, by bet id."""
        found: dict[int, BetLabels] = {}
        for chunk in chunks(bet_ids):
            rows = self.session.execute(
                with_names(BetRow.id, Bookmaker.code)
                .join(BetRow, BetRow.fixture_id == FixtureRow.id)
                .outerjoin(OddsRow, OddsRow.id == BetRow.odds_snapshot_id)
                .outerjoin(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
                .where(BetRow.id.in_(chunk))
            )
            for _, competition, kickoff, home, away, bet_id, bookmaker in rows:
                found[int(bet_id)] = BetLabels(competition, kickoff, home, away, bookmaker)
        return found

    def list_by_portfolio(self, *, portfolio_id: int) -> list[BetRecord]:
        """Every bet of a portfolio, open, settled or void, in the order placed; for the
        book's cash and equity through time."""
        rows = self.session.scalars(
            select(BetRow).where(BetRow.portfolio_id == portfolio_id).order_by(BetRow.id)
        )
        return [_record(row) for row in rows]

    def lock(self, *, bet_id: int) -> None:
        """Hold the bet until the transaction ends (``FOR NO KEY UPDATE`` on PostgreSQL, the
        second lock of the book's order, ``services.lock_order``; SQLite has one writer)."""
        if is_postgres(self.session):
            self.session.execute(
                select(BetRow.id).where(BetRow.id == bet_id).with_for_update(key_share=True)
            )

    def lock_open(self, *, fixture_id: int) -> list[BetRecord]:
        """Every open bet on a fixture, in id order, each held until the transaction ends
        (as ``lock``, all at once and in id order, so two settlements queue, never cross)."""
        statement = (
            select(BetRow)
            .where(BetRow.fixture_id == fixture_id, BetRow.status == BetStatus.OPEN.value)
            .order_by(BetRow.id)
        )
        if is_postgres(self.session):
            statement = statement.with_for_update(key_share=True)
        return [_record(row) for row in self.session.scalars(statement)]

    def list_with_owners(self, *, bet_ids: Sequence[int]) -> list[tuple[BetRecord, int]]:
        """These bets, each with the id of its portfolio's owner."""
        found: list[tuple[BetRecord, int]] = []
        for chunk in chunks(bet_ids):
            rows = self.session.execute(
                select(BetRow, PortfolioRow.owner_id)
                .join(PortfolioRow, PortfolioRow.id == BetRow.portfolio_id)
                .where(BetRow.id.in_(chunk))
                .order_by(BetRow.id)
            )
            found.extend((_record(bet), owner) for bet, owner in rows)
        return found

    def fixtures_awaiting_settlement(self) -> list[int]:
        """Fixtures with a result that still have open bets."""
        return list(
            self.session.scalars(
                select(BetRow.fixture_id)
                .join(ResultRow, ResultRow.fixture_id == BetRow.fixture_id)
                .where(BetRow.status == BetStatus.OPEN.value)
                .distinct()
            )
        )

    def open_stakes(self, *, portfolio_ids: Sequence[int]) -> dict[int, int]:
        """What open bets have staked, by portfolio (0 for one with none)."""
        totals = dict.fromkeys(portfolio_ids, 0)
        for chunk in chunks(portfolio_ids):
            rows = self.session.execute(
                select(BetRow.portfolio_id, func.sum(BetRow.stake_minor))
                .where(BetRow.portfolio_id.in_(chunk), BetRow.status == BetStatus.OPEN.value)
                .group_by(BetRow.portfolio_id)
            )
            totals.update({portfolio_id: int(total or 0) for portfolio_id, total in rows})
        return totals

    def list_open_stakes(self, *, portfolio_id: int) -> list[OpenStake]:
        """A portfolio's open bets with their fixtures, by kick-off, fixture and bet."""
        rows = self.session.execute(
            with_names(
                BetRow.stake_minor,
                BetRow.odds,
                BetRow.market,
                BetRow.line_quarters,
                BetRow.selection,
            )
            .join(BetRow, BetRow.fixture_id == FixtureRow.id)
            .where(BetRow.portfolio_id == portfolio_id, BetRow.status == BetStatus.OPEN.value)
            .order_by(FixtureRow.kickoff_utc, FixtureRow.id, BetRow.id)
        )
        return [OpenStake(*row) for row in rows]

    def list_settled(self, *, portfolio_id: int) -> list[LabelledBet]:
        """A portfolio's settled bets in settlement order, with their competition and the
        bookmaker whose price they took (for a bet taken elsewhere, the known bookmaker of
        its name, else the name as given)."""
        rows = self.session.execute(
            select(BetRow, CompetitionRow.code, func.coalesce(Bookmaker.code, BetRow.bookmaker))
            .join(FixtureRow, FixtureRow.id == BetRow.fixture_id)
            .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
            .outerjoin(OddsRow, OddsRow.id == BetRow.odds_snapshot_id)
            .outerjoin(
                Bookmaker, Bookmaker.id == func.coalesce(OddsRow.bookmaker_id, BetRow.bookmaker_id)
            )
            .where(BetRow.portfolio_id == portfolio_id, BetRow.status == BetStatus.SETTLED.value)
            .order_by(BetRow.settled_at)
        )
        return [LabelledBet(_record(bet), competition, code) for bet, competition, code in rows]

    def closing_prices(
        self, *, bet_ids: Sequence[int], bookmaker: str | None = None
    ) -> dict[int, Decimal]:
        """Each bet's closing price: the latest closing snapshot of its market and line from
        its own bookmaker (for a bet taken elsewhere, the known bookmaker of its name), or
        from ``bookmaker``, by code, when given; bets without one are left out."""
        placed, close = aliased(OddsRow), aliased(OddsRow)
        if bookmaker is None:
            whose: Any = func.coalesce(placed.bookmaker_id, BetRow.bookmaker_id)
        else:
            whose = select(Bookmaker.id).where(Bookmaker.code == bookmaker).scalar_subquery()
        latest: dict[int, Decimal | None] = {}
        for chunk in chunks(bet_ids):
            rows = self.session.execute(
                select(BetRow.id, BetRow.selection, close)
                .outerjoin(placed, placed.id == BetRow.odds_snapshot_id)
                .join(
                    close,
                    and_(
                        close.fixture_id == BetRow.fixture_id,
                        close.bookmaker_id == whose,
                        close.market == BetRow.market,
                        close.line_quarters == BetRow.line_quarters,
                        close.kind == PriceKind.CLOSING.value,
                    ),
                )
                .where(BetRow.id.in_(chunk))
                .order_by(close.captured_at, close.id)
            )
            for bet_id, selection, row in rows:  # in capture order: the last seen is the latest
                latest[bet_id] = getattr(row, selection)
        return {bet_id: price for bet_id, price in latest.items() if price is not None}


def _conditions(portfolio_id: int, status: BetStatus | None, matching: BetFilter) -> list[Any]:
    """The WHERE clauses of a filtered page of one portfolio's bets."""
    wanted: list[Any] = [BetRow.portfolio_id == portfolio_id]
    status = status or matching.status
    if status is not None:
        wanted.append(BetRow.status == status.value)
    if matching.placed_from is not None:
        wanted.append(BetRow.placed_at >= matching.placed_from)
    if matching.placed_to is not None:
        wanted.append(BetRow.placed_at < matching.placed_to)
    if matching.market is not None:
        wanted.append(BetRow.market == matching.market)
    if matching.outcome is not None:
        wanted.append(BetRow.outcome == matching.outcome)
    if matching.competition is not None:
        competition = select(CompetitionRow.id).where(CompetitionRow.code == matching.competition)
        wanted.append(
            exists().where(
                FixtureRow.id == BetRow.fixture_id,
                FixtureRow.competition_id == competition.scalar_subquery(),
            )
        )
    if matching.bookmaker is not None:
        bookmaker = select(Bookmaker.id).where(Bookmaker.code == matching.bookmaker)
        wanted.append(
            exists().where(
                OddsRow.id == BetRow.odds_snapshot_id,
                OddsRow.bookmaker_id == bookmaker.scalar_subquery(),
            )
        )
    return wanted


_COLUMNS = tuple(BetRow.__table__.c)
_NAMES = tuple(column.name for column in _COLUMNS)


def _from_columns(row: Any) -> BetRecord:
    """A bet from a row of ``_COLUMNS`` (and anything after them)."""
    values = dict(zip(_NAMES, row, strict=False))
    values["status"] = BetStatus(values["status"])
    return BetRecord(**values)


def _record(row: BetRow) -> BetRecord:
    return BetRecord(
        id=row.id,
        portfolio_id=row.portfolio_id,
        fixture_id=row.fixture_id,
        odds_snapshot_id=row.odds_snapshot_id,
        prediction_id=row.prediction_id,
        market=row.market,
        selection=row.selection,
        line_quarters=row.line_quarters,
        odds=row.odds,
        stake_minor=row.stake_minor,
        status=BetStatus(row.status),
        outcome=row.outcome,
        payout_minor=row.payout_minor,
        placed_at=row.placed_at,
        settled_at=row.settled_at,
        bookmaker=row.bookmaker,
        bookmaker_id=row.bookmaker_id,
        bookmaker_account_id=row.bookmaker_account_id,
    )
