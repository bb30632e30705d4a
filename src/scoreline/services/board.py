"""The live board and the score grid: what the dashboard shows a trader right now.

The board is every upcoming fixture with the active model's newest prediction
against the best price of a real bookmaker, for five selections (1X2 and over/under
2.5), with the edge against the fair probability the caller chose (the model, the
sharp book's de-margined price or their blend: ``services.fair_prices``) and, for
one of the caller's portfolios, the stake it would still add
(``services.stake_sizing``: the fixture's selections sized together against what
is open, each market by simultaneous Kelly) or, where none, why. Each read costs
a bounded number of queries (never one per fixture), so a page costs the same
whatever it holds.
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
from scoreline.domain.bookmakers import SHARP
from scoreline.domain.fixtures import FixtureRecord
from scoreline.domain.odds import OddsRecord
from scoreline.domain.predictions import PredictionRecord
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.models.grid import ScoreGrid
from scoreline.pricing import kelly
from scoreline.pricing.fair import FairRule
from scoreline.services import catalog, fair_prices, portfolios, stake_sizing
from scoreline.services.fair_prices import FairPrice, FixtureFair
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
    """One selection of an upcoming fixture: the model's view, the fair probability under
    the board's rule, and the best price.

    ``probability`` is the model's; ``fair_probability`` the rule's (equal to it under
    the model rule) and ``fair_odds`` its inverse; ``fair_from_rates`` says the market
    side was priced from the sharp book's implied goal rates, as it quotes no price of
    its own at the line. ``edge`` is ``fair_probability * best_price - 1`` to four places;
    ``suggested_stake_minor`` is None without a portfolio. Where it is 0,
    ``stake_reason`` (a ``stake_sizing.Reason`` code) and ``stake_message`` say why.
    ``price_captured_at`` is when the best price was quoted (alerts skip a stale one).
    """

    market: str
    line: str | None
    selection: str
    probability: float | None
    fair_probability: float | None
    fair_from_rates: bool
    fair_odds: float | None
    best_price: Decimal | None
    bookmaker: str | None
    odds_snapshot_id: int | None
    edge: Decimal | None
    suggested_stake_minor: int | None
    stake_reason: str | None = None
    stake_message: str | None = None
    price_captured_at: datetime | None = None


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
    fair_rule: FairRule | None = None,
) -> tuple[list[BoardRow], int]:
    """Upcoming fixtures by kick-off with the model's probabilities, the best prices and
    edges against ``fair_rule`` (default: the model's); with one of ``owner_id``'s
    portfolios, the stakes it would suggest (``NotFoundError`` for anyone else's); a
    price captured more than ``max_price_age`` ago is shown but suggests nothing, as
    placement would refuse it. And how many upcoming fixtures there are."""
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
        chosen = fair_rule or FairRule()
        sharp = (
            uow.odds.list_latest_prematch_of(fixture_ids=ids, bookmaker=SHARP)
            if chosen.uses_market
            else []
        )
    predictions = {p.fixture_id: p for p in found}
    quotes = _best_quotes(snapshots)
    sharp_by_fixture: dict[int, list[OddsRecord]] = {}
    for record in sharp:
        sharp_by_fixture.setdefault(record.fixture_id, []).append(record)

    def stale(captured_at: datetime) -> bool:
        return placement.is_stale(captured_at, now=start, max_age=max_price_age)

    rows = [
        _board_row(
            row,
            fair=FixtureFair(
                chosen, prediction=predictions.get(row.id), sharp=sharp_by_fixture.get(row.id, [])
            ),
            prediction=predictions.get(row.id),
            quoted=[(slot, quotes.get((row.id, slot[0], slot[2]))) for slot in SLOTS],
            staking=staking,
            stale=stale,
        )
        for row in fixtures
    ]
    return rows, total


def fixture_selections(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    fixture_id: int,
    portfolio_id: int | None,
    now: datetime | None = None,
    max_price_age: timedelta = placement.MAX_PRICE_AGE,
    fair_rule: FairRule | None = None,
) -> BoardRow:
    """One fixture as the board shows it, but with every selection its prediction prices:
    1X2, each over/under line and each Asian handicap line, each with the best real
    bookmaker's quote where there is one (the page hides the lines nobody quotes).

    The fixture page bets from here, so its probabilities, fair prices (``fair_rule``,
    default the model's: ``services.fair_prices``), edges and suggested stakes are the
    board's own (``_selection``, ``_suggestions``), the fixture's selections sized
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
        latest = uow.odds.latest(fixture_id)
    snapshots = [
        odds
        for odds in latest
        if odds.kind == PriceKind.PREMATCH.value and bookmakers.is_bookmaker(odds.bookmaker)
    ]
    fair = FixtureFair(
        fair_rule or FairRule(), prediction=prediction, sharp=fair_prices.sharp_prematch(latest)
    )
    keys = priced_slots(prediction)
    best: dict[tuple[str, int, str], _Quote] = {}
    for odds in sorted(snapshots, key=lambda item: item.id):
        quarters = _quarters(odds.line)
        for selection, price in odds.prices.items():
            key = (odds.market, quarters, selection)
            if key in keys and (key not in best or price >= best[key].price):
                best[key] = _Quote(price, odds.bookmaker, odds.id, odds.captured_at)
    slots = [
        ((key[0], None if key[0] == "1x2" else _line_text(key[1]), key[2]), best.get(key))
        for key in sorted(keys, key=_slot_order)
    ]

    def stale(captured_at: datetime) -> bool:
        return placement.is_stale(captured_at, now=start, max_age=max_price_age)

    return _board_row(
        fixture, fair=fair, prediction=prediction, quoted=slots, staking=staking, stale=stale
    )


_MARKET_ORDER = {"1x2": 0, "over_under": 1, "asian_handicap": 2}
_SELECTION_ORDER = {"home": 0, "draw": 1, "away": 2, "over": 0, "under": 1}


def _slot_order(key: tuple[str, int, str]) -> tuple[int, int, int]:
    market, quarters, selection = key
    return _MARKET_ORDER[market], quarters, _SELECTION_ORDER[selection]


def _line_text(quarters: int) -> str:
    """A line as the odds carry it ("2.5", "-0.75", "0")."""
    return str(Decimal(quarters) / 4)


def priced_slots(prediction: PredictionRecord | None) -> set[tuple[str, int, str]]:
    """Every selection a prediction prices, as (market, line in quarters, selection): 1X2
    from its columns, over/under from ``markets["over_under"]`` and the Asian handicap from
    ``markets["asian_handicap_fair_odds"]`` (the worker stores that market as fair prices
    only). The probabilities themselves come from ``services.fair_prices`` (one home: its
    model side turns a handicap's fair prices back into the push-free probabilities the
    edge and Kelly use; the fixture page showed "—" for every handicap before)."""
    if prediction is None:
        return set()
    out = {("1x2", 0, name) for name in ("home", "draw", "away")}
    markets = prediction.markets if isinstance(prediction.markets, Mapping) else {}
    for market, key, names in (
        ("over_under", "over_under", ("over", "under")),
        ("asian_handicap", "asian_handicap_fair_odds", ("home", "away")),
    ):
        lines = markets.get(key)
        if not isinstance(lines, Mapping):
            continue
        for line, pair in lines.items():
            if isinstance(pair, list) and len(pair) == 2 and all(_is_number(v) for v in pair):
                quarters = _quarters(str(line))
                out.update((market, quarters, name) for name in names)
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
    *,
    fair: FixtureFair,
    prediction: PredictionRecord | None,
    quoted: Sequence[tuple[tuple[str, str | None, str], _Quote | None]],
    staking: StakeSizer | None,
    stale: Callable[[datetime], bool],
) -> BoardRow:
    """A fixture's row: each (slot, best quote) priced under ``fair``, the slots sized together."""
    slots = [(slot, fair.get(*slot), quote) for slot, quote in quoted]
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
            _selection(
                slot,
                probability=fair.model(*slot),
                fair=fair_price,
                quote=quote,
                suggestion=suggestions.get(i),
            )
            for i, (slot, fair_price, quote) in enumerate(slots)
        ],
    )


def _suggestions(
    fixture: FixtureRecord,
    slots: Sequence[tuple[tuple[str, str | None, str], FairPrice | None, _Quote | None]],
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
                fair.probability,
                quote.price,
                is_stale=stale(quote.captured_at),
                bookmaker=quote.bookmaker,
            ),
        )
        for i, ((market, line, selection), fair, quote) in enumerate(slots)
        if fair is not None and quote is not None
    ]
    found = staking.suggest(
        [leg for _, leg in priced], fixture_id=fixture.id, kickoff=fixture.kickoff
    )
    return {i: suggestion for (i, _), suggestion in zip(priced, found, strict=True)}


def _quarters(line: str | None) -> int:
    return 0 if line is None else int(Decimal(line) * 4)


def _selection(
    slot: tuple[str, str | None, str],
    *,
    probability: float | None,
    fair: FairPrice | None,
    quote: _Quote | None,
    suggestion: Suggestion | None,
) -> BoardSelection:
    edge = None
    if fair is not None and quote is not None:
        edge = kelly.money_edge(fair.probability, quote.price).quantize(_EDGE_PLACES)
    fair_probability = None if fair is None else round(fair.probability, 6)
    market, line, selection = slot
    return BoardSelection(
        market=market,
        line=line,
        selection=selection,
        probability=probability,
        fair_probability=fair_probability,
        fair_from_rates=fair is not None and fair.from_rates,
        fair_odds=round(1 / fair_probability, 4) if fair_probability else None,
        best_price=None if quote is None else quote.price,
        bookmaker=None if quote is None else quote.bookmaker,
        odds_snapshot_id=None if quote is None else quote.odds_snapshot_id,
        edge=edge,
        suggested_stake_minor=None if suggestion is None else suggestion.stake_minor,
        stake_reason=None
        if suggestion is None or suggestion.reason is None
        else suggestion.reason.value,
        stake_message=None if suggestion is None else suggestion.message,
        price_captured_at=None if quote is None else quote.captured_at,
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
