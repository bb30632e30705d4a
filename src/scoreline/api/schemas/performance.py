"""A book's results: figures, the cash, equity and drawdown series, CLV.

Ratios are decimal fractions (0.05 is 5%), null when undefined. The README's
"Performance figures" section defines each one.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BankrollPoint",
    "ClvPoint",
    "ConfidenceIntervalRead",
    "DrawdownPoint",
    "Figures",
    "PerformanceRead",
]


class ConfidenceIntervalRead(BaseModel):
    """A 95% confidence interval and its method: ``t`` (Student t-interval of a mean) or
    ``wilson`` (Wilson score interval of a share)."""

    model_config = ConfigDict(from_attributes=True)

    low: Decimal
    high: Decimal
    method: Literal["t", "wilson"]


class Figures(BaseModel):
    """A book's results over some settled bets (``pricing.performance.Performance``)."""

    model_config = ConfigDict(from_attributes=True)

    n_bets: int
    staked_minor: int
    profit_minor: int
    roi: Decimal | None = Field(
        description="Time-weighted return on the book's capital over the range: returns of "
        "the periods between deposits and withdrawals, chained, so money paid in is not a "
        "return. Null for a breakdown row (a competition has no capital of its own)."
    )
    yield_: Decimal | None = Field(
        serialization_alias="yield", description="Profit over the total staked."
    )
    bankroll_return: Decimal | None = Field(
        description="Profit over net deposits, whenever they were made; kept for older "
        "clients: `roi` is the return on capital."
    )
    n_won: int
    n_lost: int
    n_returned: int
    win_rate: Decimal | None
    n_with_close: int
    clv_mean: Decimal | None
    clv_ci95: ConfidenceIntervalRead | None = Field(
        description="95% t-interval of the mean CLV; null with fewer than two closes."
    )
    beat_close_share: Decimal | None
    beat_close_ci95: ConfidenceIntervalRead | None = Field(
        description="95% Wilson interval of the share beating the close."
    )
    n_with_edge: int = Field(description="Bets whose probability at placement is on record.")
    expected_profit_minor: int = Field(
        description="Sum of stake × (probability × odds − 1) at placement over those bets."
    )
    profit_with_edge_minor: int = Field(
        description="The profit those same bets made, to set beside the expected profit."
    )


class BankrollPoint(BaseModel):
    """The book after everything at one instant: cash (the ledger's balance, what the
    portfolio calls its bankroll) and equity (cash plus open stakes at their stake)."""

    at: datetime
    bankroll_minor: int = Field(description="Cash: deposits, stakes and returns so far.")
    equity_minor: int = Field(description="Cash plus the stakes of bets still open.")


class DrawdownPoint(BaseModel):
    """How far the time-weighted equity stood below its running peak: a positive share of
    the peak (0 at a new high, 0.25 a quarter below it)."""

    at: datetime
    drawdown: Decimal


class ClvPoint(BaseModel):
    """One settled bet's closing-line value: ``odds / closing odds - 1``."""

    model_config = ConfigDict(from_attributes=True)

    bet_id: int
    settled_at: datetime
    clv: Decimal


class PerformanceRead(BaseModel):
    """P&L, ROI, yield, expected profit, drawdown and CLV of a portfolio over a date range."""

    summary: Figures
    by_competition: dict[str, Figures]
    by_market: dict[str, Figures]
    by_bookmaker: dict[str, Figures]
    bankroll: list[BankrollPoint]
    drawdown: list[DrawdownPoint]
    max_drawdown: Decimal = Field(
        description="The worst drawdown in the range: the largest point of `drawdown`."
    )
    clv: list[ClvPoint]
