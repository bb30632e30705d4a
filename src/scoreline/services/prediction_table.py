"""Every scored prediction of a backtest as one table, written as CSV or Parquet.

One row per match and model, on exactly the rows the report scores
(``services.evaluation.score_rows``), so the mean of a model's ``rps`` column
is the report's RPS for it, and anyone can test two models' differences pair by
pair. The two markets are models too: ``market_prematch`` and
``market_closing`` are Pinnacle's pre-match and closing prices de-margined as
the report de-margines them (``devig.remove_margin``'s default).

Columns, in order: ``match_id`` (the history's row number), ``league``,
``kickoff`` (UTC), ``home``, ``away``, ``model``, ``p_home``, ``p_draw``,
``p_away``, ``prematch_home``/``_draw``/``_away`` and ``closing_home``/
``_draw``/``_away`` (Pinnacle's decimal prices), ``result`` (``H``, ``D`` or
``A``), and the row's ``rps`` and ``log_loss`` (natural log).

Parquet is written by polars' own writer, so no Arrow library is needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import polars as pl

from scoreline.errors import ConfigError
from scoreline.pricing import log_loss_per_row, rps_per_row
from scoreline.services.evaluation import CLOSING, PREMATCH, ScoredRows

__all__ = ["PREDICTION_COLUMNS", "prediction_table", "predictions_format", "write_predictions"]

TableFormat = Literal["csv", "parquet"]
PREDICTION_COLUMNS = (
    "match_id",
    "league",
    "kickoff",
    "home",
    "away",
    "model",
    "p_home",
    "p_draw",
    "p_away",
    "prematch_home",
    "prematch_draw",
    "prematch_away",
    "closing_home",
    "closing_draw",
    "closing_away",
    "result",
    "rps",
    "log_loss",
)
_SUFFIXES: dict[str, TableFormat] = {".csv": "csv", ".parquet": "parquet"}


def predictions_format(path: Path) -> TableFormat:
    """The format a predictions file's suffix asks for, checked before any work is done.

    Raises
    ------
    ConfigError
        A suffix other than ``.csv`` or ``.parquet``, naming the file.
    """
    found = _SUFFIXES.get(path.suffix.lower())
    if found is None:
        raise ConfigError(
            f"--predictions {path}: unknown suffix {path.suffix or '(none)'!r}; "
            "use .csv or .parquet"
        )
    return found


def prediction_table(frame: pd.DataFrame, scored: ScoredRows) -> pl.DataFrame:
    """One row per scored match and model (``frame`` holds the history's columns)."""
    rows = frame.loc[scored.index]
    n = len(rows)
    shared = {
        "match_id": rows["match_id"].to_numpy(dtype=np.int64),
        "league": rows["league"].to_numpy(dtype=str),
        "kickoff": rows["date"].dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(),
        "home": rows["home_team"].to_numpy(dtype=str),
        "away": rows["away_team"].to_numpy(dtype=str),
    }
    prices = {
        f"{prefix}_{side}": rows[column].to_numpy(dtype=np.float64)
        for prefix, columns in (("prematch", PREMATCH), ("closing", CLOSING))
        for side, column in zip(("home", "draw", "away"), columns, strict=True)
    }
    result = np.array(["H", "D", "A"])[scored.outcomes]
    parts = []
    for name, p in scored.probabilities.items():
        parts.append(
            pl.DataFrame(
                {
                    **shared,
                    "model": np.full(n, name),
                    "p_home": p[:, 0],
                    "p_draw": p[:, 1],
                    "p_away": p[:, 2],
                    **prices,
                    "result": result,
                    "rps": rps_per_row(p, scored.outcomes) if n else np.empty(0),
                    "log_loss": log_loss_per_row(p, scored.outcomes) if n else np.empty(0),
                }
            )
        )
    if not parts:
        return pl.DataFrame(schema=list(PREDICTION_COLUMNS))
    table = pl.concat(parts).with_columns(pl.col("kickoff").dt.replace_time_zone("UTC"))
    return table.select(PREDICTION_COLUMNS).sort(["kickoff", "match_id", "model"])


def write_predictions(table: pl.DataFrame, path: Path) -> None:
    """Write the table as CSV or Parquet, as ``path``'s suffix says."""
    if predictions_format(path) == "parquet":
        table.write_parquet(path)
    else:
        table.write_csv(path)
