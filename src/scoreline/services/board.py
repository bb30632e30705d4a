"""The live board and the score grid: what the dashboard shows a trader right now.

The board is every upcoming fixture with the active model's newest prediction
against the best price of a real bookmaker, for five selections (1X2 and over/under
2.5), with the edge and, for one of the caller's portfolios, the stake it would
still add (``services.stake_sizing``: the fixture's selections sized together
against what is open, each market by simultaneous Kelly) or, where none, why. Each
read costs a bounded number of queries (never one per fixture), so a page costs
the same whatever it holds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np

from scoreline.domain import FixtureStatus, PriceKind, bookmakers, placement
from scoreline.domain.fixtures import FixtureRecord
from scoreline.domain.odds import OddsRecord
from scoreline.domain.predictions import PredictionRecord
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.models.grid import ScoreGrid
from scoreline.pricing import kelly
from scoreline.services import catalog, portfolios, stake_sizing
from scoreline.services.stake_sizing import Leg, StakeSizer, Suggestion
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "GRID_MAX_GOALS",
    "SLOTS",
    "BoardRow",
    "BoardSelection",
    "ScoreGridRecord",
    "board",
    "fixture_selections",
    "score_grid",
]

logger = logging.getLogger(__name__)

GRID_MAX_GOALS = 10
_TOTALS_LINE, _TOTALS_QUARTERS = "2.5", 10
SLOTS: tuple[tuple[str, str | None, str], ...] = (
    ("1x2", None, "home"),
    ("1x2", None, "draw"),
    ("1x2", None, "away"),
    ("over_under", _TOTALS_LINE, "over"),
    ("over_under", _TOTALS_LINE, "under"),
)
"""The board's five selections: (market, line, selection)."""
_EDGE_PLACES = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class BoardSelection:
    """One selection of an upcoming fixture: the model's view against the best price.

    ``edge`` is ``probability * best_price - 1`` to four places;
    ``suggested_stake_minor`` is None without a portfolio. Where it is 0,
    ``stake_reason`` (a ``stake_sizing.Reason`` code) and ``stake_message`` say why.
    """

    market: str
    line: str | None
    selection: str
    probability: float | None
    fair_odds: float | None
    best_price: Decimal | None
    bookmaker: str | None
    odds_snapshot_id: int | None
    edge: Decimal | None
    suggested_stake_minor: int | None
    stake_reason: str | None = None
    stake_message: str | None = None


@dataclass(frozen=True, slots=True)
class BoardRow:
    """An upcoming fixture, the active model's newest prediction of it, and its selections."""

    fixture_id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    prediction_id: int | None
    model: str | None
    version: str | None
    predicted_at: datetime | None
    selections: list[BoardSelection]


@dataclass(frozen=True, slots=True)
class ScoreGridRecord:
    """A prediction's exact-score grid: ``cells[h][a]`` is P(home h, away a)."""

    prediction_id: int
    model: str
    version: str
    max_goals: int
    home_rate: float
    away_rate: float
    rho: float
    cells: list[list[float]]


@dataclass(frozen=True, slots=True)
class _Quote:
    price: Decimal
    bookmaker: str
    odds_snapshot_id: int
    captured_at: datetime


# -- the board ------------------------------------------------------------------------------


def board(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    competition: str | None,
    portfolio_id: int | None,
    limit: int,
    offset: int,
    now: datetime | None = None,
    max_price_age: timedelta = placement.MAX_PRICE_AGE,
) -> tuple[list[BoardRow], int]:
    """Upcoming fixtures by kick-off with the model's probabilities, the best prices and
    edges; with one of ``owner_id``'s portfolios, the stakes it would suggest
    (``NotFoundError`` for anyone else's); a price captured more than ``max_price_age``
    ago is shown but suggests nothing, as placement would refuse it. And how many
    upcoming fixtures there are."""
    start = now or datetime.now(UTC)
    with unit_of_work() as uow:
        staking = None
        if portfolio_id is not None:
            portfolio = portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
            staking = stake_sizing.sizer_for(uow, portfolio)
        fixtures, total = uow.fixtures.list_(
            competition=competition,
            start=start,
            end=None,
            status=FixtureStatus.SCHEDULED.value,
            limit=limit,
            offset=offset,
        )
        ids = [row.id for row in fixtures]
        active = uow.model_versions.active()
        found = (
            uow.predictions.latest(fixture_ids=ids, model_version_id=active.id)
            if ids and active is not None
            else []
        )
        snapshots = uow.odds.list_latest_prematch(fixture_ids=ids, totals_quarters=_TOTALS_QUARTERS)
    predictions = {p.fixture_id: p for p in found}
    quotes = _best_quotes(snapshots)

    def stale(captured_at: datetime) -> bool:
        return placement.is_stale(captured_at, now=start, max_age=max_price_age)

    rows = [_board_row(row, predictions.get(row.id), quotes, staking, stale) for row in fixtures]
    return rows, total


def fixture_selections(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    fixture_id: int,
    portfolio_id: int | None,
    now: datetime | None = None,
    max_price_age: timedelta = placement.MAX_PRICE_AGE,
) -> BoardRow:
    """One fixture as the board shows it, but with every selection its prediction prices
    and a real bookmaker quotes: 1X2, each over/under line and each Asian handicap line.

    The fixture page bets from here, so its probabilities, edges and suggested stakes are
    the board's own (``_selection``, ``_suggestions``), the fixture's selections sized
    together. The prediction is ``catalog.latest_prediction`` (the active model's, else
    the newest), as the page shows; ``NotFoundError`` for an unknown fixture or someone
    else's portfolio.
    """
    start = now or datetime.now(UTC)
    fixture = catalog.fixture(unit_of_work, fixture_id)
    try:
        prediction: PredictionRecord | None = catalog.latest_prediction(unit_of_work, fixture_id)
    except NotFoundError:
        prediction = None
    with unit_of_work() as uow:
        staking = None
        if portfolio_id is not None:
            portfolio = portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
            staking = stake_sizing.sizer_for(uow, portfolio)
        snapshots = [
            odds
            for odds in uow.odds.latest(fixture_id)
            if odds.kind == PriceKind.PREMATCH.value and bookmakers.is_bookmaker(odds.bookmaker)
        ]
    probabilities = market_probabilities(prediction)
    best: dict[tuple[str, int, str], _Quote] = {}
    for odds in sorted(snapshots, key=lambda item: item.id):
        quarters = _quarters(odds.line)
        for selection, price in odds.prices.items():
            key = (odds.market, quarters, selection)
            if key in probabilities and (key not in best or price >= best[key].price):
                best[key] = _Quote(price, odds.bookmaker, odds.id, odds.captured_at)
    slots = [
        (
            (key[0], None if key[0] == "1x2" else _line_text(key[1]), key[2]),
            probabilities[key],
            best.get(key),
        )
        for key in sorted(probabilities, key=_slot_order)
    ]

    def stale(captured_at: datetime) -> bool:
        return placement.is_stale(captured_at, now=start, max_age=max_price_age)

    suggestions = _suggestions(fixture, slots, staking, stale)
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
        selections=[
            _selection(slot, probability=probability, quote=quote, suggestion=suggestions.get(i))
            for i, (slot, probability, quote) in enumerate(slots)
        ],
    )


_MARKET_ORDER = {"1x2": 0, "over_under": 1, "asian_handicap": 2}
_SELECTION_ORDER = {"home": 0, "draw": 1, "away": 2, "over": 0, "under": 1}


def _slot_order(key: tuple[str, int, str]) -> tuple[int, int, int]:
    market, quarters, selection = key
    return _MARKET_ORDER[market], quarters, _SELECTION_ORDER[selection]


def _line_text(quarters: int) -> str:
    """A line as the odds carry it ("2.5", "-0.75", "0")."""
    return str(Decimal(quarters) / 4)


def market_probabilities(prediction: PredictionRecord | None) -> dict[tuple[str, int, str], float]:
    """Every probability a prediction prices, by (market, line in quarters, selection).

    1X2 from its columns; over/under from ``markets["over_under"]`` ({line: [over,
    under]}); Asian handicap from ``markets["asian_handicap_fair_odds"]`` ({home line:
    [home, away] fair odds}): the worker stores that market as fair prices only, and a
    fair price's reciprocal is the push-free probability (``ScoreGrid``'s note on line
    markets) that the edge and Kelly use, so it is turned back here, once, rather than
    left for each reader to guess (the fixture page showed "—" for every handicap).
    """
    if prediction is None:
        return {}
    out = {
        ("1x2", 0, name): p
        for name, p in zip(("home", "draw", "away"), prediction.probabilities, strict=True)
    }
    markets = prediction.markets if isinstance(prediction.markets, Mapping) else {}
    for market, key, names, invert in (
        ("over_under", "over_under", ("over", "under"), False),
        ("asian_handicap", "asian_handicap_fair_odds", ("home", "away"), True),
    ):
        lines = markets.get(key)
        if not isinstance(lines, Mapping):
            continue
        for line, pair in lines.items():
            if not (isinstance(pair, list) and len(pair) == 2 and all(_is_number(v) for v in pair)):
                continue
            values = [1 / float(v) if invert else float(v) for v in pair if not invert or v > 0]
            if len(values) == 2:
                quarters = _quarters(str(line))
                for name, value in zip(names, values, strict=True):
                    out[(market, quarters, name)] = value
    return out


def _best_quotes(snapshots: Sequence[OddsRecord]) -> dict[tuple[int, str, str], _Quote]:
    """The highest price per (fixture, market, selection); equal prices go to the newer
    snapshot, as ``snapshots`` come in id order."""
    best: dict[tuple[int, str, str], _Quote] = {}
    for odds in snapshots:
        for market, _, selection in SLOTS:
            price = odds.prices.get(selection) if odds.market == market else None
            key = (odds.fixture_id, market, selection)
            if price is not None and (key not in best or price >= best[key].price):
                best[key] = _Quote(price, odds.bookmaker, odds.id, odds.captured_at)
    return best


def _board_row(
    fixture: FixtureRecord,
    prediction: PredictionRecord | None,
    quotes: Mapping[tuple[int, str, str], _Quote],
    staking: StakeSizer | None,
    stale: Callable[[datetime], bool],
) -> BoardRow:
    probabilities = _slot_probabilities(prediction)
    slots = [
        (slot, probabilities.get(slot[2]), quotes.get((fixture.id, slot[0], slot[2])))
        for slot in SLOTS
    ]
    suggestions = _suggestions(fixture, slots, staking, stale)
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
        selections=[
            _selection(slot, probability=probability, quote=quote, suggestion=suggestions.get(i))
            for i, (slot, probability, quote) in enumerate(slots)
        ],
    )


def _suggestions(
    fixture: FixtureRecord,
    slots: Sequence[tuple[tuple[str, str | None, str], float | None, _Quote | None]],
    staking: StakeSizer | None,
    stale: Callable[[datetime], bool],
) -> dict[int, Suggestion]:
    """The suggestion of each priced slot, by slot index, the fixture's slots sized together."""
    if staking is None:
        return {}
    priced = [
        (
            i,
            Leg(
                market,
                _quarters(line),
                selection,
                probability,
                quote.price,
                is_stale=stale(quote.captured_at),
                bookmaker=quote.bookmaker,
            ),
        )
        for i, ((market, line, selection), probability, quote) in enumerate(slots)
        if probability is not None and quote is not None
    ]
    found = staking.suggest(
        [leg for _, leg in priced], fixture_id=fixture.id, kickoff=fixture.kickoff
    )
    return {i: suggestion for (i, _), suggestion in zip(priced, found, strict=True)}


def _quarters(line: str | None) -> int:
    return 0 if line is None else int(Decimal(line) * 4)


def _slot_probabilities(prediction: PredictionRecord | None) -> dict[str, float]:
    """1X2 from the prediction's columns; over/under 2.5 from its priced markets, when stored
    (predictions made outside the live worker carry no markets)."""
    if prediction is None:
        return {}
    out = dict(zip(("home", "draw", "away"), prediction.probabilities, strict=True))
    markets = prediction.markets
    totals = markets.get("over_under") if isinstance(markets, Mapping) else None
    pair = totals.get(_TOTALS_LINE) if isinstance(totals, Mapping) else None
    if isinstance(pair, list) and len(pair) == 2 and all(_is_number(v) for v in pair):
        out["over"], out["under"] = float(pair[0]), float(pair[1])
    return out


def _selection(
    slot: tuple[str, str | None, str],
    *,
    probability: float | None,
    quote: _Quote | None,
    suggestion: Suggestion | None,
) -> BoardSelection:
    edge = None
    if probability is not None and quote is not None:
        edge = kelly.money_edge(probability, quote.price).quantize(_EDGE_PLACES)
    market, line, selection = slot
    return BoardSelection(
        market=market,
        line=line,
        selection=selection,
        probability=probability,
        fair_odds=round(1 / probability, 4) if probability else None,
        best_price=None if quote is None else quote.price,
        bookmaker=None if quote is None else quote.bookmaker,
        odds_snapshot_id=None if quote is None else quote.odds_snapshot_id,
        edge=edge,
        suggested_stake_minor=None if suggestion is None else suggestion.stake_minor,
        stake_reason=None
        if suggestion is None or suggestion.reason is None
        else suggestion.reason.value,
        stake_message=None if suggestion is None else suggestion.message,
    )


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# -- score grid -----------------------------------------------------------------------------


def score_grid(unit_of_work: UnitOfWorkFactory, fixture_id: int) -> ScoreGridRecord:
    """The exact-score grid of the fixture's prediction (``catalog.latest_prediction``: the
    active model's newest, else an earlier version's).

    Rebuilt as a Dixon-Coles grid from the prediction's expected goals, which are
    that grid's Poisson rates (tau leaves both means unchanged), and its rho.
    ``NotFoundError`` without the fixture or a prediction of it; ``ConflictError``
    when the prediction has no positive rates to build a grid from.
    """
    catalog.fixture(unit_of_work, fixture_id)
    prediction = catalog.latest_prediction(unit_of_work, fixture_id)
    home_rate, away_rate = (float(x) for x in prediction.expected_goals)
    if not all(math.isfinite(r) and r > 0 for r in (home_rate, away_rate)):
        raise ConflictError(
            f"prediction {prediction.id} has no positive expected goals to build a grid"
        )
    rho = _rho(prediction.markets, prediction.rho)
    try:
        grid = _grid(home_rate, away_rate, rho)
    except DataError:
        # Only a rho making some tau negative at these rates gets here: the
        # independent-Poisson grid is the honest fallback, and the answer says so.
        logger.warning("prediction %s: rho %s invalid at its rates; using 0", prediction.id, rho)
        rho = 0.0
        grid = _grid(home_rate, away_rate, rho)
    return ScoreGridRecord(
        prediction_id=prediction.id,
        model=prediction.model,
        version=prediction.version,
        max_goals=GRID_MAX_GOALS,
        home_rate=home_rate,
        away_rate=away_rate,
        rho=rho,
        cells=grid.grid[0].tolist(),
    )


def _grid(home_rate: float, away_rate: float, rho: float) -> ScoreGrid:
    return ScoreGrid.from_dixon_coles(
        np.array([home_rate]), np.array([away_rate]), rho, max_goals=GRID_MAX_GOALS
    )


def _rho(markets: object, stored: float | None) -> float:
    """``markets["rho"]`` when the worker wrote one, else the rho stored with the prediction
    (the serving model's Dixon-Coles rho), else 0 (independent Poissons)."""
    value = markets.get("rho") if isinstance(markets, Mapping) else None
    if isinstance(value, int | float) and _is_number(value):
        return float(value)
    return float(stored) if stored is not None and math.isfinite(stored) else 0.0
