"""How a portfolio has done: P&L, ROI, yield, CLV, bankroll and drawdown, by dimension.

The figures are ``pricing.performance``'s over the portfolio's settled bets
(in settlement order), each with the competition it was on, the bookmaker
whose price it took and that bookmaker's closing price of the same selection.
The bankroll series starts from the money put in (deposits less
withdrawals), which is also the base of ``bankroll_return`` when positive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from scoreline.pricing.performance import (
    BankrollPoint,
    DrawdownPoint,
    Performance,
    SettledBet,
    bankroll_series,
    between,
    by_dimension,
    drawdown_series,
    summary,
)
from scoreline.services import portfolios
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["ClosingLineValue", "PerformanceReport", "report"]


@dataclass(frozen=True, slots=True)
class ClosingLineValue:
    """One settled bet's ``odds / closing odds - 1``."""

    bet_id: int
    settled_at: datetime
    clv: Decimal


@dataclass(frozen=True, slots=True)
class PerformanceReport:
    """A portfolio's results over a period, whole and by competition, market and bookmaker."""

    summary: Performance
    by_competition: dict[str, Performance]
    by_market: dict[str, Performance]
    by_bookmaker: dict[str, Performance]
    bankroll: list[BankrollPoint]
    drawdown: list[DrawdownPoint]
    clv: list[ClosingLineValue]


def report(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> PerformanceReport:
    """The results of one of the owner's portfolios over the bets settled in ``[start, end)``
    (either side open when None)."""
    bets, deposits = _settled_bets(unit_of_work, owner_id=owner_id, portfolio_id=portfolio_id)
    chosen = between([bet for _, bet in bets], start, end)
    kept = {id(bet) for bet in chosen}
    series = bankroll_series(chosen, deposits)
    return PerformanceReport(
        summary=summary(chosen, initial_bankroll_minor=deposits if deposits > 0 else None),
        by_competition=by_dimension(chosen, "competition"),
        by_market=by_dimension(chosen, "market"),
        by_bookmaker=by_dimension(chosen, "bookmaker"),
        bankroll=series,
        drawdown=drawdown_series(series),
        clv=[
            ClosingLineValue(bet_id, bet.settled_at, value)
            for bet_id, bet in bets
            if id(bet) in kept and (value := bet.clv) is not None
        ],
    )


def _settled_bets(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int
) -> tuple[list[tuple[int, SettledBet]], int]:
    """The portfolio's settled bets (with their ids) in settlement order, and its net
    deposits."""
    with unit_of_work() as uow:
        portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        labelled = uow.bets.list_settled(portfolio_id=portfolio_id)
        closing = uow.bets.closing_prices(bet_ids=[item.bet.id for item in labelled])
        deposits = uow.ledger.net_deposits(portfolio_id=portfolio_id)
    bets = [
        (
            bet.id,
            SettledBet(
                placed_at=bet.placed_at,
                settled_at=bet.settled_at or bet.placed_at,
                stake_minor=bet.stake_minor,
                payout_minor=bet.payout_minor or 0,
                odds=bet.odds,
                closing_odds=closing.get(bet.id),
                competition=competition,
                market=bet.market,
                bookmaker=bookmaker,
            ),
        )
        for bet, competition, bookmaker in labelled
    ]
    return bets, deposits
