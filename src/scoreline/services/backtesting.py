"""The walk-forward backtest as a use case: files in, a report and its charts out.

Loads the history from football-data trees, runs ``models.backtest``, scores
every model and the market on the same rows (``services.evaluation``) and
simulates the staking policy on the ensemble's value bets, bets placed at the
best pre-match price and compared with Pinnacle's de-margined close.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import polars as pl

from scoreline.models.backtest import (
    ENSEMBLE_COLUMNS,
    WalkForwardConfig,
    WalkForwardResult,
    evaluation_rows,
    outcomes,
    run_walk_forward,
)
from scoreline.models.calibration import IsotonicCalibrator
from scoreline.models.drift import ReferenceDistribution
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.models.registry import ModelArtifact, ModelRegistry
from scoreline.pricing import log_loss_per_row, reliability_table, remove_margin, rps_per_row
from scoreline.pricing.bankroll import BankrollResult, BetCandidates, simulate
from scoreline.pricing.intervals import bootstrap_mean_interval
from scoreline.pricing.kelly import StakingPolicy
from scoreline.services.evaluation import MODEL_COLUMNS, ScoredRows, metrics, score_rows
from scoreline.services.history import load_history
from scoreline.services.prediction_table import prediction_table
from scoreline.services.report_html import BacktestSeries, ReliabilityBins
from scoreline.services.shadow_clv import backtest_shadow_clv

__all__ = ["BacktestOptions", "BacktestOutcome", "run_backtest"]

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
MODEL_NAMES = {"dixon-coles": "dixon_coles", "ensemble": "ensemble"}
ECE_BINNING = (
    "10 equal-width bins on [0, 1]; the home, draw and away probabilities of every match "
    "pooled as 3n one-vs-rest forecasts (pricing.scoring.reliability_table, target 'all')"
)


@dataclass(frozen=True, slots=True)
class BacktestOptions:
    """What to evaluate and how to bet."""

    start: date
    end: date
    leagues: Sequence[str] | None = None
    models: tuple[str, ...] = ("dixon-coles", "ensemble")
    refit_days: int = 7
    policy: StakingPolicy = field(default_factory=StakingPolicy)
    initial_bankroll_minor: int = 10_000_000
    seed: int = 0
    registry_dir: Path | None = None

    def __post_init__(self) -> None:
        self.walk_forward_config()  # refuses bad dates and model names up front

    def walk_forward_config(self) -> WalkForwardConfig:
        """The walk-forward schedule these options ask for."""
        return WalkForwardConfig(
            start=self.start,
            end=self.end,
            refit_days=self.refit_days,
            seed=self.seed,
            models=self.models,
        )


@dataclass(frozen=True, slots=True)
class BacktestOutcome:
    """The JSON report, the chart series, the per-match predictions and the scored table
    (``services.prediction_table``: one row per scored match and model)."""

    report: dict[str, Any]
    series: BacktestSeries
    predictions: pd.DataFrame
    table: pl.DataFrame


def run_backtest(
    roots: Sequence[Path], options: BacktestOptions, *, progress: Progress | None = None
) -> BacktestOutcome:
    """Walk forward over [start, end] on every match under ``roots``."""
    started = time.perf_counter()
    config = options.walk_forward_config()

    def files_progress(_path: Path, done: int, total: int) -> None:
        if progress is not None:
            progress("loading files", done, total)

    history = load_history(roots, leagues=options.leagues, progress=files_progress)
    result = run_walk_forward(history, config, progress=progress)
    frame = pd.concat([history, result.predictions], axis=1)
    evaluated = frame.loc[evaluation_rows(history, config).to_numpy()]
    y = outcomes(evaluated)
    models = [MODEL_NAMES[m] for m in options.models]
    scored = score_rows(evaluated, y, models)
    bettor = "ensemble" if "ensemble" in models else "dixon_coles"
    bankroll = _simulate_bets(evaluated, y, bettor, options)
    report = {
        "matches": len(evaluated),
        "seconds": round(time.perf_counter() - started, 2),
        "models": {name: metrics(p, scored.outcomes) for name, p in scored.probabilities.items()},
        "ece_binning": ECE_BINNING,
        "paired_differences": _paired_differences(scored, options.seed),
        "shadow_clv": _shadow_clv(scored, bettor),
        "by_league": _by_league(scored),
        "betting": _betting_summary(bankroll, bettor, options),
        "rows": scored.excluded | {"scored": len(scored.outcomes)},
        "config": {
            "start": options.start.isoformat(),
            "end": options.end.isoformat(),
            "leagues": sorted(set(evaluated["league"])),
            "models": list(options.models),
            "refit_days": options.refit_days,
            "refits": result.refits,
            "history_matches": len(history),
            "seed": options.seed,
        },
    }
    if options.registry_dir is not None:
        report["model_version"] = _register(options, result, history, report)
    report = _json_safe(report)
    series = _series(bankroll, scored, report, options)
    logger.info("backtest: %d matches in %.1fs", len(evaluated), report["seconds"])
    return BacktestOutcome(report, series, frame, prediction_table(frame, scored))


def _paired_differences(scored: ScoredRows, seed: int) -> dict[str, Any]:
    """Per-match score differences of each model against each market, with a paired
    bootstrap 95% interval of their mean: negative means the model scored better.

    Both scores of a pair are on the same match, so the matches are resampled, not
    each model's scores apart; the interval excluding zero is the claim's proof.
    """
    y = scored.outcomes
    out: dict[str, Any] = {}
    models = [n for n in scored.probabilities if not n.startswith("market_")]
    for name in models:
        for market in ("market_prematch", "market_closing"):
            p, q = scored.probabilities[name], scored.probabilities[market]
            entry: dict[str, Any] = {"n": len(y)}
            for score, per_row in (("rps", rps_per_row), ("log_loss", log_loss_per_row)):
                if not len(y):
                    entry[score] = {"mean": None, "ci95": None}
                    continue
                difference = per_row(p, y) - per_row(q, y)
                interval = bootstrap_mean_interval(difference, seed=seed)
                entry[score] = {"mean": float(difference.mean()), "ci95": interval}
            out[f"{name}-{market}"] = entry
    return out


def _shadow_clv(scored: ScoredRows, bettor: str) -> dict[str, Any]:
    """The bettor's shadow CLV: its walk-forward prices at Pinnacle's pre-match against
    Pinnacle's de-margined close (``services.shadow_clv``)."""
    p = scored.probabilities
    return backtest_shadow_clv(
        p[bettor], p["market_prematch"], p["market_closing"], scored.leagues, name=bettor
    )


def _register(
    options: BacktestOptions,
    result: WalkForwardResult,
    history: pd.DataFrame,
    report: dict[str, Any],
) -> str:
    """Save the last refit's estimators, with the backtest's figures, as a registry version."""
    trained = history.loc[history["date"] < pd.Timestamp(options.end, tz="UTC"), "date"]
    calibration = {
        name: estimator.calibration_report()
        for name, estimator in result.final.items()
        if isinstance(estimator, IsotonicCalibrator)
    }
    artifact = ModelArtifact(
        name="ensemble",
        params={
            "config": report["config"],
            "members": sorted(result.final),
            "policy": report["betting"]["policy"],
        },
        feature_names=list(FEATURE_COLUMNS),
        trained_from=trained.iloc[0].date(),
        trained_to=trained.iloc[-1].date(),
        seed=options.seed,
        estimators=dict(result.final) | _reference(options, result, history),
        calibration=calibration,
        metrics=_json_safe({"backtest": report["models"], "betting": report["betting"]}),
    )
    return ModelRegistry(cast(Path, options.registry_dir)).save(artifact)


def _reference(
    options: BacktestOptions, result: WalkForwardResult, history: pd.DataFrame
) -> dict[str, ReferenceDistribution]:
    """What the live worker's drift is measured against: the features of the last
    year before ``end`` and the ensemble's walk-forward probabilities on them
    (nothing when the run built no features, as a Dixon-Coles-only one)."""
    if not set(FEATURE_COLUMNS) <= set(result.features.columns):
        return {}
    end = pd.Timestamp(options.end, tz="UTC") + pd.Timedelta(days=1)
    rows = ((history["date"] < end) & (history["date"] >= end - pd.Timedelta(days=365))).to_numpy()
    frame = result.features.loc[rows, list(FEATURE_COLUMNS)].copy()
    if set(ENSEMBLE_COLUMNS) <= set(result.predictions.columns):
        probabilities = result.predictions.loc[rows, list(ENSEMBLE_COLUMNS)].to_numpy()
        for i, outcome in enumerate(("home", "draw", "away")):
            frame[outcome] = probabilities[:, i]
    usable = [c for c in frame.columns if frame[c].notna().sum() >= 40]
    if not usable:
        return {}
    return {"reference": ReferenceDistribution.from_frame(frame, usable)}


def _by_league(scored: ScoredRows) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for league in sorted(set(scored.leagues.tolist())):
        rows = scored.leagues == league
        out[league] = {
            name: metrics(p[rows], scored.outcomes[rows])
            for name, p in scored.probabilities.items()
        }
    return out


def _simulate_bets(
    evaluated: pd.DataFrame, y: np.ndarray[Any, Any], bettor: str, options: BacktestOptions
) -> BankrollResult:
    """Every outcome of every match with a probability and a best price is a candidate."""
    columns = list(MODEL_COLUMNS[bettor])
    best = ["best_home", "best_draw", "best_away"]
    closing = ["psc_home", "psc_draw", "psc_away"]
    usable = evaluated[columns + best].notna().all(axis=1).to_numpy()
    rows = evaluated.loc[usable]
    close = np.full((len(rows), 3), np.nan)
    has_close = rows[closing].notna().all(axis=1).to_numpy()
    if has_close.any():
        close[has_close] = remove_margin(rows.loc[has_close, closing].to_numpy(), "power")
    n = len(rows)
    candidates = BetCandidates.from_columns(
        {
            "match_id": np.repeat(rows["match_id"].to_numpy(), 3),
            "date": np.repeat(rows["date"].dt.tz_localize(None).to_numpy(), 3),
            "outcome": np.tile(np.arange(3), n),
            "probability": rows[columns].to_numpy(dtype=np.float64).ravel(),
            "price": rows[best].to_numpy(dtype=np.float64).ravel(),
            "closing_probability": close.ravel(),
            "won": (np.tile(np.arange(3), n) == np.repeat(y[usable], 3)),
        }
    )
    return simulate(
        candidates,
        initial_bankroll_minor=options.initial_bankroll_minor,
        policy=options.policy,
        seed=options.seed,
    )


def _betting_summary(
    result: BankrollResult, bettor: str, options: BacktestOptions
) -> dict[str, Any]:
    policy = options.policy
    return {
        "model": bettor,
        "bets": result.n_bets,
        "staked": result.staked_minor / 100,
        "profit": result.profit_minor / 100,
        "roi": result.roi,
        "roi_ci95": list(result.roi_ci95),
        "max_drawdown": result.max_drawdown.fraction,
        "max_drawdown_units": result.max_drawdown.amount_minor / 100,
        "clv_mean": result.clv_mean,
        "clv_positive_share": result.clv_positive_share,
        "initial_bankroll": options.initial_bankroll_minor / 100,
        "final_bankroll": result.final_bankroll_minor / 100,
        "price": "best pre-match price over individual bookmakers",
        "policy": {
            "kelly_fraction": policy.fraction,
            "min_edge": policy.min_edge,
            "max_bet": policy.max_bet,
            "max_fixture": policy.max_fixture,
            "max_exposure": policy.max_exposure,
        },
    }


def _series(
    bankroll: BankrollResult,
    scored: ScoredRows,
    report: dict[str, Any],
    options: BacktestOptions,
) -> BacktestSeries:
    dates = [pd.Timestamp(d).date() for d in bankroll.dates]
    profit = [(b - options.initial_bankroll_minor) / 100 for b in bankroll.bankroll_minor.tolist()]
    return BacktestSeries(
        profit_dates=dates,
        cumulative_profit=profit,
        drawdown_dates=dates,
        drawdown=bankroll.drawdown_fraction.tolist(),
        reliability={
            name: ReliabilityBins.from_table(reliability_table(p, scored.outcomes))
            for name, p in scored.probabilities.items()
            if len(scored.outcomes)
        },
        rps_by_league={
            league: {m: v["rps"] for m, v in by_model.items() if v["rps"] is not None}
            for league, by_model in report["by_league"].items()
        },
    )


def _json_safe(value: Any) -> Any:
    """NaN and infinities become None (strict JSON has neither); numpy scalars become Python."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
