"""Scoring walk-forward predictions: the common rows, the market, hand-worked metrics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from scoreline.pricing import remove_margin
from scoreline.services.evaluation import metrics, score_rows

PREMATCH = ("ps_home", "ps_draw", "ps_away")
CLOSING = ("psc_home", "psc_draw", "psc_away")
DC = ("dc_home", "dc_draw", "dc_away")
ENS = ("ens_home", "ens_draw", "ens_away")


def _row(
    league: str,
    prematch: tuple[float, float, float],
    closing: tuple[float, float, float],
    dc: tuple[float, float, float] = (0.5, 0.3, 0.2),
    ens: tuple[float, float, float] = (0.45, 0.3, 0.25),
) -> dict[str, object]:
    return {
        "league": league,
        **dict(zip(PREMATCH, prematch, strict=True)),
        **dict(zip(CLOSING, closing, strict=True)),
        **dict(zip(DC, dc, strict=True)),
        **dict(zip(ENS, ens, strict=True)),
    }


NAN = math.nan
PRICES = (2.10, 3.40, 3.60)
CLOSE = (2.00, 3.50, 3.90)


@pytest.fixture
def frame() -> pd.DataFrame:
    """Seven evaluated matches, indexed as in a history frame; rows 10, 13 and 16 are complete."""
    rows = [
        _row("E0", PRICES, CLOSE),
        _row("E0", (NAN, 3.40, 3.60), CLOSE),  # no Pinnacle pre-match home price
        _row("E0", PRICES, (2.00, 3.50, NAN)),  # no Pinnacle closing away price
        _row("SP1", (1.55, 4.20, 6.50), (1.50, 4.40, 7.00)),
        _row("SP1", PRICES, CLOSE, dc=(NAN, NAN, NAN)),  # Dixon-Coles made no prediction
        _row("SP1", PRICES, CLOSE, ens=(0.4, NAN, 0.3)),  # the ensemble made no prediction
        _row("SP1", (4.80, 3.90, 1.75), (5.10, 4.00, 1.70)),
    ]
    return pd.DataFrame(rows, index=pd.Index(range(10, 17)))


OUTCOMES = np.array([0, 1, 2, 0, 1, 2, 2], dtype=np.int64)


def test_only_rows_with_six_pinnacle_prices_and_every_prediction_are_kept(
    frame: pd.DataFrame,
) -> None:
    scored = score_rows(frame, OUTCOMES, ["dixon_coles", "ensemble"])
    assert scored.index.tolist() == [10, 13, 16]
    assert scored.outcomes.tolist() == [0, 0, 2]
    assert scored.leagues.tolist() == ["E0", "SP1", "SP1"]


def test_every_model_and_the_market_is_scored_on_the_same_rows(frame: pd.DataFrame) -> None:
    scored = score_rows(frame, OUTCOMES, ["dixon_coles", "ensemble"])
    assert set(scored.probabilities) == {
        "dixon_coles",
        "ensemble",
        "market_prematch",
        "market_closing",
    }
    assert {p.shape for p in scored.probabilities.values()} == {(3, 3)}
    np.testing.assert_array_equal(scored.probabilities["dixon_coles"][0], [0.5, 0.3, 0.2])
    np.testing.assert_array_equal(scored.probabilities["ensemble"][0], [0.45, 0.3, 0.25])


def test_left_out_rows_are_counted_by_reason(frame: pd.DataFrame) -> None:
    scored = score_rows(frame, OUTCOMES, ["dixon_coles", "ensemble"])
    assert scored.excluded == {
        "evaluated_matches": 7,
        "without_pinnacle_prematch_and_closing": 2,
        "without_a_model_prediction": 2,
    }


def test_a_model_not_asked_for_does_not_exclude_rows(frame: pd.DataFrame) -> None:
    scored = score_rows(frame, OUTCOMES, ["dixon_coles"])
    assert scored.index.tolist() == [10, 13, 15, 16]
    assert set(scored.probabilities) == {"dixon_coles", "market_prematch", "market_closing"}
    assert scored.excluded["without_a_model_prediction"] == 1


def test_market_probabilities_are_power_devigged(frame: pd.DataFrame) -> None:
    scored = score_rows(frame, OUTCOMES, ["dixon_coles", "ensemble"])
    kept = frame.loc[[10, 13, 16]]
    prematch = remove_margin(kept[list(PREMATCH)].to_numpy(), "power")
    closing = remove_margin(kept[list(CLOSING)].to_numpy(), "power")
    np.testing.assert_allclose(scored.probabilities["market_prematch"], prematch, rtol=1e-12)
    np.testing.assert_allclose(scored.probabilities["market_closing"], closing, rtol=1e-12)
    # The power method, not the proportional one: p_i = (1 / o_i) ** k with one k per row.
    implied = 1.0 / kept[list(PREMATCH)].to_numpy()
    exponents = np.log(scored.probabilities["market_prematch"]) / np.log(implied)
    np.testing.assert_allclose(exponents, exponents[:, :1].repeat(3, axis=1), rtol=1e-9)
    assert not np.allclose(
        scored.probabilities["market_prematch"], implied / implied.sum(axis=1, keepdims=True)
    )


def test_metrics_of_a_hand_worked_pair_of_forecasts() -> None:
    probabilities = np.array([[0.64, 0.24, 0.12], [0.16, 0.26, 0.58]])
    outcomes = np.array([0, 2], dtype=np.int64)

    result = metrics(probabilities, outcomes)

    # RPS: cumulative forecasts (0.64, 0.88) against (1, 1), and (0.16, 0.42) against (0, 0):
    # ((0.36² + 0.12²) / 2 + (0.16² + 0.42²) / 2) / 2 = (0.072 + 0.101) / 2.
    # Brier: (0.36² + 0.24² + 0.12²) = 0.2016 and (0.16² + 0.26² + 0.42²) = 0.2696.
    # Log loss: (-ln 0.64 - ln 0.58) / 2.
    # ECE over the six (p, happened) pairs in tenths: [0.1, 0.2) holds 0.12 and 0.16, none
    # happened: gap 0.14 twice; [0.2, 0.3) holds 0.24 and 0.26, none happened: 0.25 twice;
    # 0.58 and 0.64 happened: gaps 0.42 and 0.36. (0.28 + 0.50 + 0.42 + 0.36) / 6 = 0.26.
    assert result["n"] == 2
    assert result["rps"] == pytest.approx(0.0865, abs=1e-12)
    assert result["brier"] == pytest.approx(0.2356, abs=1e-12)
    assert result["log_loss"] == pytest.approx(0.4955071389, abs=1e-9)
    assert result["ece"] == pytest.approx(0.26, abs=1e-12)


def test_metrics_of_no_rows_are_empty() -> None:
    result = metrics(np.empty((0, 3)), np.empty(0, dtype=np.int64))
    assert result == {"n": 0, "rps": None, "log_loss": None, "brier": None, "ece": None}
