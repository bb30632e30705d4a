"""A book's bet history as a bettor reads it: each bet with its fixture, bookmaker, closing
price, CLV and P&L, and a bet's audit trail.

The closing price a bet is judged against is its own bookmaker's closing snapshot
of the same market and line when one is stored (``ClosingSource.BOOKMAKER``);
otherwise the market's close, the sharp book's (``bookmakers.SHARP``) closing
snapshot of that market and line (``ClosingSource.MARKET``); otherwise none. The
record says which, so a CLV against Pinnacle's close is never read as one
against the bettor's own bookmaker.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from scoreline.domain.betting import AuditKind, BetRecord, BetStatus

__all__ = ["AuditEntry", "BetFilter", "BetLabels", "BetLine", "BetPage", "ClosingPrice"]


@dataclass(frozen=True, slots=True)
class BetFilter:
    """Which bets to list; every field left None matches every bet.

    ``placed_from`` is inclusive and ``placed_to`` exclusive (UTC instants);
    ``outcome`` is how a settled bet ended (``pricing.settlement.BetOutcome``
    values, ``"void"`` for a voided one).
    """

    placed_from: datetime | None = None
    placed_to: datetime | None = None
    competition: str | None = None
    market: str | None = None
    bookmaker: str | None = None
    status: BetStatus | None = None
    outcome: str | None = None


class ClosingSource(enum.StrEnum):
    """Whose close a bet's closing price is."""

    BOOKMAKER = "bookmaker"
    MARKET = "market"


@dataclass(frozen=True, slots=True)
class ClosingPrice:
    """The closing price of a bet's selection, and whose close it is."""

    odds: Decimal
    source: ClosingSource
    bookmaker: str


@dataclass(frozen=True, slots=True)
class BetLabels:
    """What a person reads a bet by: its fixture and the bookmaker whose price it took."""

    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    bookmaker: str | None


@dataclass(frozen=True, slots=True)
class BetLine:
    """One bet of the history, in its portfolio's currency.

    ``clv`` is ``odds / closing odds - 1`` (``pricing.performance.price_clv``, as
    the performance report computes it), None without a closing price.
    ``profit_minor`` is None while the bet is open, 0 for a void.
    """

    bet: BetRecord
    labels: BetLabels
    currency: str
    closing: ClosingPrice | None
    clv: Decimal | None

    @property
    def profit_minor(self) -> int | None:
        """Payout less stake once the bet is closed; None while it is open."""
        return None if self.bet.status is BetStatus.OPEN else self.bet.profit_minor


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit snapshot of a bet: the step, when, its canonical payload and its hashes."""

    id: int
    kind: AuditKind
    created_at: datetime
    payload: str
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class BetPage:
    """A bet's own page: its history line and every audit snapshot of it, oldest first."""

    line: BetLine
    audit: list[AuditEntry]
