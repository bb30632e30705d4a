"""Model health arithmetic against hand-worked cases."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from scoreline.domain.odds import OddsRecord
from scoreline.models.drift import ReferenceDistribution
from scoreline.services import model_health


def test_reliability_bins_leave_empty_bins_out_and_count_hits() -> None:
    p = [(0.55, 0.25, 0.20), (0.58, 0.22, 0.20), (0.15, 0.25, 0.60)]
    outcomes = [0, 2, 2]
    bins = model_health.reliability_bins(p, outcomes)
    home = [b for b in bins if b.selection == "home"]
    assert [(b.bin_low, b.count) for b in home] == [(0.1, 1), (0.5, 2)]
    assert home[1].bin_high == pytest.approx(0.6)
    assert home[1].predicted_mean == pytest.approx((0.55 + 0.58) / 2)
    assert home[1].observed_rate == pytest.approx(0.5)
    away = {round(b.bin_low, 1): b for b in bins if b.selection == "away"}
    assert (away[0.2].count, away[0.2].observed_rate) == (2, 0.5)
    assert (away[0.6].count, away[0.6].observed_rate) == (1, 1.0)


def test_a_forecast_of_one_lands_in_the_last_bin() -> None:
    bins = model_health.reliability_bins([(1.0, 0.0, 0.0)], [0])
    assert [(b.selection, round(b.bin_low, 1), b.observed_rate) for b in bins] == [
        ("home", 0.9, 1.0),
        ("draw", 0.0, 0.0),
        ("away", 0.0, 0.0),
    ]


def test_rolling_scores_average_each_window_and_skip_unpriced_market_rows() -> None:
    model = [(0.5, 0.3, 0.2), (0.2, 0.3, 0.5), (0.6, 0.2, 0.2)]
    market = [(0.4, 0.3, 0.3), (math.nan, math.nan, math.nan), (0.5, 0.25, 0.25)]
    outcomes = [0, 1, 2]
    # RPS by hand: cumulative (P1 - O1)^2 + (P12 - O12)^2, over 2.
    rps_model = [(0.25 + 0.04) / 2, (0.04 + 0.25) / 2, (0.36 + 0.64) / 2]
    rps_market = [(0.36 + 0.09) / 2, None, (0.25 + 0.5625) / 2]
    points = model_health.rolling_scores(model, market, outcomes, window=2)
    assert [p.end for p in points] == [1, 2]
    assert [p.n for p in points] == [2, 2]
    assert points[0].rps_model == pytest.approx((rps_model[0] + rps_model[1]) / 2)
    assert points[1].rps_model == pytest.approx((rps_model[1] + rps_model[2]) / 2)
    assert points[0].rps_market == pytest.approx(rps_market[0])  # one priced match
    assert points[1].rps_market == pytest.approx(rps_market[2])
    assert points[0].log_loss_model == pytest.approx((-math.log(0.5) - math.log(0.3)) / 2)
    assert points[1].log_loss_market == pytest.approx(-math.log(0.25))


def test_rolling_scores_need_a_full_window_and_cap_an_infinite_log_loss() -> None:
    assert model_health.rolling_scores([(0.5, 0.3, 0.2)], [(0.5, 0.3, 0.2)], [0], window=2) == []
    nowhere = (np.nan, np.nan, np.nan)
    (point,) = model_health.rolling_scores([(1.0, 0.0, 0.0)], [nowhere], [2], window=1)
    assert point.log_loss_model == pytest.approx(-math.log(1e-15))
    assert (point.rps_market, point.log_loss_market) == (None, None)


def test_market_probabilities_leave_unusable_rows_nan() -> None:
    out = model_health.market_probabilities([(2.0, 4.0, 4.0), (np.nan, 3.0, 3.0), (1.0, 3, 3)])
    # 1/2 + 1/4 + 1/4 = 1: no margin to remove.
    assert out[0] == pytest.approx([0.5, 0.25, 0.25])
    assert np.isnan(out[1:]).all()


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (None, "unknown"),
        (math.nan, "unknown"),
        (0.0, "stable"),
        (0.0999, "stable"),
        (0.1, "watch"),
        (0.2499, "watch"),
        (0.25, "drift"),
        (3.0, "drift"),
    ],
)
def test_drift_status_thresholds(value: float | None, status: str) -> None:
    assert model_health.drift_status(value) == status


def test_prediction_drift_is_unknown_without_a_home_reference() -> None:
    assert model_health.prediction_drift(None, [0.4, 0.5]).status == "unknown"
    draws = ReferenceDistribution.from_frame(np.linspace(0, 1, 50).reshape(-1, 1), ["draw"])
    assert model_health.prediction_drift(draws, [0.4]).status == "unknown"
    home = ReferenceDistribution.from_frame(np.linspace(0, 1, 50).reshape(-1, 1), ["home"])
    assert model_health.prediction_drift(home, []) == model_health.Drift(None, 0, "unknown")


def test_prediction_drift_reads_the_home_column() -> None:
    reference = np.linspace(0.2, 0.6, 100)
    home = ReferenceDistribution.from_frame(reference.reshape(-1, 1), ["home"])
    same = model_health.prediction_drift(home, reference)
    assert same.prediction_psi == pytest.approx(0.0)
    assert (same.n_recent, same.status) == (100, "stable")
    shifted = model_health.prediction_drift(home, np.full(40, 0.9))
    assert shifted.status == "drift"
    assert shifted.prediction_psi is not None
    assert shifted.prediction_psi > 0.25


def _quote(
    snapshot_id: int, fixture_id: int, bookmaker: str, kind: str, *prices: str
) -> OddsRecord:
    return OddsRecord(
        id=snapshot_id,
        fixture_id=fixture_id,
        bookmaker=bookmaker,
        market="1x2",
        line=None,
        kind=kind,
        captured_at=datetime(2023, 5, 1, tzinfo=UTC),
        prices=dict(zip(("home", "draw", "away"), map(Decimal, prices), strict=False)),
    )


def test_the_market_is_judged_by_the_sharp_close_then_the_average_close_then_pre_match() -> None:
    quotes = [
        # Fixture 1 has every kind: Pinnacle's closing price wins, whatever comes later.
        _quote(1, 1, "PS", "closing", "2.0", "3.5", "4.0"),
        _quote(2, 1, "AVG", "closing", "2.1", "3.4", "3.9"),
        _quote(3, 1, "B365", "prematch", "2.2", "3.3", "3.8"),
        # Fixture 2: no Pinnacle close, so the closing average; an incomplete row is skipped.
        _quote(4, 2, "PS", "prematch", "1.9", "3.6", "4.2"),
        _quote(5, 2, "AVG", "closing", "1.8", "3.7", "4.4"),
        _quote(6, 2, "PS", "closing", "1.7", "3.8"),
        # Fixture 3: only pre-match prices; Pinnacle's beats the average's and any book's,
        # and a later snapshot of the same rank replaces an earlier one.
        _quote(7, 3, "B365", "prematch", "3.0", "3.0", "2.5"),
        _quote(8, 3, "AVG", "prematch", "2.9", "3.1", "2.6"),
        _quote(9, 3, "PS", "prematch", "2.8", "3.2", "2.7"),
        _quote(10, 3, "PS", "prematch", "2.7", "3.3", "2.8"),
        # Fixture 4: a price of 1 or less is no price.
        _quote(11, 4, "PS", "closing", "1.0", "3.0", "5.0"),
    ]
    assert model_health.market_prices(quotes) == {
        1: (2.0, 3.5, 4.0),
        2: (1.8, 3.7, 4.4),
        3: (2.7, 3.3, 2.8),
    }
