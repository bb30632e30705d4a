"""A portfolio's bet history and a bet's own page."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from scoreline.api.schemas.bets import BetRead
from scoreline.domain.bet_history import AuditEntry, BetLine, BetPage

__all__ = ["AuditSnapshotRead", "BetHistoryRead", "BetPageRead"]


class BetHistoryRead(BetRead):
    """A bet as its history shows it: the fixture, the bookmaker whose price it took, the
    close it is judged against, its CLV and its P&L, in the portfolio's currency."""

    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    bookmaker: str | None
    currency: str
    closing_odds: Decimal | None = Field(
        description="The selection's closing price: the bet's own bookmaker's close of the"
        " same market and line if stored, else the market's (the sharp book's) close."
    )
    closing_source: Literal["bookmaker", "market"] | None = Field(
        description="Whose close closing_odds is: the bet's own bookmaker or the market's."
    )
    closing_bookmaker: str | None
    clv: Decimal | None = Field(description="odds / closing_odds - 1; None without a close.")
    profit_minor: int | None = Field(
        description="Payout less stake in minor units; None while open, 0 for a void."
    )

    @classmethod
    def of_line(cls, line: BetLine) -> BetHistoryRead:
        """The schema of one history line."""
        closing = line.closing
        bet = BetRead.of(line.bet).model_dump()
        # A bet taken elsewhere names its bookmaker itself; ours are named by the snapshot.
        bet["bookmaker"] = line.labels.bookmaker or bet.get("bookmaker")
        return cls(
            **bet,
            competition=line.labels.competition,
            kickoff=line.labels.kickoff,
            home_team=line.labels.home_team,
            away_team=line.labels.away_team,
            currency=line.currency,
            closing_odds=None if closing is None else closing.odds,
            closing_source=None if closing is None else closing.source.value,
            closing_bookmaker=None if closing is None else closing.bookmaker,
            clv=line.clv,
            profit_minor=line.profit_minor,
        )


class AuditSnapshotRead(BaseModel):
    """One audit snapshot of a bet: the canonical JSON that was hashed, and the chain."""

    id: int
    kind: Literal["placed", "settled", "voided"]
    created_at: datetime
    payload: str = Field(description="The canonical JSON text the hash covers.")
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditSnapshotRead:
        """The schema of one stored snapshot."""
        return cls(
            id=entry.id,
            kind=entry.kind.value,
            created_at=entry.created_at,
            payload=entry.payload,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )


class BetPageRead(BaseModel):
    """A bet's own page: the bet as history shows it, and its audit snapshots, oldest first."""

    bet: BetHistoryRead
    audit: list[AuditSnapshotRead]

    @classmethod
    def of(cls, page: BetPage) -> BetPageRead:
        """The schema of a bet's page."""
        return cls(
            bet=BetHistoryRead.of_line(page.line),
            audit=[AuditSnapshotRead.of(entry) for entry in page.audit],
        )
