"""Pure maths on prices: margin removal and forecast scores."""

from scoreline.pricing.devig import (
    Devigged,
    DevigMethod,
    additive,
    logarithmic,
    multiplicative,
    odds_ratio,
    power,
    remove_margin,
    shin,
)
from scoreline.pricing.scoring import (
    ReliabilityTable,
    brier_score,
    brier_score_per_row,
    expected_calibration_error,
    log_loss,
    log_loss_per_row,
    reliability_table,
    rps,
    rps_per_row,
)

__all__ = [
    "DevigMethod",
    "Devigged",
    "ReliabilityTable",
    "additive",
    "brier_score",
    "brier_score_per_row",
    "expected_calibration_error",
    "log_loss",
    "log_loss_per_row",
    "logarithmic",
    "multiplicative",
    "odds_ratio",
    "power",
    "reliability_table",
    "remove_margin",
    "rps",
    "rps_per_row",
    "shin",
]
