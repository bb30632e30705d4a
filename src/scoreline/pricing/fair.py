"""The fair price, chosen: whose probability an edge is measured against.

A professional's first question of any edge is "fair according to whom?". The
board, value bets and stake suggestions measure every edge against one fair
probability, chosen by a ``FairRule``:

=========  =====================================================================
``model``  the active model's probability (what the board always showed)
``market`` the sharp book's price (``domain.bookmakers.SHARP``) with its margin
           removed by one of the six ``pricing.devig`` methods; a line the sharp
           book does not quote is priced from the goal rates its other prices
           imply (``models.market_rates``, by ``services.fair_prices``)
``blend``  the logarithmic opinion pool of the two, ``p_i proportional to
           model_i ** w * market_i ** (1 - w)`` over one market's selections,
           with ``w = blend_weight`` (0.5 by default: a geometric mean). It is
           the pooling rule the ensemble itself uses to combine its members
           (``models.ensemble.LogLinearBlend``), with a stated weight instead of
           a fitted one, so a trader can see the weight a blend gives the model
=========  =====================================================================

This module is the rule on probabilities; the edge itself is
``pricing.kelly.money_edge`` of the fair probability and the price, the one
home of ``p * price - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np

from scoreline.errors import DataError
from scoreline.pricing.devig import DevigMethod, remove_margin

__all__ = [
    "DEFAULT_BLEND_WEIGHT",
    "DEVIG_METHODS",
    "FAIR_MODES",
    "FairMode",
    "FairRule",
    "blend",
    "de_margined",
    "fair_probabilities",
]

FairMode = Literal["model", "market", "blend"]
FAIR_MODES: tuple[FairMode, ...] = get_args(FairMode)
DEVIG_METHODS: tuple[DevigMethod, ...] = get_args(DevigMethod)
DEFAULT_BLEND_WEIGHT = 0.5
"""The model's weight in the blend: an even geometric mean of model and market."""

_METHOD_NAMES = {
    "multiplicative": "multiplicative",
    "additive": "additive",
    "power": "power",
    "shin": "Shin",
    "odds_ratio": "odds-ratio",
    "logarithmic": "logarithmic",
}


@dataclass(frozen=True, slots=True)
class FairRule:
    """How the fair probability is chosen: the mode, the de-margin method of the market's
    price and, for a blend, the model's weight in (0, 1)."""

    mode: FairMode = "model"
    method: DevigMethod = "power"
    blend_weight: float = DEFAULT_BLEND_WEIGHT

    def __post_init__(self) -> None:
        if self.mode not in FAIR_MODES:
            raise DataError(f"unknown fair mode {self.mode!r}; expected one of {FAIR_MODES}")
        if self.method not in DEVIG_METHODS:
            raise DataError(
                f"unknown de-margin method {self.method!r}; expected one of {DEVIG_METHODS}"
            )
        weight = self.blend_weight
        if isinstance(weight, bool) or not (math.isfinite(weight) and 0 < weight < 1):
            raise DataError(f"blend weight must be strictly between 0 and 1, got {weight!r}")

    @property
    def uses_market(self) -> bool:
        """Whether the sharp book's prices take part."""
        return self.mode != "model"

    def describe(self, sharp_name: str) -> str:
        """What the board says: ``fair: model``, ``fair: Pinnacle, power method`` or
        ``fair: blend 50% model / 50% Pinnacle (power method), log-linear``."""
        method = f"{_METHOD_NAMES[self.method]} method"
        if self.mode == "model":
            return "fair: model"
        if self.mode == "market":
            return f"fair: {sharp_name}, {method}"
        model = round(self.blend_weight * 100)
        return f"fair: blend {model}% model / {100 - model}% {sharp_name} ({method}), log-linear"


def de_margined(prices: Sequence[float], method: DevigMethod) -> tuple[float, ...]:
    """One market's decimal prices (all its selections, in order) as probabilities with
    the margin removed by ``method`` (``pricing.devig``)."""
    return tuple(float(p) for p in remove_margin([list(prices)], method=method)[0])


def blend(model: Sequence[float], market: Sequence[float], weight: float) -> tuple[float, ...]:
    """The log-linear pool of one market's two probability vectors, summing to 1.

    ``weight`` is the model's. A selection either side gives probability 0 gets 0.
    """
    if len(model) != len(market):
        raise DataError(f"blend needs one probability per selection, got {model} and {market}")
    with np.errstate(divide="ignore"):
        logs = weight * np.log(np.asarray(model, dtype=np.float64)) + (1 - weight) * np.log(
            np.asarray(market, dtype=np.float64)
        )
    if not np.isfinite(logs).any():
        raise DataError(f"blend of {model} and {market} has no selection both sides allow")
    pooled = np.exp(logs - logs.max())
    return tuple(float(p) for p in pooled / pooled.sum())


def fair_probabilities(
    rule: FairRule,
    *,
    model: Sequence[float] | None,
    market: Sequence[float] | None,
) -> tuple[float, ...] | None:
    """One market's fair probabilities under ``rule``, from the model's and the market's
    (each None when missing); None when the rule's inputs are missing."""
    if rule.mode == "model":
        return None if model is None else tuple(model)
    if rule.mode == "market":
        return None if market is None else tuple(market)
    if model is None or market is None:
        return None
    return blend(model, market, rule.blend_weight)
