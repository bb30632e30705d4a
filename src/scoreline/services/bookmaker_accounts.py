"""Bookmaker accounts of a portfolio: balances, known maximum stakes, limitation events,
and what the bets staked from each made.

For a professional, account life is the binding constraint: a winning account
gets limited, then closed. So each account keeps the largest stake it is known
to take, and each refusal or cut is recorded as a limitation event; an event
that names the new maximum lowers the account's maximum with it. The balance is
what the user last read off the bookmaker's site, in the portfolio's currency
(the stakes recorded against an account leave the portfolio's ledger, which is
kept in that currency).

The stake sizer's hook is ``stake_limits``: the known maximum per bookmaker code
of the portfolio's accounts, which ``domain.bookmaker_accounts.clip_stake``
applies to a suggestion at that bookmaker's price.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from scoreline.domain.betting import BetStatus
from scoreline.domain.bookmaker_accounts import (
    BookmakerAccountRecord,
    LimitationEventRecord,
    StakeLimit,
)
from scoreline.domain.markets import Market
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.pricing.performance import Performance, SettledBet, summary
from scoreline.services import portfolios
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "AccountChange",
    "AccountReport",
    "add_limitation",
    "create",
    "delete",
    "get",
    "list_",
    "list_limitations",
    "report",
    "stake_limits",
    "update",
]

_MAX_NAME = 64
_MAX_MINOR = 10**12


@dataclass(frozen=True, slots=True)
class AccountChange:
    """An account as its owner states it: name, balance and known maximum stake (None:
    not known), in minor units of the portfolio's currency."""

    name: str
    balance_minor: int
    max_stake_minor: int | None = None


@dataclass(frozen=True, slots=True)
class AccountReport:
    """An account with what its bets made: the settled ones' figures (profit, yield, CLV
    against the close where there is one) and the stakes still open."""

    account: BookmakerAccountRecord
    figures: Performance
    n_open: int
    open_staked_minor: int
    n_limitations: int


def _now() -> datetime:
    return datetime.now(UTC)


def create(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    change: AccountChange,
    now: datetime | None = None,
) -> int:
    """A new account of one of the owner's portfolios; its id. ``ConflictError`` when the
    portfolio already has an account of that name (case aside)."""
    name = _checked(change)
    with unit_of_work() as uow:
        portfolio = portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        if uow.bookmaker_accounts.get_by_name(portfolio_id=portfolio.id, name=name) is not None:
            raise ConflictError(f"portfolio {portfolio.id} already has an account at {name}")
        account_id = uow.bookmaker_accounts.add(
            portfolio_id=portfolio.id,
            name=name,
            currency=portfolio.currency,
            balance_minor=change.balance_minor,
            max_stake_minor=change.max_stake_minor,
            bookmaker_id=uow.bookmaker_accounts.known_bookmaker_id(name=name),
            now=now or _now(),
        )
        uow.commit()
        return account_id


def get(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, account_id: int
) -> BookmakerAccountRecord:
    """One of the owner's accounts; ``NotFoundError`` for anyone else's."""
    with unit_of_work() as uow:
        return _owned(uow, owner_id=owner_id, account_id=account_id)


def list_(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int
) -> list[BookmakerAccountRecord]:
    """The accounts of one of the owner's portfolios, by name."""
    with unit_of_work() as uow:
        portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        return uow.bookmaker_accounts.list_(portfolio_id=portfolio_id)


def update(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    account_id: int,
    change: AccountChange,
    now: datetime | None = None,
) -> None:
    """Restate an account: its name, recorded balance and known maximum stake."""
    name = _checked(change)
    with unit_of_work() as uow:
        account = _owned(uow, owner_id=owner_id, account_id=account_id)
        same = uow.bookmaker_accounts.get_by_name(portfolio_id=account.portfolio_id, name=name)
        if same is not None and same.id != account.id:
            raise ConflictError(
                f"portfolio {account.portfolio_id} already has an account at {name}"
            )
        uow.bookmaker_accounts.update(
            account_id=account.id,
            name=name,
            balance_minor=change.balance_minor,
            max_stake_minor=change.max_stake_minor,
            bookmaker_id=uow.bookmaker_accounts.known_bookmaker_id(name=name),
            now=now or _now(),
        )
        uow.commit()


def delete(unit_of_work: UnitOfWorkFactory, *, owner_id: int, account_id: int) -> None:
    """Remove an account and its limitation events; ``ConflictError`` while bets name it
    (bets are never changed, and theirs would lose their account)."""
    with unit_of_work() as uow:
        account = _owned(uow, owner_id=owner_id, account_id=account_id)
        if (count := uow.bookmaker_accounts.count_bets(account_id=account.id)) > 0:
            raise ConflictError(
                f"account {account.id} ({account.name}) has {count} bet"
                f"{'s' if count != 1 else ''}; an account with bets is kept"
            )
        uow.bookmaker_accounts.delete(account_id=account.id)
        uow.commit()


def add_limitation(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    account_id: int,
    occurred_on: date,
    market: Market | None,
    refused: str,
    max_stake_minor: int | None = None,
    now: datetime | None = None,
) -> int:
    """Record that an account refused a stake or cut its limit; the event's id. An event
    naming the new maximum lowers the account's known maximum stake to it."""
    moment = now or _now()
    text = refused.strip()
    if not text:
        raise DataError("say what was refused")
    if occurred_on > moment.date():
        raise DataError(f"occurred_on {occurred_on.isoformat()} is in the future")
    _check_minor(max_stake_minor, "max_stake_minor")
    with unit_of_work() as uow:
        account = _owned(uow, owner_id=owner_id, account_id=account_id)
        event_id = uow.bookmaker_accounts.add_limitation(
            account_id=account.id,
            occurred_on=occurred_on,
            market=None if market is None else market.value,
            refused=text[:200],
            max_stake_minor=max_stake_minor,
            now=moment,
        )
        if max_stake_minor is not None:
            uow.bookmaker_accounts.update(
                account_id=account.id,
                name=account.name,
                balance_minor=account.balance_minor,
                max_stake_minor=max_stake_minor,
                bookmaker_id=account.bookmaker_id,
                now=moment,
            )
        uow.commit()
        return event_id


def list_limitations(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, account_id: int
) -> list[LimitationEventRecord]:
    """An account's limitation events, newest first."""
    with unit_of_work() as uow:
        account = _owned(uow, owner_id=owner_id, account_id=account_id)
        return uow.bookmaker_accounts.list_limitations(account_id=account.id)


def report(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int
) -> list[AccountReport]:
    """Each account of one of the owner's portfolios with the P&L and CLV of the bets
    staked from it (``pricing.performance.summary``, as the portfolio's own figures)."""
    with unit_of_work() as uow:
        portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        accounts = uow.bookmaker_accounts.list_(portfolio_id=portfolio_id)
        labelled = uow.bets.list_settled(portfolio_id=portfolio_id)
        closing = uow.bets.closing_prices(bet_ids=[item.bet.id for item in labelled])
        every = uow.bets.list_by_portfolio(portfolio_id=portfolio_id)
        limitations = {
            account.id: len(uow.bookmaker_accounts.list_limitations(account_id=account.id))
            for account in accounts
        }
    reports = []
    for account in accounts:
        settled = [
            SettledBet(
                placed_at=item.bet.placed_at,
                settled_at=item.bet.settled_at or item.bet.placed_at,
                stake_minor=item.bet.stake_minor,
                payout_minor=item.bet.payout_minor or 0,
                odds=item.bet.odds,
                closing_odds=closing.get(item.bet.id),
                competition=item.competition,
                market=item.bet.market,
                bookmaker=item.bookmaker,
            )
            for item in labelled
            if item.bet.bookmaker_account_id == account.id
        ]
        still_open = [
            bet
            for bet in every
            if bet.bookmaker_account_id == account.id and bet.status is BetStatus.OPEN
        ]
        reports.append(
            AccountReport(
                account=account,
                figures=summary(settled),
                n_open=len(still_open),
                open_staked_minor=sum(bet.stake_minor for bet in still_open),
                n_limitations=limitations[account.id],
            )
        )
    return reports


def stake_limits(uow: UnitOfWork, *, portfolio_id: int) -> dict[str, StakeLimit]:
    """The hook for the stake sizer: the known maximum stake of each of the portfolio's
    accounts at a bookmaker we hold prices from, by that bookmaker's code (``PS``,
    ``B365``...), in minor units, with the account's name. A suggestion at a code's
    price is clipped with ``domain.bookmaker_accounts.clip_stake``; a bookmaker
    without an account, or without a known maximum, is not clipped."""
    codes = uow.bookmakers.codes_by_id()
    return {
        codes[account.bookmaker_id]: StakeLimit(account.name, account.max_stake_minor)
        for account in uow.bookmaker_accounts.list_(portfolio_id=portfolio_id)
        if account.bookmaker_id is not None and account.max_stake_minor is not None
    }


def _owned(uow: UnitOfWork, *, owner_id: int, account_id: int) -> BookmakerAccountRecord:
    account = uow.bookmaker_accounts.get(account_id=account_id, owner_id=owner_id)
    if account is None:
        raise NotFoundError(f"bookmaker account {account_id} not found")
    return account


def _checked(change: AccountChange) -> str:
    """The account's name, trimmed, once the figures are in range."""
    name = change.name.strip()
    if not 0 < len(name) <= _MAX_NAME:
        raise DataError(f"an account's name has 1 to {_MAX_NAME} characters")
    if isinstance(change.balance_minor, bool) or not 0 <= change.balance_minor <= _MAX_MINOR:
        raise DataError(f"balance_minor must be in 0..{_MAX_MINOR}")
    _check_minor(change.max_stake_minor, "max_stake_minor")
    return name


def _check_minor(value: int | None, field: str) -> None:
    if value is not None and (isinstance(value, bool) or not 0 < value <= _MAX_MINOR):
        raise DataError(f"{field} must be in 1..{_MAX_MINOR}")
