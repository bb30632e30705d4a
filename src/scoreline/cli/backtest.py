"""``scoreline backtest``: walk-forward evaluation with a report (a contract: checks rely on it)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from scoreline.cli._errors import handle_errors
from scoreline.cli._options import split_codes
from scoreline.errors import ConfigError


def _day(value: str, option: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date of the form 2020-07-01") from None


@handle_errors
def backtest(
    *,
    data: Annotated[
        list[Path], typer.Option("--data", help="A football-data.co.uk tree; repeat to merge.")
    ],
    start: Annotated[str, typer.Option(help="First kick-off date evaluated (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option(help="Last kick-off date evaluated (YYYY-MM-DD).")],
    json_path: Annotated[Path, typer.Option("--json", help="Where to write report.json.")],
    leagues: Annotated[
        str | None, typer.Option(help="Comma-separated division codes; default all.")
    ] = None,
    models: Annotated[
        str, typer.Option(help="Comma-separated: dixon-coles, ensemble.")
    ] = "dixon-coles,ensemble",
    html_path: Annotated[
        Path | None, typer.Option("--html", help="Also write an HTML report.")
    ] = None,
    refit_days: Annotated[int, typer.Option(help="Days between refits.")] = 7,
    kelly_fraction: Annotated[float, typer.Option(help="Fraction of full Kelly staked.")] = 0.25,
    min_edge: Annotated[float, typer.Option(help="Smallest edge bet (0.02 = 2%).")] = 0.02,
    seed: Annotated[int, typer.Option(help="Seed for models and the bootstrap.")] = 0,
    predictions_path: Annotated[
        Path | None,
        typer.Option(
            "--predictions",
            help="Also write every scored prediction, one row per match and model "
            "(the markets included): .csv or .parquet.",
        ),
    ] = None,
    register: Annotated[
        bool,
        typer.Option(help="Save the last refit's models to the registry (SCORELINE_DATA_DIR)."),
    ] = False,
) -> None:
    """Walk forward from --start to --end: refit on a schedule, score, bet, report."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    from scoreline.cli.console import console, err_console
    from scoreline.platform import Platform
    from scoreline.pricing.kelly import StakingPolicy
    from scoreline.services.backtesting import BacktestOptions, run_backtest
    from scoreline.services.prediction_table import predictions_format, write_predictions
    from scoreline.services.report_html import render_backtest_html

    for root in data:
        if not root.exists():
            raise ConfigError(f"--data {root} does not exist")
    if predictions_path is not None:
        predictions_format(predictions_path)  # an unknown suffix fails before the long run
    chosen = tuple(split_codes(models) or ())
    options = BacktestOptions(
        start=_day(start, "--start"),
        end=_day(end, "--end"),
        leagues=split_codes(leagues),
        models=chosen,
        refit_days=refit_days,
        policy=StakingPolicy(fraction=kelly_fraction, min_edge=min_edge),
        seed=seed,
        registry_dir=Platform().artifacts_dir if register else None,
    )
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def advance(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        outcome = run_backtest(data, options, progress=advance)
    json_path.write_text(json.dumps(outcome.report, indent=2) + "\n", encoding="utf-8")
    if html_path is not None:
        html_path.write_text(render_backtest_html(outcome.report, outcome.series), encoding="utf-8")
    if predictions_path is not None:
        write_predictions(outcome.table, predictions_path)
    _render(outcome.report)
    if "model_version" in outcome.report:
        console.print(f"registered ensemble {outcome.report['model_version']}")


def _render(report: dict[str, Any]) -> None:
    from rich.table import Table

    from scoreline.cli.console import console

    models = report["models"]
    table = Table(title=f"walk-forward: {report['matches']} matches, {report['seconds']}s")
    for column in ("model", "n", "RPS", "log loss", "Brier", "ECE"):
        table.add_column(column, justify="right" if column != "model" else "left")
    for name, m in models.items():
        table.add_row(
            name,
            str(m["n"]),
            *(
                f"{m[k]:.5f}" if m[k] is not None else "-"
                for k in ("rps", "log_loss", "brier", "ece")
            ),
        )
    console.print(table)
    betting = report["betting"]
    lo, hi = betting["roi_ci95"] or [None, None]
    console.print(
        f"bets {betting['bets']}, staked {betting['staked']:,.2f}, "
        f"profit {betting['profit']:,.2f}, "
        f"ROI {_pct(betting['roi'])} (95% CI {_pct(lo)} to {_pct(hi)}), "
        f"max drawdown {_pct(betting['max_drawdown'])}, CLV mean {_pct(betting['clv_mean'])}, "
        f"CLV > 0 on {_pct(betting['clv_positive_share'])} of bets"
    )
    for pair, entry in report.get("paired_differences", {}).items():
        console.print(
            f"{pair}: RPS {_difference(entry['rps'])}, log loss {_difference(entry['log_loss'])}"
        )
    shadow = report.get("shadow_clv")
    if shadow is not None:
        overall = shadow["overall"]
        lo, hi = overall["ci95"]
        console.print(
            f"shadow CLV of {shadow['model']}: {_pct(overall['mean'])} over "
            f"{overall['n_bets']} bets (95% CI {_pct(lo)} to {_pct(hi)}), "
            f"bets needed to prove it {overall['bets_needed'] or '-'}"
        )


def _difference(entry: dict[str, Any]) -> str:
    """A paired difference's mean and bootstrap interval, to five places."""
    lo, hi = entry["ci95"] or [None, None]
    return f"{_number(entry['mean'])} (95% CI {_number(lo)} to {_number(hi)})"


def _number(value: object) -> str:
    return "-" if not isinstance(value, int | float) else f"{value:.5f}"


def _pct(value: object) -> str:
    return "-" if not isinstance(value, int | float) else f"{value:.2%}"
