"""A portfolio's bet history: every bet, open, settled or void, with its fixture, bookmaker,
closing price, CLV and P&L; a bet's own page with its audit snapshots; and the history as CSV.

Pages are the bets list's (``uow.bets.list_``, one statement on the portfolio's
bet index), labelled afterwards for the page's bets only, so filtering and
paging cost what the plain list costs. The closing price is the bet's own
bookmaker's close when stored, else the sharp book's (``domain.bet_history``);
CLV is ``pricing.performance.price_clv``, as the performance report has it.
Bets are found through their owner: someone else's is "not found".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal

from scoreline.domain.bet_history import (
    BetFilter,
    BetLabels,
    BetLine,
    BetPage,
    ClosingPrice,
    ClosingSource,
)
from scoreline.domain.betting import BetRecord
from scoreline.domain.bookmakers import SHARP
from scoreline.domain.money import format_amount
from scoreline.errors import NotFoundError
from scoreline.pricing.performance import price_clv
from scoreline.services import portfolios
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["CSV_COLUMNS", "bet_page", "csv_rows", "export_csv", "list_"]

_EXPORT_PAGE = 500
_RATIO = Decimal("0.000001")


def list_(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    matching: BetFilter,
    limit: int,
    offset: int,
) -> tuple[list[BetLine], int]:
    """A page of one of the owner's portfolios' bets, newest first, as ``matching``
    narrows them; and how many match."""
    with unit_of_work() as uow:
        portfolio = portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        found, total = uow.bets.list_(
            portfolio_id=portfolio_id, limit=limit, offset=offset, matching=matching
        )
        return _lines(uow, found, portfolio.currency), total


def bet_page(unit_of_work: UnitOfWorkFactory, *, owner_id: int, bet_id: int) -> BetPage:
    """One of the owner's bets with its audit snapshots; ``NotFoundError`` for anyone
    else's."""
    with unit_of_work() as uow:
        bet = uow.bets.get(bet_id=bet_id, owner_id=owner_id)
        if bet is None:
            raise NotFoundError(f"bet {bet_id} not found")
        portfolio = portfolios.owned(uow, owner_id=owner_id, portfolio_id=bet.portfolio_id)
        (line,) = _lines(uow, [bet], portfolio.currency)
        return BetPage(line=line, audit=uow.audit.list_for_bet(bet_id=bet.id))


def _lines(uow: UnitOfWork, found: Sequence[BetRecord], currency: str) -> list[BetLine]:
    """The bets with their labels and closing prices, in the order given."""
    ids = [bet.id for bet in found]
    labels = uow.bets.labels(bet_ids=ids)
    own = uow.bets.closing_prices(bet_ids=ids)
    market = uow.bets.closing_prices(bet_ids=[i for i in ids if i not in own], bookmaker=SHARP)
    lines = []
    for bet in found:
        label = labels[bet.id]
        closing = _closing(own.get(bet.id), market.get(bet.id), label)
        lines.append(
            BetLine(
                bet=bet,
                labels=label,
                currency=currency,
                closing=closing,
                clv=None if closing is None else price_clv(bet.odds, closing.odds),
            )
        )
    return lines


def _closing(own: Decimal | None, market: Decimal | None, label: BetLabels) -> ClosingPrice | None:
    """The bet's own bookmaker's close if stored, else the market's (the sharp book's)."""
    if own is not None:
        return ClosingPrice(own, ClosingSource.BOOKMAKER, label.bookmaker or "")
    if market is not None:
        return ClosingPrice(market, ClosingSource.MARKET, SHARP)
    return None


CSV_COLUMNS = (
    "bet_id",
    "placed_at",
    "settled_at",
    "competition",
    "kickoff",
    "home_team",
    "away_team",
    "market",
    "line",
    "selection",
    "bookmaker",
    "status",
    "outcome",
    "odds",
    "closing_odds",
    "closing_source",
    "clv",
    "currency",
    "stake",
    "payout",
    "profit",
)
"""The export's header: one row per bet; money in currency units with two decimals beside
its currency, CLV to six places, instants in ISO 8601 UTC."""


def csv_rows(line: BetLine) -> list[str]:
    """One bet as the export's cells, in ``CSV_COLUMNS`` order."""
    bet, label = line.bet, line.labels
    return [
        str(bet.id),
        bet.placed_at.isoformat(),
        "" if bet.settled_at is None else bet.settled_at.isoformat(),
        _text(label.competition),
        label.kickoff.isoformat(),
        _text(label.home_team),
        _text(label.away_team),
        bet.market,
        "" if bet.line is None else str(bet.line),
        bet.selection,
        _text(label.bookmaker or ""),
        bet.status.value,
        bet.outcome or "",
        str(bet.odds),
        "" if line.closing is None else str(line.closing.odds),
        "" if line.closing is None else line.closing.source.value,
        "" if line.clv is None else str(line.clv.quantize(_RATIO)),
        line.currency,
        format_amount(bet.stake_minor),
        "" if bet.payout_minor is None else format_amount(bet.payout_minor),
        "" if line.profit_minor is None else format_amount(line.profit_minor),
    ]


def export_csv(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int, matching: BetFilter
) -> Iterator[str]:
    """The matching bets as CSV text, header first, newest bet first, a page of bets per
    short transaction (``NotFoundError`` before any text for someone else's portfolio)."""

    def page(offset: int) -> tuple[list[BetLine], int]:
        return list_(
            unit_of_work,
            owner_id=owner_id,
            portfolio_id=portfolio_id,
            matching=matching,
            limit=_EXPORT_PAGE,
            offset=offset,
        )

    first = page(0)  # here, not in the generator: a missing portfolio fails before a byte
    return _csv_text(first, page)


def _csv_text(
    first: tuple[list[BetLine], int], page: Callable[[int], tuple[list[BetLine], int]]
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    (lines, total), offset = first, 0
    while True:
        writer.writerows(csv_rows(line) for line in lines)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        offset += _EXPORT_PAGE
        if offset >= total:
            return
        lines, _ = page(offset)


def _text(value: str) -> str:
    """A name as a spreadsheet should show it: text that it would run as a formula is
    defused with a leading apostrophe."""
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value
