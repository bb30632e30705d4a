"""Portfolios: settings, deposits, bets, value bets, performance and exposure.

Each caller sees only their own: someone else's portfolio answers 404, as one
that does not exist (the services find every portfolio through its owner).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from scoreline.api.routes._bet_filter import BetQuery
from scoreline.api.routes.common import (
    ERRORS,
    DevigQuery,
    FairModeQuery,
    Limit,
    Offset,
    Reader,
    State,
    Trader,
    errors,
)
from scoreline.api.schemas.bets import BetCreate, BetRead, ValueBetPage, ValueBetRead
from scoreline.api.schemas.common import MAX_ID, Page
from scoreline.api.schemas.fair import FairRead
from scoreline.api.schemas.performance import (
    BankrollPoint,
    ClvPoint,
    DrawdownPoint,
    Figures,
    PerformanceRead,
)
from scoreline.api.schemas.portfolios import (
    DepositCreate,
    ExposureRead,
    PortfolioCreate,
    PortfolioRead,
    PortfolioSettingsUpdate,
)
from scoreline.domain import Selection
from scoreline.pricing.performance import Performance
from scoreline.services import bets, fair_prices, portfolios
from scoreline.services import performance as performance_service
from scoreline.services import value_bets as value_bet_service

router = APIRouter(prefix="/portfolios", tags=["portfolios"], responses=ERRORS)

PortfolioId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("", response_model=PortfolioRead, status_code=201, responses=errors(409))
def create_portfolio(body: PortfolioCreate, state: State, principal: Trader) -> PortfolioRead:
    """A new, empty portfolio of the caller's."""
    portfolio_id = portfolios.create(
        state.unit_of_work,
        owner_id=principal.user_id,
        name=body.name,
        currency=body.currency,
        settings=body.settings(),
    )
    return get_portfolio(portfolio_id, state, principal)


@router.get("", response_model=Page[PortfolioRead])
def list_portfolios(
    state: State, principal: Reader, limit: Limit = 50, offset: Offset = 0
) -> Page[PortfolioRead]:
    """The caller's portfolios."""
    found, total = portfolios.list_(
        state.unit_of_work, owner_id=principal.user_id, limit=limit, offset=offset
    )
    items = [PortfolioRead.of(balance) for balance in found]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{portfolio_id}", response_model=PortfolioRead)
def get_portfolio(portfolio_id: PortfolioId, state: State, principal: Reader) -> PortfolioRead:
    """One of the caller's portfolios and its bankroll."""
    return PortfolioRead.of(
        portfolios.get(state.unit_of_work, owner_id=principal.user_id, portfolio_id=portfolio_id)
    )


@router.put("/{portfolio_id}/settings", response_model=PortfolioRead)
def update_settings(
    portfolio_id: PortfolioId, body: PortfolioSettingsUpdate, state: State, principal: Trader
) -> PortfolioRead:
    """Change the Kelly fraction, the smallest edge and the caps (all of them at once)."""
    portfolios.update_settings(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        settings=body.settings(),
    )
    return get_portfolio(portfolio_id, state, principal)


@router.post("/{portfolio_id}/deposits", response_model=PortfolioRead, responses=errors(409))
def deposit(
    portfolio_id: PortfolioId, body: DepositCreate, state: State, principal: Trader
) -> PortfolioRead:
    """Money in (positive) or out (negative); never below zero."""
    portfolios.deposit(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        amount_minor=body.amount_minor,
    )
    return get_portfolio(portfolio_id, state, principal)


@router.post("/{portfolio_id}/bets", response_model=BetRead, status_code=201, responses=errors(409))
def place_bet(
    portfolio_id: PortfolioId, body: BetCreate, state: State, principal: Trader
) -> BetRead:
    """Stake on a selection at a bookmaker's current, fresh odds snapshot, before kick-off;
    409 names the current price when the snapshot is no longer it."""
    bet_id = bets.place(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        odds_snapshot_id=body.odds_snapshot_id,
        selection=Selection(body.selection),
        stake_minor=body.stake_minor,
        max_price_age_seconds=state.settings.bet_price_max_age_seconds,
    )
    return BetRead.of(bets.get(state.unit_of_work, owner_id=principal.user_id, bet_id=bet_id))


@router.get("/{portfolio_id}/bets", response_model=Page[BetRead])
def list_bets(
    portfolio_id: PortfolioId,
    *,
    state: State,
    principal: Reader,
    matching: BetQuery,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The portfolio's bets, newest first, a page at a time (``limit`` up to 500), as the
    filters narrow them (``/history`` adds each bet's close, CLV and P&L)."""
    found, total = bets.list_(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        matching=matching,
        limit=limit,
        offset=offset,
    )
    page = Page[BetRead](
        items=[BetRead.of(b) for b in found], total=total, limit=limit, offset=offset
    )
    # Serialised once, here: FastAPI would dump the page, validate it again against
    # response_model (which still documents it) and serialise it, three passes over 100 bets.
    return Response(page.model_dump_json(), media_type="application/json")


@router.get("/{portfolio_id}/value-bets", response_model=ValueBetPage)
def value_bets(
    portfolio_id: PortfolioId,
    *,
    state: State,
    principal: Reader,
    competition: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
    fair: FairModeQuery = None,
    devig: DevigQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ValueBetPage:
    """1X2 prices of upcoming fixtures (of one competition, else of all) whose edge over the
    chosen fair price (``fair``, ``devig``: the model, the sharp book's de-margined price or
    their blend) clears the portfolio's minimum, with a
    stake by the portfolio's fraction of Kelly, capped per bet and cut to the room left under
    its caps on the fixture and the kick-off day (0 when none is left)."""
    rule = fair_prices.rule(state.settings, mode=fair, method=devig)
    found, total = value_bet_service.list_(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        competition=competition,
        limit=limit,
        offset=offset,
        fair_rule=rule,
    )
    items = [ValueBetRead.model_validate(v) for v in found]
    return ValueBetPage(
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        fair=FairRead.of(rule, fair_prices.describe(rule)),
    )


@router.get("/{portfolio_id}/performance", response_model=PerformanceRead)
def performance(
    portfolio_id: PortfolioId,
    *,
    state: State,
    principal: Reader,
    start: datetime | None = None,
    end: datetime | None = None,
) -> PerformanceRead:
    """Profit, yield, time-weighted ROI, expected profit, CLV with 95% intervals, and the
    cash, equity and drawdown series; by competition, market and bookmaker."""
    report = performance_service.report(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        start=start,
        end=end,
    )
    return PerformanceRead(
        summary=Figures.model_validate(report.summary),
        by_competition=_by_label(report.by_competition),
        by_market=_by_label(report.by_market),
        by_bookmaker=_by_label(report.by_bookmaker),
        bankroll=[
            BankrollPoint(at=p.at, bankroll_minor=p.cash_minor, equity_minor=p.equity_minor)
            for p in report.series
        ],
        drawdown=[DrawdownPoint(at=p.at, drawdown=p.drawdown) for p in report.series],
        max_drawdown=report.max_drawdown,
        clv=[ClvPoint.model_validate(point) for point in report.clv],
    )


def _by_label(groups: dict[str, Performance]) -> dict[str, Figures]:
    return {label: Figures.model_validate(figures) for label, figures in groups.items()}


@router.get("/{portfolio_id}/exposure", response_model=ExposureRead)
def exposure(portfolio_id: PortfolioId, state: State, principal: Reader) -> ExposureRead:
    """The portfolio's open stakes by fixture (in kick-off order) and by competition."""
    return ExposureRead.model_validate(
        portfolios.exposure(
            state.unit_of_work, owner_id=principal.user_id, portfolio_id=portfolio_id
        )
    )
