"""Scoring walk-forward predictions against the market on the same rows.

Every model is scored on exactly the rows that have Pinnacle pre-match and
closing 1X2 prices (the market rows, de-margined by the power method) and a
prediction from every model; rows left out are counted by reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.pricing import brier_score, log_loss, reliability_table, remove_margin, rps

__all__ = ["MODEL_COLUMNS", "ScoredRows", "metrics", "score_rows"]

FloatArray = npt.NDArray[np.float64]

MODEL_COLUMNS: dict[str, tuple[str, str, str]] = {
    "dixon_coles": ("dc_home", "dc_draw", "dc_away"),
    "ensemble": ("ens_home", "ens_draw", "ens_away"),
}
PREMATCH = ("ps_home", "ps_draw", "ps_away")
CLOSING = ("psc_home", "psc_draw", "psc_away")


@dataclass(frozen=True, slots=True)
class ScoredRows:
    """The rows every model is scored on, with each model's probabilities (n, 3)."""

    index: pd.Index
    outcomes: npt.NDArray[np.int64]
    leagues: npt.NDArray[np.str_]
    probabilities: dict[str, FloatArray]
    excluded: dict[str, int]


def score_rows(
    frame: pd.DataFrame, outcomes: npt.NDArray[np.int64], models: list[str]
) -> ScoredRows:
    """Select the common rows and gather the probabilities of models and market."""
    evaluated = len(frame)
    has_market = frame[list(PREMATCH + CLOSING)].notna().all(axis=1).to_numpy()
    has_models = np.ones(evaluated, dtype=bool)
    for name in models:
        has_models &= frame[list(MODEL_COLUMNS[name])].notna().all(axis=1).to_numpy()
    keep = has_market & has_models
    rows = frame.loc[keep]
    probabilities = {
        name: rows[list(MODEL_COLUMNS[name])].to_numpy(dtype=np.float64) for name in models
    }
    probabilities["market_prematch"] = remove_margin(rows[list(PREMATCH)].to_numpy(), "power")
    probabilities["market_closing"] = remove_margin(rows[list(CLOSING)].to_numpy(), "power")
    return ScoredRows(
        index=rows.index,
        outcomes=outcomes[keep],
        leagues=rows["league"].to_numpy(dtype=str),
        probabilities=probabilities,
        excluded={
            "evaluated_matches": evaluated,
            "without_pinnacle_prematch_and_closing": int((~has_market).sum()),
            "without_a_model_prediction": int((has_market & ~has_models).sum()),
        },
    )


def metrics(probabilities: FloatArray, outcomes: npt.NDArray[np.int64]) -> dict[str, Any]:
    """``{"n", "rps", "log_loss", "brier", "ece"}`` of one model on some rows."""
    if len(outcomes) == 0:
        return {"n": 0, "rps": None, "log_loss": None, "brier": None, "ece": None}
    return {
        "n": len(outcomes),
        "rps": rps(probabilities, outcomes),
        "log_loss": log_loss(probabilities, outcomes),
        "brier": brier_score(probabilities, outcomes),
        "ece": reliability_table(probabilities, outcomes).ece,
    }
