"""A book's results: figures, bankroll and drawdown series, CLV."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BankrollPoint",
    "ClvPoint",
    "DrawdownPoint",
    "Figures",
    "PerformanceRead",
]


class Figures(BaseModel):
    """A book's results over some settled bets (``pricing.performance.Performance``);
    ratios are decimal fractions (0.05 is 5%), null when undefined."""

    model_config = ConfigDict(from_attributes=True)

    n_bets: int
    staked_minor: int
    profit_minor: int
    roi: Decimal | None
    yield_: Decimal | None = Field(serialization_alias="yield")
    bankroll_return: Decimal | None
    n_won: int
    n_lost: int
    n_returned: int
    win_rate: Decimal | None
    n_with_close: int
    clv_mean: Decimal | None
    beat_close_share: Decimal | None


class BankrollPoint(BaseModel):
    """The bankroll after a settlement."""

    at: datetime
    bankroll_minor: int


class DrawdownPoint(BaseModel):
    """How far below its running peak the bankroll stood (0 or a negative fraction)."""

    at: datetime
    drawdown: Decimal


class ClvPoint(BaseModel):
    """One settled bet's closing-line value: ``odds / closing odds - 1``."""

    model_config = ConfigDict(from_attributes=True)

    bet_id: int
    settled_at: datetime
    clv: Decimal


class PerformanceRead(BaseModel):
    """P&L, ROI, yield, drawdown and CLV of a portfolio over a date range."""

    summary: Figures
    by_competition: dict[str, Figures]
    by_market: dict[str, Figures]
    by_bookmaker: dict[str, Figures]
    bankroll: list[BankrollPoint]
    drawdown: list[DrawdownPoint]
    clv: list[ClvPoint]
