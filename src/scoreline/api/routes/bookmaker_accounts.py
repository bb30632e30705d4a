"""Bookmaker accounts and bets taken at any bookmaker.

A portfolio's accounts are listed, added and reported on under
``/portfolios/{id}/bookmaker-accounts``; an account is reached by its own id
under ``/bookmaker-accounts/{id}``, through its owner (someone else's answers
404). A bet taken elsewhere is recorded under ``/portfolios/{id}/external-bets``
and from then on is a bet like any other (``/portfolios/{id}/bets``,
``/bets/{id}/void``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from scoreline.api.routes.common import ERRORS, Reader, State, Trader, errors
from scoreline.api.schemas.bets import BetRead
from scoreline.api.schemas.bookmaker_accounts import (
    BookmakerAccountCreate,
    BookmakerAccountRead,
    BookmakerAccountReportRead,
    ExternalBetCreate,
    LimitationCreate,
    LimitationRead,
)
from scoreline.api.schemas.common import MAX_ID
from scoreline.domain.markets import Market, Selection
from scoreline.services import bets, external_bets
from scoreline.services import bookmaker_accounts as accounts

router = APIRouter(tags=["bookmaker accounts"], responses=ERRORS)

PortfolioId = Annotated[int, Path(ge=1, le=MAX_ID)]
AccountId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post(
    "/portfolios/{portfolio_id}/external-bets",
    response_model=BetRead,
    status_code=201,
    responses=errors(409),
)
def record_external_bet(
    portfolio_id: PortfolioId, body: ExternalBetCreate, state: State, principal: Trader
) -> BetRead:
    """Record a bet taken at any bookmaker at the price obtained, before kick-off; its
    stake leaves the cash (409 when short, or once the fixture has kicked off)."""
    bet_id = external_bets.record(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        bet=external_bets.ExternalBet(
            fixture_id=body.fixture_id,
            market=Market(body.market),
            line=body.line,
            selection=Selection(body.selection),
            price=body.price,
            stake_minor=body.stake_minor,
            bookmaker=body.bookmaker,
            account_id=body.bookmaker_account_id,
            placed_at=body.placed_at,
        ),
    )
    return BetRead.of(bets.get(state.unit_of_work, owner_id=principal.user_id, bet_id=bet_id))


@router.get(
    "/portfolios/{portfolio_id}/bookmaker-accounts", response_model=list[BookmakerAccountRead]
)
def list_accounts(
    portfolio_id: PortfolioId, state: State, principal: Reader
) -> list[BookmakerAccountRead]:
    """The portfolio's bookmaker accounts, by name."""
    found = accounts.list_(
        state.unit_of_work, owner_id=principal.user_id, portfolio_id=portfolio_id
    )
    return [BookmakerAccountRead.of(account) for account in found]


@router.post(
    "/portfolios/{portfolio_id}/bookmaker-accounts",
    response_model=BookmakerAccountRead,
    status_code=201,
    responses=errors(409),
)
def create_account(
    portfolio_id: PortfolioId, body: BookmakerAccountCreate, state: State, principal: Trader
) -> BookmakerAccountRead:
    """A new account at a bookmaker (any name), in the portfolio's currency; 409 when the
    portfolio has one of that name."""
    account_id = accounts.create(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        change=body.change(),
    )
    return get_account(account_id, state, principal)


@router.get(
    "/portfolios/{portfolio_id}/bookmaker-accounts/report",
    response_model=list[BookmakerAccountReportRead],
)
def report_accounts(
    portfolio_id: PortfolioId, state: State, principal: Reader
) -> list[BookmakerAccountReportRead]:
    """Each account with the P&L and CLV of the bets staked from it, and its open stakes."""
    found = accounts.report(
        state.unit_of_work, owner_id=principal.user_id, portfolio_id=portfolio_id
    )
    return [BookmakerAccountReportRead.of(item) for item in found]


@router.get("/bookmaker-accounts/{account_id}", response_model=BookmakerAccountRead)
def get_account(account_id: AccountId, state: State, principal: Reader) -> BookmakerAccountRead:
    """One of the caller's accounts."""
    return BookmakerAccountRead.of(
        accounts.get(state.unit_of_work, owner_id=principal.user_id, account_id=account_id)
    )


@router.put(
    "/bookmaker-accounts/{account_id}", response_model=BookmakerAccountRead, responses=errors(409)
)
def update_account(
    account_id: AccountId, body: BookmakerAccountCreate, state: State, principal: Trader
) -> BookmakerAccountRead:
    """Restate an account: its name, balance and known maximum stake (all at once)."""
    accounts.update(
        state.unit_of_work, owner_id=principal.user_id, account_id=account_id, change=body.change()
    )
    return get_account(account_id, state, principal)


@router.delete("/bookmaker-accounts/{account_id}", status_code=204, responses=errors(409))
def delete_account(account_id: AccountId, state: State, principal: Trader) -> Response:
    """Remove an account and its limitation events; 409 while bets name it."""
    accounts.delete(state.unit_of_work, owner_id=principal.user_id, account_id=account_id)
    return Response(status_code=204)


@router.get("/bookmaker-accounts/{account_id}/limitations", response_model=list[LimitationRead])
def list_limitations(
    account_id: AccountId, state: State, principal: Reader
) -> list[LimitationRead]:
    """What the account refused, newest first."""
    found = accounts.list_limitations(
        state.unit_of_work, owner_id=principal.user_id, account_id=account_id
    )
    return [LimitationRead.of(event) for event in found]


@router.post(
    "/bookmaker-accounts/{account_id}/limitations",
    response_model=LimitationRead,
    status_code=201,
)
def add_limitation(
    account_id: AccountId, body: LimitationCreate, state: State, principal: Trader
) -> LimitationRead:
    """Record that the account refused a stake or cut its limit; a new maximum, if given,
    becomes the account's known maximum stake."""
    event_id = accounts.add_limitation(
        state.unit_of_work,
        owner_id=principal.user_id,
        account_id=account_id,
        occurred_on=body.occurred_on,
        market=None if body.market is None else Market(body.market),
        refused=body.refused,
        max_stake_minor=body.max_stake_minor,
    )
    found = accounts.list_limitations(
        state.unit_of_work, owner_id=principal.user_id, account_id=account_id
    )
    return LimitationRead.of(next(event for event in found if event.id == event_id))
