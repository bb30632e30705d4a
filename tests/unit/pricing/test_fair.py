"""The fair price, chosen: model, market or their log-linear blend, and the edge against it."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from scoreline.errors import DataError
from scoreline.pricing import kelly
from scoreline.pricing.fair import FairRule, blend, de_margined, fair_probabilities

MODEL = (0.5, 0.3, 0.2)
PS = (2.10, 3.50, 3.60)


def _multiplicative(prices: tuple[float, ...]) -> tuple[float, ...]:
    implied = [1 / p for p in prices]
    return tuple(p / sum(implied) for p in implied)


def test_each_mode_picks_its_probabilities_and_the_edge_follows() -> None:
    market = de_margined(PS, "multiplicative")
    assert market == pytest.approx(_multiplicative(PS), abs=1e-12)
    price = Decimal("2.20")
    edges = {}
    for mode in ("model", "market", "blend"):
        rule = FairRule(mode=mode, method="multiplicative")
        fair = fair_probabilities(rule, model=MODEL, market=market)
        assert fair is not None
        edges[mode] = kelly.money_edge(fair[0], price).quantize(Decimal("0.0001"))
    # model: 0.5 * 2.2 - 1; market: 0.458015 * 2.2 - 1.
    assert edges["model"] == Decimal("0.1000")
    assert edges["market"] == Decimal("0.0076")
    # blend: the normalised geometric mean of the two home probabilities' vectors.
    pooled = [math.sqrt(m * q) for m, q in zip(MODEL, market, strict=True)]
    expected = Decimal(str(round(pooled[0] / sum(pooled), 6))) * price - 1
    assert edges["blend"] == expected.quantize(Decimal("0.0001"))
    assert edges["market"] < edges["blend"] < edges["model"]


def test_a_blend_weight_moves_the_pool_between_its_ends() -> None:
    market = (0.4, 0.3, 0.3)
    assert blend(MODEL, market, 0.999999) == pytest.approx(MODEL, abs=1e-5)
    assert blend(MODEL, market, 1e-6) == pytest.approx(market, abs=1e-5)
    assert sum(blend(MODEL, market, 0.3)) == pytest.approx(1.0)
    with pytest.raises(DataError, match="one probability per selection"):
        blend(MODEL, (0.5, 0.5), 0.5)


def test_a_missing_input_gives_no_fair_price() -> None:
    assert fair_probabilities(FairRule("market"), model=MODEL, market=None) is None
    assert fair_probabilities(FairRule("blend"), model=None, market=MODEL) is None
    assert fair_probabilities(FairRule("model"), model=None, market=MODEL) is None


def test_the_rule_says_what_it_is_and_refuses_what_it_is_not() -> None:
    assert FairRule().describe("Pinnacle") == "fair: model"
    assert FairRule("market", "shin").describe("Pinnacle") == "fair: Pinnacle, Shin method"
    assert (
        FairRule("blend", "power", 0.7).describe("Pinnacle")
        == "fair: blend 70% model / 30% Pinnacle (power method), log-linear"
    )
    with pytest.raises(DataError, match="unknown fair mode 'sharp'"):
        FairRule("sharp")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="unknown de-margin method 'best'"):
        FairRule("market", "best")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="strictly between 0 and 1"):
        FairRule("blend", blend_weight=1.0)
