"""How a portfolio has done: profit, yield, time-weighted ROI, CLV, cash, equity and drawdown.

The bet figures are ``pricing.performance``'s over the portfolio's settled bets
(in settlement order), each with the competition it was on, the bookmaker
whose price it took, that bookmaker's closing price of the same selection, and
our probability of it when it was placed (read from its audit snapshot, which
nothing can rewrite). The cash and equity series are ``pricing.equity``'s over
every bet and every deposit and withdrawal at its real time; the ROI and the
drawdown come from them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from scoreline.domain.betting import BetRecord, BetStatus
from scoreline.domain.markets import Market
from scoreline.pricing.equity import (
    BookBet,
    BookPoint,
    Flow,
    book_series,
    max_drawdown,
    time_weighted_return,
    window,
)
from scoreline.pricing.performance import Performance, SettledBet, between, by_dimension, summary
from scoreline.services import portfolios
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["ClosingLineValue", "PerformanceReport", "report"]

_OUTCOMES_1X2 = ("home", "draw", "away")


@dataclass(frozen=True, slots=True)
class ClosingLineValue:
    """One settled bet's ``odds / closing odds - 1``."""

    bet_id: int
    settled_at: datetime
    clv: Decimal


@dataclass(frozen=True, slots=True)
class PerformanceReport:
    """A portfolio's results over a period, whole and by competition, market and bookmaker.

    ``series`` is the book's cash, equity and drawdown at each instant money moved in
    the range (opened by the book as it stood at the range's start);
    ``max_drawdown`` is the worst drawdown among those points.
    """

    summary: Performance
    by_competition: dict[str, Performance]
    by_market: dict[str, Performance]
    by_bookmaker: dict[str, Performance]
    series: list[BookPoint]
    max_drawdown: Decimal
    clv: list[ClosingLineValue]


def report(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    start: datetime | None = None,
    end: datetime | None = None,
) -> PerformanceReport:
    """The results of one of the owner's portfolios over ``[start, end)`` (either side open
    when None): the bets settled in it, and the book's money through it."""
    with unit_of_work() as uow:
        portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        labelled = uow.bets.list_settled(portfolio_id=portfolio_id)
        settled_ids = [item.bet.id for item in labelled]
        closing = uow.bets.closing_prices(bet_ids=settled_ids)
        placed = uow.audit.placed_payloads(bet_ids=settled_ids)
        every = uow.bets.list_by_portfolio(portfolio_id=portfolio_id)
        flows = [
            Flow(at, amount) for at, amount in uow.ledger.list_flows(portfolio_id=portfolio_id)
        ]
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
                probability=_probability_at_placement(placed.get(bet.id), bet),
            ),
        )
        for bet, competition, bookmaker in labelled
    ]
    chosen = between([bet for _, bet in bets], start, end)
    kept = {id(bet) for bet in chosen}
    series = window(book_series(_book_bets(every), flows), start, end)
    deposited = sum(f.amount_minor for f in flows if end is None or f.at < end)
    return PerformanceReport(
        summary=summary(
            chosen,
            initial_bankroll_minor=deposited if deposited > 0 else None,
            roi=time_weighted_return(series),
        ),
        by_competition=by_dimension(chosen, "competition"),
        by_market=by_dimension(chosen, "market"),
        by_bookmaker=by_dimension(chosen, "bookmaker"),
        series=series,
        max_drawdown=max_drawdown(series),
        clv=[
            ClosingLineValue(bet_id, bet.settled_at, value)
            for bet_id, bet in bets
            if id(bet) in kept and (value := bet.clv) is not None
        ],
    )


def _book_bets(bets: Sequence[BetRecord]) -> list[BookBet]:
    """Each bet as money: a settled bet returns its payout, a void its refund (stored as
    its payout too), an open one nothing yet."""
    return [
        BookBet(
            placed_at=bet.placed_at,
            stake_minor=bet.stake_minor,
            closed_at=None if bet.status is BetStatus.OPEN else bet.settled_at,
            returned_minor=0 if bet.status is BetStatus.OPEN else bet.payout_minor or 0,
        )
        for bet in bets
    ]


def _probability_at_placement(payload: str | None, bet: BetRecord) -> float | None:
    """Our probability of a 1X2 bet's selection when it was placed, from its placement
    snapshot's prediction; None for other markets (the snapshot records the 1X2
    prediction only), or without a prediction."""
    if payload is None or bet.market != Market.MATCH_ODDS or bet.selection not in _OUTCOMES_1X2:
        return None
    prediction = json.loads(payload).get("prediction")
    probabilities = prediction.get("probabilities") if isinstance(prediction, dict) else None
    if not isinstance(probabilities, list) or len(probabilities) != len(_OUTCOMES_1X2):
        return None
    value = probabilities[_OUTCOMES_1X2.index(bet.selection)]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        return None
    return float(value)
