"""The fair probability of a fixture's selections under a chosen rule, for every caller.

The board, value bets and the stake suggestions the bet dialog opens with all
measure edges against the probability this module gives, so an edge means the
same wherever it is read. The rule (``pricing.fair.FairRule``) picks the model,
the market or their blend:

- **model**: the prediction's 1X2 columns; totals lines from its stored
  ``over_under`` markets; handicap lines from its ``asian_handicap_fair_odds``.
- **market**: the sharp book's (``domain.bookmakers.SHARP``) newest pre-match
  prices of the fixture, each market de-margined on its own by the rule's
  method. A totals or handicap line the sharp book does not quote is priced
  from the Dixon-Coles grid its quoted 1X2, totals and handicap prices imply
  jointly (``models.market_rates``); ``FairPrice.from_rates`` says so. Where
  those markets disagree there is no such grid, and the line has no market
  price.
- **blend**: the log-linear pool of the two (``pricing.fair.blend``).

The edge of a price is ``pricing.kelly.money_edge(fair.probability, price)``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from scoreline.config import Settings
from scoreline.domain.bookmakers import SHARP
from scoreline.domain.markets import SELECTIONS, Market
from scoreline.domain.odds import BOOKMAKER_NAMES, OddsRecord, PriceKind
from scoreline.domain.predictions import PredictionRecord
from scoreline.errors import DataError
from scoreline.models.grid import ScoreGrid
from scoreline.models.market_rates import implied_rates_of
from scoreline.pricing import fair
from scoreline.pricing.devig import DevigMethod
from scoreline.pricing.fair import FairMode, FairRule

__all__ = ["FairPrice", "FixtureFair", "describe", "rule", "sharp_prematch"]

logger = logging.getLogger(__name__)

_GRID_MAX_GOALS = 10
_LINE_RANGES = {
    Market.OVER_UNDER.value: (Decimal("0.5"), Decimal("6.5")),
    Market.ASIAN_HANDICAP.value: (Decimal("-3.5"), Decimal("3.5")),
}


@dataclass(frozen=True, slots=True)
class FairPrice:
    """A selection's fair probability; ``from_rates`` when its market side was priced from
    the implied goal rates because the sharp book quotes no price of its own for the line."""

    probability: float
    from_rates: bool = False


def rule(
    settings: Settings, *, mode: FairMode | None = None, method: DevigMethod | None = None
) -> FairRule:
    """The rule a request asks for, the settings' defaults filling what it leaves out."""
    return FairRule(
        mode=mode or settings.fair_mode,
        method=method or settings.fair_devig_method,
        blend_weight=settings.fair_blend_weight,
    )


def describe(chosen: FairRule) -> str:
    """What the board says of the rule: ``fair: model``, ``fair: Pinnacle, power method``..."""
    return chosen.describe(BOOKMAKER_NAMES.get(SHARP, SHARP))


def sharp_prematch(records: Iterable[OddsRecord]) -> list[OddsRecord]:
    """The sharp book's newest pre-match snapshot per market and line among ``records``."""
    newest: dict[tuple[str, Decimal | None], OddsRecord] = {}
    for record in records:
        if record.bookmaker != SHARP or record.kind != PriceKind.PREMATCH.value:
            continue
        key = (record.market, None if record.line is None else Decimal(record.line))
        if key not in newest or record.id > newest[key].id:
            newest[key] = record
    return sorted(newest.values(), key=lambda r: r.id)


class FixtureFair:
    """The fair probabilities of one fixture's selections under a rule.

    ``sharp`` holds the sharp book's newest pre-match snapshots of the fixture
    (``sharp_prematch``); ``prediction`` the model's, None when it has none.
    The implied grid is solved at most once, on the first line that needs it.
    """

    def __init__(
        self,
        chosen: FairRule,
        *,
        prediction: PredictionRecord | None,
        sharp: Sequence[OddsRecord],
    ) -> None:
        self.rule = chosen
        self._prediction = prediction
        self._quoted: dict[tuple[str, Decimal | None], tuple[float, ...]] = {}
        if chosen.uses_market:
            for record in sharp:
                found = _de_margined(record, chosen.method)
                if found is not None:
                    line = None if record.line is None else Decimal(record.line)
                    self._quoted[(record.market, line)] = found
        self._grid: ScoreGrid | None = None
        self._grid_tried = False

    def model(self, market: str, line: str | None, selection: str) -> float | None:
        """The model's own probability of one selection, whatever the rule; None without."""
        names = tuple(s.value for s in SELECTIONS[Market(market)])
        found = _model_side(self._prediction, market, None if line is None else Decimal(line))
        return None if found is None or selection not in names else found[names.index(selection)]

    def get(self, market: str, line: str | None, selection: str) -> FairPrice | None:
        """The fair probability of one selection; None where the rule's inputs are missing."""
        key = (market, None if line is None else Decimal(line))
        names = tuple(s.value for s in SELECTIONS[Market(market)])
        model = (
            _model_side(self._prediction, market, key[1]) if self.rule.mode != "market" else None
        )
        market_side, from_rates = None, False
        if self.rule.uses_market:
            market_side = self._quoted.get(key)
            if market_side is None and key[1] is not None:
                market_side = self._implied(market, key[1])
                from_rates = market_side is not None
        found = fair.fair_probabilities(self.rule, model=model, market=market_side)
        if found is None or selection not in names:
            return None
        return FairPrice(found[names.index(selection)], from_rates=from_rates)

    def _implied(self, market: str, line: Decimal) -> tuple[float, ...] | None:
        """A line's (side 0, side 1) probabilities from the sharp prices' implied grid."""
        low, high = _LINE_RANGES[market]
        if not (low <= line <= high and (line * 4) % 1 == 0):
            return None
        grid = self._implied_grid()
        if grid is None:
            return None
        pair = grid.probabilities(market, line)[0]  # type: ignore[arg-type]
        return float(pair[0]), float(pair[1])

    def _implied_grid(self) -> ScoreGrid | None:
        if self._grid_tried:
            return self._grid
        self._grid_tried = True
        one_x_two = self._quoted.get((Market.MATCH_ODDS.value, None))
        lines: dict[str, list[tuple[float, float]]] = {
            Market.OVER_UNDER.value: [],
            Market.ASIAN_HANDICAP.value: [],
        }
        for (market, line), probabilities in self._quoted.items():
            if line is None or market not in lines:
                continue
            low, high = _LINE_RANGES[market]
            if low <= line <= high and (line * 4) % 1 == 0:
                lines[market].append((float(line), probabilities[0]))
        try:
            home, away, rho = implied_rates_of(
                one_x_two,
                totals=lines[Market.OVER_UNDER.value],
                asian=lines[Market.ASIAN_HANDICAP.value],
            )
        except DataError as exc:
            logger.debug("no implied grid from the sharp prices: %s", exc)
            return None
        self._grid = ScoreGrid.from_dixon_coles(
            np.array([home]), np.array([away]), rho, max_goals=_GRID_MAX_GOALS
        )
        return self._grid


def _de_margined(record: OddsRecord, method: DevigMethod) -> tuple[float, ...] | None:
    """A snapshot's prices of all its market's selections, de-margined; None when some
    selection is missing."""
    names = [s.value for s in SELECTIONS[Market(record.market)]]
    prices = [record.prices.get(name) for name in names]
    if any(p is None or p <= 1 for p in prices):
        return None
    try:
        return fair.de_margined([float(p) for p in prices if p is not None], method)
    except DataError as exc:  # a method that cannot fit these prices (additive's longshot)
        logger.debug("snapshot %s: %s", record.id, exc)
        return None


def _model_side(
    prediction: PredictionRecord | None, market: str, line: Decimal | None
) -> tuple[float, ...] | None:
    """The model's probabilities of one market and line, from the prediction."""
    if prediction is None:
        return None
    if market == Market.MATCH_ODDS.value:
        return tuple(float(p) for p in prediction.probabilities)
    markets = prediction.markets if isinstance(prediction.markets, Mapping) else {}
    if market == Market.OVER_UNDER.value:
        pair = _at_line(markets.get("over_under"), line)
        return pair if pair is None else (pair[0], pair[1])
    odds = _at_line(markets.get("asian_handicap_fair_odds"), line)
    if odds is None or not all(o > 0 for o in odds):
        return None
    inverse = (1 / odds[0], 1 / odds[1])
    return inverse[0] / sum(inverse), inverse[1] / sum(inverse)


def _at_line(table: object, line: Decimal | None) -> tuple[float, float] | None:
    """A stored ``{line: [a, b]}`` pair at ``line`` (keys compared as numbers)."""
    if not isinstance(table, Mapping) or line is None:
        return None
    for key, pair in table.items():
        try:
            same = Decimal(str(key)) == line
        except ArithmeticError:
            continue
        if same and isinstance(pair, list) and len(pair) == 2 and all(map(_is_number, pair)):
            return float(pair[0]), float(pair[1])
    return None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
