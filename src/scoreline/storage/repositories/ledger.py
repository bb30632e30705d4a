"""The ledger: every movement of a portfolio's money, append-only.

A bankroll is never stored: it is the sum of the portfolio's entries, so
"bankroll = deposits + settled P&L - open stakes" holds by construction. The
table's triggers refuse UPDATE and DELETE (migration 0003), and this class
offers neither.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoreline.domain.betting import LedgerKind
from scoreline.storage.repositories._sql import chunks
from scoreline.storage.tables import LedgerEntryRow

__all__ = ["LedgerRepository"]


class LedgerRepository:
    """Ledger entries: appended, and summed."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        portfolio_id: int,
        kind: LedgerKind,
        amount_minor: int,
        created_at: datetime,
        bet_id: int | None = None,
    ) -> None:
        """Append one movement (negative: money out)."""
        self.session.add(
            LedgerEntryRow(
                portfolio_id=portfolio_id,
                kind=kind.value,
                amount_minor=amount_minor,
                bet_id=bet_id,
                created_at=created_at,
            )
        )

    def balance(self, *, portfolio_id: int) -> int:
        """The portfolio's bankroll: the sum of its entries."""
        total = self.session.scalar(
            select(func.coalesce(func.sum(LedgerEntryRow.amount_minor), 0)).where(
                LedgerEntryRow.portfolio_id == portfolio_id
            )
        )
        return int(total or 0)

    def balances(self, *, portfolio_ids: Sequence[int]) -> dict[int, int]:
        """The bankroll of each portfolio (0 for one without entries)."""
        totals = dict.fromkeys(portfolio_ids, 0)
        for chunk in chunks(portfolio_ids):
            rows = self.session.execute(
                select(LedgerEntryRow.portfolio_id, func.sum(LedgerEntryRow.amount_minor))
                .where(LedgerEntryRow.portfolio_id.in_(chunk))
                .group_by(LedgerEntryRow.portfolio_id)
            )
            totals.update({portfolio_id: int(total or 0) for portfolio_id, total in rows})
        return totals

    def net_deposits(self, *, portfolio_id: int) -> int:
        """Money put in less money taken out (bets' stakes and returns left aside)."""
        total = self.session.scalar(
            select(func.coalesce(func.sum(LedgerEntryRow.amount_minor), 0)).where(
                LedgerEntryRow.portfolio_id == portfolio_id,
                LedgerEntryRow.kind.in_([LedgerKind.DEPOSIT.value, LedgerKind.WITHDRAWAL.value]),
            )
        )
        return int(total or 0)

    def list_flows(self, *, portfolio_id: int) -> list[tuple[datetime, int]]:
        """The portfolio's deposits (positive) and withdrawals (negative) with their times,
        in the order they were made."""
        rows = self.session.execute(
            select(LedgerEntryRow.created_at, LedgerEntryRow.amount_minor)
            .where(
                LedgerEntryRow.portfolio_id == portfolio_id,
                LedgerEntryRow.kind.in_([LedgerKind.DEPOSIT.value, LedgerKind.WITHDRAWAL.value]),
            )
            .order_by(LedgerEntryRow.id)
        )
        return [(at, int(amount)) for at, amount in rows]
