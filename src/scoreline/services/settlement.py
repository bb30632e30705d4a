"""Settlement: a finished fixture's open bets paid by their result, exactly once.

A bet moves from open to settled with a conditional UPDATE (``WHERE status =
'open'``), so two settlements racing on the same bet pay once; the payout and
an audit snapshot are written in the same transaction. ``pipeline.settlement``
calls this for each result on the ``results`` stream, and sweeps now and then
for fixtures whose result came in while nothing was listening.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select, update

from scoreline.domain import Market, Selection
from scoreline.pricing.settlement import payout_minor, settle
from scoreline.services.audit import append_snapshot
from scoreline.storage.tables import BetRow, LedgerEntryRow, PortfolioRow, ResultRow
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["SettlementNotice", "fixtures_to_settle", "notices", "settle_fixture"]


@dataclass(frozen=True, slots=True)
class SettlementNotice:
    """What a bet's owner is told when it settles (``bet:settled``)."""

    owner_id: int
    bet_id: int
    portfolio_id: int
    fixture_id: int
    outcome: str | None
    payout_minor: int | None
    profit_minor: int


def _now() -> datetime:
    return datetime.now(UTC)


def settle_fixture(unit_of_work: UnitOfWorkFactory, *, fixture_id: int) -> list[int]:
    """Settle every open bet on a finished fixture; the ids this call settled.

    Safe to run concurrently and repeatedly: a bet another settlement got to
    first is skipped, so nothing is paid twice.
    """
    now = _now()
    settled: list[int] = []
    with unit_of_work() as uow:
        session = uow.session
        result = session.get(ResultRow, fixture_id)
        if result is None:
            return []
        bets = session.scalars(
            select(BetRow).where(BetRow.fixture_id == fixture_id, BetRow.status == "open")
        ).all()
        for bet in bets:
            line = None if bet.market == Market.MATCH_ODDS.value else Decimal(bet.line_quarters) / 4
            outcome = settle(
                Market(bet.market),
                Selection(bet.selection),
                line,
                result.home_goals,
                result.away_goals,
            )
            paid = payout_minor(bet.stake_minor, bet.odds, outcome)
            moved = session.execute(
                update(BetRow)
                .where(BetRow.id == bet.id, BetRow.status == "open")
                .values(status="settled", outcome=outcome.value, payout_minor=paid, settled_at=now)
            )
            if getattr(moved, "rowcount", 0) != 1:
                continue  # another settlement got there first
            if paid:
                session.add(
                    LedgerEntryRow(
                        portfolio_id=bet.portfolio_id,
                        kind="payout",
                        amount_minor=paid,
                        bet_id=bet.id,
                        created_at=now,
                    )
                )
            append_snapshot(
                session,
                bet_id=bet.id,
                kind="settled",
                payload={
                    "bet_id": bet.id,
                    "score": [result.home_goals, result.away_goals],
                    "outcome": outcome.value,
                    "payout_minor": paid,
                    "profit_minor": paid - bet.stake_minor,
                    "at": now,
                },
                now=now,
            )
            settled.append(bet.id)
        uow.commit()
    return settled


def fixtures_to_settle(unit_of_work: UnitOfWorkFactory) -> list[int]:
    """Finished fixtures that still have open bets (their result came in unheard)."""
    with unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(BetRow.fixture_id)
                .join(ResultRow, ResultRow.fixture_id == BetRow.fixture_id)
                .where(BetRow.status == "open")
                .distinct()
            )
        )


def notices(unit_of_work: UnitOfWorkFactory, bet_ids: list[int]) -> list[SettlementNotice]:
    """What to tell the owners of these settled bets."""
    with unit_of_work() as uow:
        rows = uow.session.execute(
            select(BetRow, PortfolioRow.owner_id)
            .join(PortfolioRow, PortfolioRow.id == BetRow.portfolio_id)
            .where(BetRow.id.in_(bet_ids))
        ).all()
        return [
            SettlementNotice(
                owner_id=owner,
                bet_id=bet.id,
                portfolio_id=bet.portfolio_id,
                fixture_id=bet.fixture_id,
                outcome=bet.outcome,
                payout_minor=bet.payout_minor,
                profit_minor=(bet.payout_minor or 0) - bet.stake_minor,
            )
            for bet, owner in rows
        ]
