"""The live board, score grids and exposure: what the dashboard shows a trader right now.

Each route reads what it needs in a bounded number of queries (never one per
fixture), so a page costs the same whatever it holds.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

import numpy as np
from fastapi import APIRouter, HTTPException, Query
from fastapi import Path as PathParam
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from scoreline.api.routes.common import FixtureId, Limit, Offset, Reader, State
from scoreline.api.schemas.board import BoardRow, BoardSelection
from scoreline.api.schemas.catalog import ScoreGridOut
from scoreline.api.schemas.common import MAX_ID, Page
from scoreline.api.schemas.portfolios import CompetitionExposure, ExposureOut, FixtureExposure
from scoreline.domain.fixtures import FixtureRecord
from scoreline.domain.predictions import PredictionRecord
from scoreline.errors import DataError
from scoreline.models.grid import ScoreGrid
from scoreline.pricing.settlement import BetOutcome, payout_minor
from scoreline.services import book, catalog
from scoreline.services.stake_sizing import StakeSizer, sizer_for
from scoreline.storage.tables import (
    BetRow,
    Bookmaker,
    CompetitionRow,
    FixtureRow,
    OddsRow,
    TeamRow,
)

router = APIRouter(tags=["live"])
logger = logging.getLogger(__name__)


GRID_MAX_GOALS = 10
_AGGREGATES = ("MAX", "AVG")  # football-data's best and mean prices: not bookmakers to bet with
_TOTALS_LINE, _TOTALS_QUARTERS = "2.5", 10
# The board's five selections: (market, line, selection).
_SLOTS = (
    ("1x2", None, "home"),
    ("1x2", None, "draw"),
    ("1x2", None, "away"),
    ("over_under", _TOTALS_LINE, "over"),
    ("over_under", _TOTALS_LINE, "under"),
)
_EDGE_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class _Quote:
    price: Decimal
    bookmaker: str
    odds_snapshot_id: int


# -- the board ------------------------------------------------------------------------------


@router.get("/board", response_model=Page[BoardRow], responses={404: {}})
def board(
    *,
    state: State,
    principal: Reader,
    competition: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
    portfolio_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[BoardRow]:
    """Upcoming fixtures by kick-off with the model's probabilities, the best prices and edges;
    with one of the caller's portfolios, the stakes it would suggest."""
    with state.unit_of_work() as uow:
        session = uow.session
        staking = None
        if portfolio_id is not None:
            portfolio = book.owned_portfolio(
                session, owner_id=principal.user_id, portfolio_id=portfolio_id
            )
            staking = sizer_for(session, portfolio)
        rows, total = uow.fixtures.list_(
            competition=competition,
            start=datetime.now(UTC),
            end=None,
            status="scheduled",
            limit=limit,
            offset=offset,
        )
        ids = [row.id for row in rows]
        predictions = {
            p.fixture_id: p for p in (uow.predictions.latest(fixture_ids=ids) if ids else [])
        }
        quotes = _best_quotes(session, ids)
    items = [_board_row(row, predictions.get(row.id), quotes, staking) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


def _best_quotes(session: Session, fixture_ids: list[int]) -> dict[tuple[int, str, str], _Quote]:
    """The highest latest pre-match price per (fixture, market, selection), in one query.

    Only real bookmakers count, and only 1X2 and over/under 2.5. Equal prices
    go to the newer snapshot.
    """
    if not fixture_ids:
        return {}
    newest = (
        select(func.max(OddsRow.id).label("id"))
        .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
        .where(
            OddsRow.fixture_id.in_(fixture_ids),
            OddsRow.kind == "prematch",
            Bookmaker.code.not_in(_AGGREGATES),
            or_(
                OddsRow.market == "1x2",
                and_(OddsRow.market == "over_under", OddsRow.line_quarters == _TOTALS_QUARTERS),
            ),
        )
        .group_by(OddsRow.fixture_id, OddsRow.bookmaker_id, OddsRow.market, OddsRow.line_quarters)
        .subquery()
    )
    rows = session.execute(
        select(OddsRow, Bookmaker.code)
        .join(newest, newest.c.id == OddsRow.id)
        .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
        .order_by(OddsRow.id)
    ).all()
    best: dict[tuple[int, str, str], _Quote] = {}
    for odds, code in rows:  # by id, so ">=" lets the newer of two equal prices win
        for market, _, selection in _SLOTS:
            price = getattr(odds, selection) if odds.market == market else None
            key = (odds.fixture_id, market, selection)
            if price is not None and (key not in best or price >= best[key].price):
                best[key] = _Quote(price, code, odds.id)
    return best


def _board_row(
    fixture: FixtureRecord,
    prediction: PredictionRecord | None,
    quotes: dict[tuple[int, str, str], _Quote],
    staking: StakeSizer | None,
) -> BoardRow:
    probabilities = _slot_probabilities(prediction)
    selections = [
        _board_selection(
            market,
            line=line,
            selection=selection,
            probability=probabilities.get(selection),
            quote=quotes.get((fixture.id, market, selection)),
            staking=staking,
            fixture_id=fixture.id,
            kickoff=fixture.kickoff,
        )
        for market, line, selection in _SLOTS
    ]
    return BoardRow(
        fixture_id=fixture.id,
        competition=fixture.competition,
        kickoff=fixture.kickoff,
        home_team=fixture.home_team,
        away_team=fixture.away_team,
        prediction_id=None if prediction is None else prediction.id,
        model=None if prediction is None else prediction.model,
        version=None if prediction is None else prediction.version,
        predicted_at=None if prediction is None else prediction.created_at,
        selections=selections,
    )


def _slot_probabilities(prediction: PredictionRecord | None) -> dict[str, float]:
    """1X2 from the prediction's columns; over/under 2.5 from its priced markets, when stored
    (predictions made outside the live worker carry no markets)."""
    if prediction is None:
        return {}
    out = dict(zip(("home", "draw", "away"), prediction.probabilities, strict=True))
    markets = prediction.markets
    totals = markets.get("over_under") if isinstance(markets, dict) else None
    pair = totals.get(_TOTALS_LINE) if isinstance(totals, dict) else None
    if isinstance(pair, list) and len(pair) == 2 and all(_is_number(v) for v in pair):
        out["over"], out["under"] = float(pair[0]), float(pair[1])
    return out


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _board_selection(
    market: str,
    *,
    line: str | None,
    selection: str,
    probability: float | None,
    quote: _Quote | None,
    staking: StakeSizer | None,
    fixture_id: int,
    kickoff: datetime,
) -> BoardSelection:
    edge = stake = None
    if probability is not None and quote is not None:
        # The probability to six places, as value-bets prices it, so both routes agree.
        exact = Decimal(str(round(probability, 6))) * quote.price - 1
        edge = exact.quantize(_EDGE_PLACES)
        stake = (
            None
            if staking is None
            else staking.stake_minor(exact, quote.price, fixture_id=fixture_id, kickoff=kickoff)
        )
    return BoardSelection.model_validate(
        {
            "market": market,
            "line": line,
            "selection": selection,
            "probability": probability,
            "fair_odds": round(1 / probability, 4) if probability else None,
            "best_price": None if quote is None else quote.price,
            "bookmaker": None if quote is None else quote.bookmaker,
            "odds_snapshot_id": None if quote is None else quote.odds_snapshot_id,
            "edge": edge,
            "suggested_stake_minor": stake,
        }
    )


# -- score grid -----------------------------------------------------------------------------


@router.get(
    "/fixtures/{fixture_id}/prediction/grid", response_model=ScoreGridOut, responses={404: {}}
)
def prediction_grid(fixture_id: FixtureId, state: State, _: Reader) -> ScoreGridOut:
    """The exact-score grid of the active model's newest prediction of the fixture.

    Rebuilt as a Dixon-Coles grid from the prediction's expected goals, which
    are that grid's Poisson rates (tau leaves both means unchanged), and its rho.
    """
    catalog.fixture(state.unit_of_work, fixture_id)  # NotFoundError: 404
    found = catalog.latest_predictions(state.unit_of_work, fixture_ids=[fixture_id])
    if not found:
        raise HTTPException(404, f"no prediction of fixture {fixture_id} yet")
    prediction = found[0]
    stored_rho = prediction.rho
    home_rate, away_rate = (float(x) for x in prediction.expected_goals)
    if not all(math.isfinite(r) and r > 0 for r in (home_rate, away_rate)):
        raise HTTPException(
            409, f"prediction {prediction.id} has no positive expected goals to build a grid"
        )
    rho = _rho(prediction.markets, stored_rho)
    try:
        grid = ScoreGrid.from_dixon_coles(
            np.array([home_rate]), np.array([away_rate]), rho, max_goals=GRID_MAX_GOALS
        )
    except DataError:
        # Only a rho making some tau negative at these rates gets here: the
        # independent-Poisson grid is the honest fallback, and the answer says so.
        logger.warning("prediction %s: rho %s invalid at its rates; using 0", prediction.id, rho)
        rho = 0.0
        grid = ScoreGrid.from_dixon_coles(
            np.array([home_rate]), np.array([away_rate]), rho, max_goals=GRID_MAX_GOALS
        )
    return ScoreGridOut(
        prediction_id=prediction.id,
        model=prediction.model,
        version=prediction.version,
        max_goals=GRID_MAX_GOALS,
        home_rate=home_rate,
        away_rate=away_rate,
        rho=rho,
        cells=grid.grid[0].tolist(),
    )


def _rho(markets: object, stored: float | None) -> float:
    """``markets["rho"]`` when the worker wrote one, else the rho stored with the prediction
    (the serving model's Dixon-Coles rho), else 0 (independent Poissons)."""
    value = markets.get("rho") if isinstance(markets, dict) else None
    if isinstance(value, int | float) and _is_number(value):
        return float(value)
    return float(stored) if stored is not None and math.isfinite(stored) else 0.0


# -- exposure -------------------------------------------------------------------------------


@router.get("/portfolios/{portfolio_id}/exposure", response_model=ExposureOut, responses={404: {}})
def exposure(
    portfolio_id: Annotated[int, PathParam(ge=1, le=MAX_ID)], state: State, principal: Reader
) -> ExposureOut:
    """The portfolio's open stakes by fixture (in kick-off order) and by competition."""
    home, away = aliased(TeamRow), aliased(TeamRow)
    with state.unit_of_work() as uow:
        book.owned_portfolio(uow.session, owner_id=principal.user_id, portfolio_id=portfolio_id)
        rows = uow.session.execute(
            select(
                BetRow.stake_minor,
                BetRow.odds,
                FixtureRow.id,
                CompetitionRow.code,
                FixtureRow.kickoff_utc,
                home.name,
                away.name,
            )
            .join(FixtureRow, FixtureRow.id == BetRow.fixture_id)
            .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
            .join(home, home.id == FixtureRow.home_team_id)
            .join(away, away.id == FixtureRow.away_team_id)
            .where(BetRow.portfolio_id == portfolio_id, BetRow.status == "open")
            .order_by(FixtureRow.kickoff_utc, FixtureRow.id, BetRow.id)
        ).all()
    fixtures: dict[int, FixtureExposure] = {}
    competitions: dict[str, CompetitionExposure] = {}
    for stake, odds, fixture_id, code, kickoff, home_team, away_team in rows:
        by_fixture = fixtures.setdefault(
            fixture_id,
            FixtureExposure(
                fixture_id=fixture_id,
                competition=code,
                kickoff=kickoff,
                home_team=home_team,
                away_team=away_team,
                stake_minor=0,
                bets=0,
                potential_payout_minor=0,
            ),
        )
        by_fixture.stake_minor += stake
        by_fixture.bets += 1
        # What the bet pays if it wins outright, by the settlement's own rounding.
        by_fixture.potential_payout_minor += payout_minor(stake, odds, BetOutcome.WON)
        by_competition = competitions.setdefault(
            code, CompetitionExposure(competition=code, stake_minor=0, bets=0)
        )
        by_competition.stake_minor += stake
        by_competition.bets += 1
    return ExposureOut(
        portfolio_id=portfolio_id,
        open_stakes_minor=sum(f.stake_minor for f in fixtures.values()),
        by_fixture=list(fixtures.values()),
        by_competition=[competitions[code] for code in sorted(competitions)],
    )


# -- model health ---------------------------------------------------------------------------
