"""Bets placed anywhere: a bet taken at any bookmaker, recorded at the price obtained.

Most of a professional's bets are not placed through us. Such a bet names no
stored odds snapshot (we may hold no price of that bookmaker at all): it names
its bookmaker, market, line, selection, price, stake and when it was taken, and
is otherwise a bet like any other. The time rules still hold
(``domain.placement``: nothing on a fixture that has kicked off or has a
result, judged when it is recorded, and a bet cannot be taken in the future),
the price obeys the one price rule (``domain.prices``), and the stake leaves the
portfolio's cash through the ledger, within the cash available, under the
portfolio's lock with its audit snapshot last (``services.lock_order``: 1 -> 3).

Settlement (``services.settlement``) reads a bet's market, selection, line and
price and nothing of its snapshot, so a recorded bet settles exactly as a placed
one, Asian quarter lines included. Its closing price is its bookmaker's close
when we hold that bookmaker's prices (``bets.bookmaker_id``), so it is scored by
CLV where a close exists, and performance groups it under that bookmaker, or
under the name given.

When the bet is staked from one of the portfolio's bookmaker accounts (named by
id, or found by the bookmaker's name), the bet records it, for P&L and CLV per
account (``services.bookmaker_accounts``). The account's balance is the user's to
record; a bet does not change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from scoreline.domain import bookmakers, placement
from scoreline.domain.betting import AuditKind, LedgerKind
from scoreline.domain.bookmaker_accounts import BookmakerAccountRecord
from scoreline.domain.fixtures import iso
from scoreline.domain.markets import SELECTIONS, Market, Selection, market_line
from scoreline.domain.money import format_money
from scoreline.domain.prices import price_fault
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.services import audit, lock_order, portfolios
from scoreline.services.bets import MAX_STAKE_MINOR
from scoreline.services.bets import _prediction_record as prediction_record  # one shape
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["PRICE_PLACES", "ExternalBet", "record"]

PRICE_PLACES = 4
"""Decimal places a price may have: the stored column's (NUMERIC(10, 4)); a finer price
would be rounded on the way in, and the bet would settle at a price nobody obtained."""

_MAX_NAME = 64


@dataclass(frozen=True, slots=True)
class ExternalBet:
    """A bet as taken at a bookmaker: ``line`` None for 1X2, ``placed_at`` None for now;
    ``bookmaker`` the name (any), or None to take the account's."""

    fixture_id: int
    market: Market
    line: Decimal | None
    selection: Selection
    price: Decimal
    stake_minor: int
    bookmaker: str | None = None
    account_id: int | None = None
    placed_at: datetime | None = None


def record(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    bet: ExternalBet,
    now: datetime | None = None,
) -> int:
    """Record a bet taken at a bookmaker into one of the owner's portfolios; its id.

    ``DataError`` (422) for a bet that can never be taken (a price out of range or
    finer than ``PRICE_PLACES``, a selection or line the market lacks, a stake out
    of range, a market-wide figure named as bookmaker, a time in the future);
    ``ConflictError`` (409) when the fixture has kicked off or has a result, or the
    stake exceeds the cash; ``NotFoundError`` for a fixture or account not found.
    """
    moment = now or datetime.now(UTC)
    line = _check(bet, now=moment)
    return lock_order.retried(
        lambda: _record(
            unit_of_work,
            owner_id=owner_id,
            portfolio_id=portfolio_id,
            bet=bet,
            line=line,
            now=moment,
        ),
        what="recording a bet",
    )


def _check(bet: ExternalBet, *, now: datetime) -> Decimal | None:
    """The bet's line, once what can be judged without the database is right."""
    stake = bet.stake_minor
    if isinstance(stake, bool) or not isinstance(stake, int) or not 0 < stake <= MAX_STAKE_MINOR:
        raise DataError(f"stake_minor must be a whole number in 1..{MAX_STAKE_MINOR}")
    if (fault := price_fault(bet.price)) is not None:
        raise DataError(f"price {bet.price} is {fault}")
    exponent = bet.price.as_tuple().exponent
    if (
        isinstance(exponent, int)
        and -exponent > PRICE_PLACES
        and bet.price != round(bet.price, PRICE_PLACES)
    ):
        raise DataError(f"price {bet.price} has more than {PRICE_PLACES} decimal places")
    if bet.selection not in SELECTIONS[bet.market]:
        raise DataError(f"{bet.selection.value} is not a selection of {bet.market.value}")
    try:
        line = market_line(bet.market, bet.line)
    except ValueError as error:
        raise DataError(str(error)) from error
    if bet.placed_at is not None and bet.placed_at > now:
        raise DataError(
            f"placed_at {iso(bet.placed_at)} is in the future; record a bet once it is taken"
        )
    return line


def _record(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    bet: ExternalBet,
    line: Decimal | None,
    now: datetime,
) -> int:
    """One run of ``record``'s transaction."""
    placed_at = bet.placed_at or now
    with unit_of_work() as uow:
        portfolio = portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        fixture = uow.fixtures.get(bet.fixture_id)
        if fixture is None:
            raise NotFoundError(f"fixture {bet.fixture_id} not found")
        placement.check_bettable(fixture, now=now)
        account = _account(uow, owner_id=owner_id, portfolio_id=portfolio.id, bet=bet)
        name = _bookmaker_name(bet, account)
        known = uow.bookmaker_accounts.known_bookmaker_id(name=name)
        uow.portfolios.lock(portfolio_id=portfolio.id)  # lock_order: 1
        balance = uow.ledger.balance(portfolio_id=portfolio.id)
        if bet.stake_minor > balance:
            raise ConflictError(
                f"stake {format_money(bet.stake_minor, portfolio.currency)} exceeds the cash"
                f" available {format_money(balance, portfolio.currency)}"
            )
        active = uow.model_versions.active()
        predictions = (
            []
            if active is None
            else uow.predictions.latest(fixture_ids=[fixture.id], model_version_id=active.id)
        )
        prediction = predictions[0] if predictions else None
        line_quarters = 0 if line is None else int(line * 4)
        bet_id = uow.bets.add(
            portfolio_id=portfolio.id,
            fixture_id=fixture.id,
            odds_snapshot_id=None,
            prediction_id=None if prediction is None else prediction.id,
            market=bet.market.value,
            selection=bet.selection.value,
            line_quarters=line_quarters,
            odds=bet.price,
            stake_minor=bet.stake_minor,
            placed_at=placed_at,
            bookmaker=name,
            bookmaker_id=known,
            bookmaker_account_id=None if account is None else account.id,
        )
        uow.ledger.add(
            portfolio_id=portfolio.id,
            kind=LedgerKind.STAKE,
            amount_minor=-bet.stake_minor,
            bet_id=bet_id,
            created_at=placed_at,
        )
        payload: dict[str, Any] = {
            "bet": {
                "id": bet_id,
                "portfolio_id": portfolio.id,
                "owner_id": owner_id,
                "selection": bet.selection.value,
                "market": bet.market.value,
                "line": str(Decimal(line_quarters) / 4),
                "odds": bet.price,
                "stake_minor": bet.stake_minor,
                "currency": portfolio.currency,
                "placed_at": placed_at,
            },
            "odds_snapshot": None,
            "taken_at": {
                "bookmaker": name,
                "bookmaker_id": known,
                "account_id": None if account is None else account.id,
                "recorded_at": now,
            },
            "prediction": None if prediction is None else prediction_record(prediction),
        }
        # lock_order: 3, last
        audit.append_snapshot(uow, bet_id=bet_id, kind=AuditKind.PLACED, payload=payload, now=now)
        uow.commit()
        return bet_id


def _account(
    uow: UnitOfWork, *, owner_id: int, portfolio_id: int, bet: ExternalBet
) -> BookmakerAccountRecord | None:
    """The account the bet was staked from: the one named by id (it must be the
    portfolio's), else the portfolio's account of the bookmaker's name, if any."""
    if bet.account_id is not None:
        account = uow.bookmaker_accounts.get(account_id=bet.account_id, owner_id=owner_id)
        if account is None or account.portfolio_id != portfolio_id:
            raise NotFoundError(f"bookmaker account {bet.account_id} not found")
        return account
    if bet.bookmaker is None:
        return None
    return uow.bookmaker_accounts.get_by_name(portfolio_id=portfolio_id, name=bet.bookmaker.strip())


def _bookmaker_name(bet: ExternalBet, account: BookmakerAccountRecord | None) -> str:
    """The bookmaker as the bet records it: the name given, else the account's."""
    name = (bet.bookmaker or (account.name if account is not None else "")).strip()
    if not name:
        raise DataError("name the bookmaker, or the account the bet was staked from")
    if len(name) > _MAX_NAME:
        raise DataError(f"the bookmaker's name is longer than {_MAX_NAME} characters")
    if not bookmakers.is_bookmaker(name.upper()):
        raise DataError(f"{name} is a market-wide figure, not a bookmaker; name the bookmaker")
    return name
