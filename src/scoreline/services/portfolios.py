"""Portfolios: their settings, their money and what is open on them.

Money is integer minor units end to end. A portfolio's bankroll is the sum of
its ledger (deposits, withdrawals, stakes, payouts, refunds), which is
append-only, so "bankroll = deposits + settled P&L - open stakes" holds by
construction and can be checked at any time.

Every call takes the acting user's id and finds the portfolio *through* that
owner: someone else's portfolio is "not found", exactly like one that does not
exist, so the API answers 404 and leaks nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import groupby
from operator import attrgetter

from scoreline.domain.betting import (
    CompetitionExposure,
    FixtureExposure,
    LedgerKind,
    OpenStake,
    PortfolioBalance,
    PortfolioExposure,
    PortfolioRecord,
    PortfolioSettings,
)
from scoreline.domain.money import format_money
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.pricing.settlement import BetOutcome, payout_minor
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "create",
    "deposit",
    "exposure",
    "get",
    "list_",
    "owned",
    "update_settings",
]


def _now() -> datetime:
    return datetime.now(UTC)


def owned(uow: UnitOfWork, *, owner_id: int, portfolio_id: int) -> PortfolioRecord:
    """The portfolio if ``owner_id`` owns it, else ``NotFoundError`` (as if it did not exist);
    for services working inside a unit of work of their own."""
    portfolio = uow.portfolios.get(portfolio_id=portfolio_id, owner_id=owner_id)
    if portfolio is None:
        raise NotFoundError(f"portfolio {portfolio_id} not found")
    return portfolio


def create(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    name: str,
    currency: str = "EUR",
    settings: PortfolioSettings | None = None,
) -> int:
    """A new, empty portfolio of ``owner_id``; ``ConflictError`` if the name is taken."""
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise DataError("a portfolio name has 1 to 80 characters")
    if len(currency) != 3 or not currency.isalpha():
        raise DataError(f"currency {currency!r} is not an ISO 4217 code such as EUR")
    with unit_of_work() as uow:
        if uow.portfolios.get_by_name(owner_id=owner_id, name=name) is not None:
            raise ConflictError(f"you already have a portfolio named {name!r}")
        portfolio_id = uow.portfolios.add(
            owner_id=owner_id,
            name=name,
            currency=currency.upper(),
            settings=settings or PortfolioSettings(),
            created_at=_now(),
        )
        uow.commit()
        return portfolio_id


def get(unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int) -> PortfolioBalance:
    """One of the owner's portfolios with its bankroll and open stakes."""
    with unit_of_work() as uow:
        portfolio = owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        return _balances(uow, [portfolio])[0]


def list_(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, limit: int, offset: int
) -> tuple[list[PortfolioBalance], int]:
    """A page of the owner's portfolios by id, with their money; and how many there are."""
    with unit_of_work() as uow:
        portfolios, total = uow.portfolios.list_(owner_id=owner_id, limit=limit, offset=offset)
        return _balances(uow, portfolios), total


def _balances(uow: UnitOfWork, portfolios: list[PortfolioRecord]) -> list[PortfolioBalance]:
    """Each portfolio with its ledger balance and open stakes, read for all at once."""
    ids = [portfolio.id for portfolio in portfolios]
    bankrolls = uow.ledger.balances(portfolio_ids=ids)
    open_stakes = uow.bets.open_stakes(portfolio_ids=ids)
    return [
        PortfolioBalance(portfolio, bankrolls[portfolio.id], open_stakes[portfolio.id])
        for portfolio in portfolios
    ]


def update_settings(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    settings: PortfolioSettings,
) -> None:
    """Replace the Kelly fraction, the caps and the smallest edge, all at once."""
    with unit_of_work() as uow:
        owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        uow.portfolios.update_settings(portfolio_id=portfolio_id, settings=settings)
        uow.commit()


def deposit(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int, amount_minor: int
) -> int:
    """Add money (negative: withdraw, never below zero); the new bankroll."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor == 0:
        raise DataError(f"amount_minor must be a non-zero whole number, got {amount_minor!r}")
    with unit_of_work() as uow:
        portfolio = owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        uow.portfolios.lock(portfolio_id=portfolio_id)
        balance = uow.ledger.balance(portfolio_id=portfolio_id)
        if balance + amount_minor < 0:
            raise ConflictError(
                f"cannot withdraw {format_money(-amount_minor, portfolio.currency)}: the cash"
                f" available is {format_money(balance, portfolio.currency)} (open stakes stay"
                " in their bets until they settle)"
            )
        uow.ledger.add(
            portfolio_id=portfolio_id,
            kind=LedgerKind.DEPOSIT if amount_minor > 0 else LedgerKind.WITHDRAWAL,
            amount_minor=amount_minor,
            created_at=_now(),
        )
        uow.commit()
        return balance + amount_minor


def exposure(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, portfolio_id: int
) -> PortfolioExposure:
    """The portfolio's open stakes by fixture (in kick-off order) and by competition."""
    with unit_of_work() as uow:
        owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        stakes = uow.bets.list_open_stakes(portfolio_id=portfolio_id)
    # Stakes come in kick-off, fixture and bet order, so each fixture's are contiguous.
    by_fixture = [
        _fixture_exposure(list(bets)) for _, bets in groupby(stakes, attrgetter("fixture_id"))
    ]
    codes = sorted({fixture.competition for fixture in by_fixture})
    return PortfolioExposure(
        portfolio_id=portfolio_id,
        open_stakes_minor=sum(fixture.stake_minor for fixture in by_fixture),
        by_fixture=by_fixture,
        by_competition=[
            CompetitionExposure(
                competition=code,
                stake_minor=sum(f.stake_minor for f in by_fixture if f.competition == code),
                bets=sum(f.bets for f in by_fixture if f.competition == code),
            )
            for code in codes
        ],
    )


def _fixture_exposure(stakes: list[OpenStake]) -> FixtureExposure:
    """One fixture's open stakes summed, with what they pay back if every bet wins outright
    (by the settlement's own rounding)."""
    first = stakes[0]
    return FixtureExposure(
        fixture_id=first.fixture_id,
        competition=first.competition,
        kickoff=first.kickoff,
        home_team=first.home_team,
        away_team=first.away_team,
        stake_minor=sum(stake.stake_minor for stake in stakes),
        bets=len(stakes),
        potential_payout_minor=sum(
            payout_minor(stake.stake_minor, stake.odds, BetOutcome.WON) for stake in stakes
        ),
    )
