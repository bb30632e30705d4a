"""Portfolios, bets, value bets and performance: each caller sees only their own."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from scoreline.api.routes.common import Limit, Offset, Reader, State, Trader
from scoreline.api.schemas.bets import BetIn, BetOut, ValueBet
from scoreline.api.schemas.common import MAX_BIG_ID, MAX_ID, Page
from scoreline.api.schemas.performance import (
    BankrollPoint,
    ClvPoint,
    DrawdownPoint,
    Figures,
    PerformanceOut,
)
from scoreline.api.schemas.portfolios import (
    DepositIn,
    PortfolioIn,
    PortfolioOut,
    PortfolioSettingsIn,
)
from scoreline.domain import Selection
from scoreline.pricing.performance import (
    Performance,
    SettledBet,
    bankroll_series,
    between,
    by_dimension,
    drawdown_series,
    summary,
)
from scoreline.services import book
from scoreline.services.stake_sizing import sizer_for
from scoreline.storage.tables import (
    BetRow,
    Bookmaker,
    CompetitionRow,
    FixtureRow,
    LedgerEntryRow,
    OddsRow,
    PortfolioRow,
)

router = APIRouter(tags=["book"])


def _portfolio_out(session: Any, row: PortfolioRow) -> PortfolioOut:
    open_stakes = session.scalar(
        select(func.coalesce(func.sum(BetRow.stake_minor), 0)).where(
            BetRow.portfolio_id == row.id, BetRow.status == "open"
        )
    )
    return PortfolioOut(
        id=row.id,
        name=row.name,
        currency=row.currency,
        kelly_fraction=row.kelly_fraction,
        max_stake_fraction=row.max_stake_fraction,
        max_fixture_fraction=row.max_fixture_fraction,
        max_day_fraction=row.max_day_fraction,
        min_edge=row.min_edge,
        bankroll_minor=book.bankroll_minor(session, row.id),
        open_stakes_minor=int(open_stakes or 0),
        created_at=row.created_at,
    )


def _settings(body: PortfolioSettingsIn) -> book.PortfolioSettings:
    """The domain's settings, which check that the caps nest (a 422 naming them if not)."""
    return book.PortfolioSettings(
        kelly_fraction=body.kelly_fraction,
        max_stake_fraction=body.max_stake_fraction,
        min_edge=body.min_edge,
        max_fixture_fraction=body.max_fixture_fraction,
        max_day_fraction=body.max_day_fraction,
    )


@router.post("/portfolios", response_model=PortfolioOut, status_code=201, responses={409: {}})
def create_portfolio(body: PortfolioIn, state: State, principal: Trader) -> PortfolioOut:
    """A new, empty portfolio of the caller's."""
    portfolio_id = book.create_portfolio(
        state.unit_of_work,
        owner_id=principal.user_id,
        name=body.name,
        currency=body.currency,
        settings=_settings(body),
    )
    return get_portfolio(portfolio_id, state, principal)


@router.get("/portfolios", response_model=Page[PortfolioOut])
def list_portfolios(
    state: State, principal: Reader, limit: Limit = 50, offset: Offset = 0
) -> Page[PortfolioOut]:
    """The caller's portfolios."""
    with state.unit_of_work() as uow:
        mine = select(PortfolioRow).where(PortfolioRow.owner_id == principal.user_id)
        total = int(uow.session.scalar(select(func.count()).select_from(mine.subquery())) or 0)
        rows = uow.session.scalars(mine.order_by(PortfolioRow.id).limit(limit).offset(offset)).all()
        items = [_portfolio_out(uow.session, r) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/portfolios/{portfolio_id}", response_model=PortfolioOut, responses={404: {}})
def get_portfolio(
    portfolio_id: Annotated[int, Path(ge=1, le=MAX_ID)], state: State, principal: Reader
) -> PortfolioOut:
    """One of the caller's portfolios and its bankroll."""
    with state.unit_of_work() as uow:
        row = book.owned_portfolio(
            uow.session, owner_id=principal.user_id, portfolio_id=portfolio_id
        )
        return _portfolio_out(uow.session, row)


@router.put("/portfolios/{portfolio_id}/settings", response_model=PortfolioOut, responses={404: {}})
def update_settings(
    portfolio_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: PortfolioSettingsIn,
    state: State,
    principal: Trader,
) -> PortfolioOut:
    """Change the Kelly fraction, the smallest edge and the caps (all of them at once)."""
    settings = _settings(body)
    with state.unit_of_work() as uow:
        row = book.owned_portfolio(
            uow.session, owner_id=principal.user_id, portfolio_id=portfolio_id
        )
        row.kelly_fraction = settings.kelly_fraction
        row.max_stake_fraction = settings.max_stake_fraction
        row.max_fixture_fraction = settings.max_fixture_fraction
        row.max_day_fraction = settings.max_day_fraction
        row.min_edge = settings.min_edge
        uow.commit()
    return get_portfolio(portfolio_id, state, principal)


@router.post(
    "/portfolios/{portfolio_id}/deposits", response_model=PortfolioOut, responses={404: {}, 409: {}}
)
def deposit(
    portfolio_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: DepositIn,
    state: State,
    principal: Trader,
) -> PortfolioOut:
    """Money in (positive) or out (negative); never below zero."""
    if body.amount_minor == 0:
        raise HTTPException(422, "amount_minor must not be zero")
    book.deposit(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        amount_minor=body.amount_minor,
    )
    return get_portfolio(portfolio_id, state, principal)


def _bet_out(row: BetRow) -> BetOut:
    return BetOut(
        id=row.id,
        portfolio_id=row.portfolio_id,
        fixture_id=row.fixture_id,
        odds_snapshot_id=row.odds_snapshot_id,
        market=row.market,
        selection=row.selection,
        line=None if row.market == "1x2" else str(Decimal(row.line_quarters) / 4),
        odds=row.odds,
        stake_minor=row.stake_minor,
        status=row.status,
        outcome=row.outcome,
        payout_minor=row.payout_minor,
        placed_at=row.placed_at,
        settled_at=row.settled_at,
    )


@router.post(
    "/portfolios/{portfolio_id}/bets",
    response_model=BetOut,
    status_code=201,
    responses={404: {}, 409: {}},
)
def place_bet(
    portfolio_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: BetIn,
    state: State,
    principal: Trader,
) -> BetOut:
    """Stake on a selection at a stored odds snapshot's price, before kick-off."""
    bet_id = book.place_bet(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        odds_snapshot_id=body.odds_snapshot_id,
        selection=Selection(body.selection),
        stake_minor=body.stake_minor,
    )
    with state.unit_of_work() as uow:
        row = uow.session.get(BetRow, bet_id)
        assert row is not None  # just committed
        return _bet_out(row)


@router.get("/portfolios/{portfolio_id}/bets", response_model=Page[BetOut], responses={404: {}})
def list_bets(
    portfolio_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    *,
    state: State,
    principal: Reader,
    status: Annotated[str | None, Query(pattern="^(open|settled|void)$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[BetOut]:
    """The portfolio's bets, newest first."""
    with state.unit_of_work() as uow:
        book.owned_portfolio(uow.session, owner_id=principal.user_id, portfolio_id=portfolio_id)
        bets = select(BetRow).where(BetRow.portfolio_id == portfolio_id)
        if status:
            bets = bets.where(BetRow.status == status)
        total = int(uow.session.scalar(select(func.count()).select_from(bets.subquery())) or 0)
        rows = uow.session.scalars(
            bets.order_by(BetRow.id.desc()).limit(limit).offset(offset)
        ).all()
        return Page(items=[_bet_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.post("/bets/{bet_id}/void", status_code=204, responses={404: {}, 409: {}})
def void_bet(
    bet_id: Annotated[int, Path(ge=1, le=MAX_BIG_ID)], state: State, principal: Trader
) -> Response:
    """Cancel an open bet and refund the stake."""
    book.void_bet(
        state.unit_of_work, owner_id=principal.user_id, bet_id=bet_id, reason="voided by owner"
    )
    return Response(status_code=204)


@router.get(
    "/portfolios/{portfolio_id}/value-bets", response_model=Page[ValueBet], responses={404: {}}
)
def value_bets(
    portfolio_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    *,
    state: State,
    principal: Reader,
    competition: Annotated[str, Query(min_length=1, max_length=16)],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[Any]:
    """1X2 prices whose edge over the active model clears the portfolio's minimum, with a
    stake by the portfolio's fraction of Kelly, capped per bet and cut to the room left under
    its caps on the fixture and the kick-off day (0 when none is left)."""
    now = datetime.now(UTC)
    with state.unit_of_work() as uow:
        portfolio = book.owned_portfolio(
            uow.session, owner_id=principal.user_id, portfolio_id=portfolio_id
        )
        sizer = sizer_for(uow.session, portfolio)
        predictions = {p.fixture_id: p for p in uow.predictions.latest(competition=competition)}
        upcoming = uow.session.execute(
            select(FixtureRow.id, FixtureRow.kickoff_utc)
            .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
            .where(
                CompetitionRow.code == competition,
                FixtureRow.kickoff_utc > now,
                FixtureRow.id.in_(list(predictions)),
            )
        ).all()
        out = []
        for fixture_id, kickoff in upcoming:
            p = predictions[fixture_id].probabilities
            for quote in uow.odds.latest(fixture_id):
                if (
                    quote.market != "1x2"
                    or quote.kind != "prematch"
                    or quote.bookmaker in {"MAX", "AVG"}
                ):
                    continue
                for i, name in enumerate(("home", "draw", "away")):
                    price = quote.prices.get(name)
                    if price is None:
                        continue
                    probability = Decimal(str(round(p[i], 6)))
                    edge = probability * price - 1
                    if edge < portfolio.min_edge:
                        continue
                    stake = sizer.stake_minor(edge, price, fixture_id=fixture_id, kickoff=kickoff)
                    out.append(
                        {
                            "fixture_id": fixture_id,
                            "odds_snapshot_id": quote.id,
                            "bookmaker": quote.bookmaker,
                            "selection": name,
                            "price": str(price),
                            "probability": float(probability),
                            "edge": str(edge.quantize(Decimal("0.0001"))),
                            "suggested_stake_minor": stake,
                        }
                    )
    out.sort(key=lambda v: Decimal(str(v["edge"])), reverse=True)
    return Page(items=out[offset : offset + limit], total=len(out), limit=limit, offset=offset)


@router.get(
    "/portfolios/{portfolio_id}/performance", response_model=PerformanceOut, responses={404: {}}
)
def performance(
    portfolio_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    *,
    state: State,
    principal: Reader,
    start: datetime | None = None,
    end: datetime | None = None,
) -> PerformanceOut:
    """P&L, ROI, yield, CLV and the drawdown series; by competition, market and bookmaker."""
    with state.unit_of_work() as uow:
        book.owned_portfolio(uow.session, owner_id=principal.user_id, portfolio_id=portfolio_id)
        rows = uow.session.execute(
            select(BetRow, CompetitionRow.code, Bookmaker.code)
            .join(FixtureRow, FixtureRow.id == BetRow.fixture_id)
            .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
            .join(OddsRow, OddsRow.id == BetRow.odds_snapshot_id)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(BetRow.portfolio_id == portfolio_id, BetRow.status == "settled")
            .order_by(BetRow.settled_at)
        ).all()
        closing = _closing_prices(uow.session, [r[0] for r in rows])
        deposits = int(
            uow.session.scalar(
                select(func.coalesce(func.sum(LedgerEntryRow.amount_minor), 0)).where(
                    LedgerEntryRow.portfolio_id == portfolio_id,
                    LedgerEntryRow.kind.in_(["deposit", "withdrawal"]),
                )
            )
            or 0
        )
        ids = [bet.id for bet, _, _ in rows]
        bets_all = [
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
            )
            for bet, competition, bookmaker in rows
        ]
    bets = list(between(bets_all, start, end))
    series = bankroll_series(bets, deposits)
    chosen = {id(bet) for bet in bets}
    clv = [
        ClvPoint(bet_id=bet_id, settled_at=bet.settled_at, clv=value)
        for bet_id, bet in zip(ids, bets_all, strict=True)
        if id(bet) in chosen and (value := bet.clv) is not None
    ]
    return PerformanceOut(
        summary=_figures(summary(bets, initial_bankroll_minor=deposits if deposits > 0 else None)),
        by_competition={k: _figures(v) for k, v in by_dimension(bets, "competition").items()},
        by_market={k: _figures(v) for k, v in by_dimension(bets, "market").items()},
        by_bookmaker={k: _figures(v) for k, v in by_dimension(bets, "bookmaker").items()},
        bankroll=[BankrollPoint(at=at, bankroll_minor=value) for at, value in series],
        drawdown=[DrawdownPoint(at=at, drawdown=value) for at, value in drawdown_series(series)],
        clv=clv,
    )


def _figures(p: Performance) -> Figures:
    return Figures(
        n_bets=p.n_bets,
        staked_minor=p.staked_minor,
        profit_minor=p.profit_minor,
        roi=p.roi,
        yield_=p.yield_,
        bankroll_return=p.bankroll_return,
        n_won=p.n_won,
        n_lost=p.n_lost,
        n_returned=p.n_returned,
        win_rate=p.win_rate,
        n_with_close=p.n_with_close,
        clv_mean=p.clv_mean,
        beat_close_share=p.beat_close_share,
    )


def _closing_prices(session: Any, bets: list[BetRow]) -> dict[int, Decimal]:
    """Each bet's closing price: the same bookmaker's latest closing snapshot of its market and
    line, read for all the bets in one query."""
    placed, close = aliased(OddsRow), aliased(OddsRow)
    rows = session.execute(
        select(BetRow.id, BetRow.selection, close)
        .join(placed, placed.id == BetRow.odds_snapshot_id)
        .join(
            close,
            and_(
                close.fixture_id == BetRow.fixture_id,
                close.bookmaker_id == placed.bookmaker_id,
                close.market == BetRow.market,
                close.line_quarters == BetRow.line_quarters,
                close.kind == "closing",
            ),
        )
        .where(BetRow.id.in_([bet.id for bet in bets]))
        .order_by(close.captured_at, close.id)
    ).all()
    latest: dict[int, Decimal | None] = {}
    for bet_id, selection, row in rows:  # in capture order: the last one seen is the latest
        latest[bet_id] = getattr(row, selection)
    return {bet_id: price for bet_id, price in latest.items() if price is not None}
