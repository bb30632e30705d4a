"""``scoreline backtest`` end to end on the vendored sample: the report.json contract."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner, Result

from scoreline.cli.app import app
from scoreline.config import get_settings
from scoreline.models.registry import ModelRegistry
from scoreline.services.history import load_history
from scoreline.services.prediction_table import PREDICTION_COLUMNS

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "football-data"
# The ensemble needs XGBoost predictions made before the window to fit its blend, and the
# sample starts in August 2019: autumn 2022 is the first window it can evaluate.
START, END = "2022-10-01", "2022-11-30"
LEAGUES = ("E0", "SP1")
METRICS = {"n", "rps", "log_loss", "brier", "ece"}
BETTING = {
    "bets",
    "staked",
    "profit",
    "roi",
    "roi_ci95",
    "max_drawdown",
    "clv_mean",
    "clv_positive_share",
}
MARKETS = {"market_prematch", "market_closing"}


@dataclass(frozen=True, slots=True)
class Run:
    result: Result
    json_path: Path
    html_path: Path

    def report(self) -> dict[str, Any]:
        report: dict[str, Any] = json.loads(
            self.json_path.read_text(encoding="utf-8"), parse_constant=_not_json
        )
        return report


def _not_json(constant: str) -> None:
    raise AssertionError(f"report.json holds {constant}, which strict JSON does not allow")


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    folder = tmp_path_factory.mktemp("settings")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SCORELINE_DATABASE_URL", f"sqlite:///{folder / 'cli.db'}")
        patch.setenv("SCORELINE_DATA_DIR", str(folder / "data"))
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


def _backtest(folder: Path, *options: str) -> Run:
    json_path, html_path = folder / "out.json", folder / "out.html"
    arguments = ["backtest", "--data", str(SAMPLE), "--json", str(json_path)]
    result = CliRunner().invoke(app, [*arguments, "--html", str(html_path), *options])
    return Run(result, json_path, html_path)


@pytest.fixture(scope="module")
def both_models(environment: None, tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("both")
    leagues = ",".join(LEAGUES)
    predictions = str(folder / "predictions.parquet")
    return _backtest(
        folder, "--start", START, "--end", END, "--leagues", leagues, "--predictions", predictions
    )


@pytest.fixture(scope="module")
def dixon_coles_only(environment: None, tmp_path_factory: pytest.TempPathFactory) -> Run:
    folder = tmp_path_factory.mktemp("dc")
    options = ("--start", START, "--end", END, "--leagues", "E0", "--models", "dixon-coles")
    return _backtest(folder, *options, "--predictions", str(folder / "predictions.csv"))


def _assert_metrics(block: dict[str, Any]) -> None:
    assert set(block) == METRICS
    assert isinstance(block["n"], int)
    assert block["n"] > 0
    for name in METRICS - {"n"}:
        assert isinstance(block[name], float), name


@pytest.mark.slow
def test_the_backtest_succeeds(both_models: Run) -> None:
    result = both_models.result
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "walk-forward" in result.stdout


@pytest.mark.slow
def test_the_report_is_strict_json_with_every_contract_key(both_models: Run) -> None:
    assert both_models.result.exit_code == 0, both_models.result.output
    report = both_models.report()

    assert isinstance(report["matches"], int)
    assert isinstance(report["seconds"], float)
    assert set(report["models"]) == {"dixon_coles", "ensemble", *MARKETS}
    for block in report["models"].values():
        _assert_metrics(block)
    assert set(report["by_league"]) == set(LEAGUES)
    for league in report["by_league"].values():
        assert set(league) == {"dixon_coles", "ensemble", *MARKETS}
        for block in league.values():
            _assert_metrics(block)
    assert set(report["betting"]) >= BETTING
    assert isinstance(report["betting"]["bets"], int)


@pytest.mark.slow
def test_every_model_is_scored_on_the_same_matches(both_models: Run) -> None:
    assert both_models.result.exit_code == 0, both_models.result.output
    report = both_models.report()

    counts = {block["n"] for block in report["models"].values()}
    assert len(counts) == 1
    (n,) = counts
    assert 0 < n <= report["matches"]
    for league in report["by_league"].values():
        assert len({block["n"] for block in league.values()}) == 1
    assert sum(league["dixon_coles"]["n"] for league in report["by_league"].values()) == n


@pytest.mark.slow
def test_matches_are_the_sample_matches_of_the_window(both_models: Run) -> None:
    assert both_models.result.exit_code == 0, both_models.result.output
    history = load_history([SAMPLE], leagues=list(LEAGUES))
    days = history["date"].dt.date
    expected = int(((days >= date.fromisoformat(START)) & (days <= date.fromisoformat(END))).sum())

    assert both_models.report()["matches"] == expected


@pytest.mark.slow
def test_the_betting_summary_is_consistent(both_models: Run) -> None:
    assert both_models.result.exit_code == 0, both_models.result.output
    betting = both_models.report()["betting"]

    assert betting["bets"] > 0
    assert betting["staked"] > 0
    assert betting["roi"] == pytest.approx(betting["profit"] / betting["staked"], rel=1e-6)
    low, high = betting["roi_ci95"]
    assert low <= high
    assert 0 <= betting["max_drawdown"] <= 1
    assert 0 <= betting["clv_positive_share"] <= 1


@pytest.mark.slow
def test_the_html_report_has_svg_charts(both_models: Run) -> None:
    assert both_models.result.exit_code == 0, both_models.result.output
    html = both_models.html_path.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html")
    assert html.count("<svg") >= 2


@pytest.mark.slow
def test_dixon_coles_alone_is_reported_with_the_market(dixon_coles_only: Run) -> None:
    result = dixon_coles_only.result
    assert result.exit_code == 0, result.output
    report = dixon_coles_only.report()

    assert set(report["models"]) == {"dixon_coles", *MARKETS}
    for block in report["models"].values():
        _assert_metrics(block)
    assert len({block["n"] for block in report["models"].values()}) == 1
    assert set(report["by_league"]) == {"E0"}
    assert set(report["betting"]) >= BETTING


def _check_predictions(table: pl.DataFrame, report: dict[str, Any]) -> None:
    """One row per scored match and model; each model's mean scores are the report's."""
    assert tuple(table.columns) == PREDICTION_COLUMNS
    models = report["models"]
    n = models["market_prematch"]["n"]
    assert table.height == n * len(models)
    assert set(table["model"].unique()) == set(models)
    for name, block in models.items():
        rows = table.filter(pl.col("model") == name)
        assert rows.height == n
        assert rows["match_id"].n_unique() == n
        assert rows["rps"].mean() == pytest.approx(block["rps"], rel=1e-12)
        assert rows["log_loss"].mean() == pytest.approx(block["log_loss"], rel=1e-12)
        sums = (rows["p_home"] + rows["p_draw"] + rows["p_away"]).to_numpy()
        assert sums == pytest.approx(1.0, abs=1e-6)
    assert set(table["result"].unique()) <= {"H", "D", "A"}
    assert set(table["league"].unique()) <= set(LEAGUES)
    assert (table["closing_home"] > 1).all()
    assert (table["prematch_away"] > 1).all()


@pytest.mark.slow
def test_the_predictions_parquet_adds_up_to_the_report(both_models: Run) -> None:
    assert both_models.result.exit_code == 0, both_models.result.output
    table = pl.read_parquet(both_models.json_path.parent / "predictions.parquet")
    assert str(table.schema["kickoff"]) == "Datetime(time_unit='us', time_zone='UTC')"
    _check_predictions(table, both_models.report())


@pytest.mark.slow
def test_the_predictions_csv_adds_up_to_the_report(dixon_coles_only: Run) -> None:
    assert dixon_coles_only.result.exit_code == 0, dixon_coles_only.result.output
    table = pl.read_csv(dixon_coles_only.json_path.parent / "predictions.csv")
    _check_predictions(table, dixon_coles_only.report())


@pytest.mark.slow
def test_paired_differences_and_shadow_clv_agree_with_the_predictions(both_models: Run) -> None:
    assert both_models.result.exit_code == 0, both_models.result.output
    report = both_models.report()
    table = pl.read_parquet(both_models.json_path.parent / "predictions.parquet")
    models = report["models"]
    pair = report["paired_differences"]["ensemble-market_prematch"]
    for score in ("rps", "log_loss"):
        expected = models["ensemble"][score] - models["market_prematch"][score]
        assert pair[score]["mean"] == pytest.approx(expected, abs=1e-12)
        low, high = pair[score]["ci95"]
        assert low < pair[score]["mean"] < high
    assert "10 equal-width bins" in report["ece_binning"]

    # Shadow CLV from the file: the ensemble backs what it rates above Pinnacle's
    # pre-match price, at its fair odds, against the de-margined close.
    wide = {
        name: table.filter(pl.col("model") == name).sort("match_id")
        for name in ("ensemble", "market_prematch", "market_closing")
    }
    clv = []
    for side in ("p_home", "p_draw", "p_away"):
        p = wide["ensemble"][side].to_numpy()
        q = wide["market_prematch"][side].to_numpy()
        c = wide["market_closing"][side].to_numpy()
        clv.extend((c[p > q] / p[p > q] - 1).tolist())
    shadow = report["shadow_clv"]
    assert shadow["model"] == "ensemble"
    overall = shadow["overall"]
    assert overall["n_bets"] == len(clv)
    assert overall["mean"] == pytest.approx(sum(clv) / len(clv), abs=1e-12)
    assert overall["ci95"][0] < overall["mean"] < overall["ci95"][1]
    assert sum(line["n_bets"] for line in shadow["by_league"]) == len(clv)
    assert {line["league"] for line in shadow["by_league"]} == set(LEAGUES)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ("--start", "2022-13-01", "--end", END),
            "error: --start '2022-13-01' is not a date of the form 2020-07-01",
        ),
        (
            ("--start", START, "--end", END, "--data", "/nonexistent"),
            "error: --data /nonexistent does not exist",
        ),
        (
            ("--start", START, "--end", END, "--leagues", "E0", "--models", "foo"),
            "error: unknown models ['foo']; choose from dixon-coles, ensemble",
        ),
        (
            ("--start", START, "--end", END, "--predictions", "out.xlsx"),
            "error: --predictions out.xlsx: unknown suffix '.xlsx'; use .csv or .parquet",
        ),
    ],
    ids=["bad-start", "missing-data", "unknown-model", "unknown-suffix"],
)
def test_bad_input_exits_1_with_a_one_line_error(
    environment: None, tmp_path: Path, options: tuple[str, ...], message: str
) -> None:
    result = _backtest(tmp_path, *options)

    assert result.result.exit_code == 1, result.result.output
    assert isinstance(result.result.exception, SystemExit)
    assert "Traceback" not in result.result.output
    errors = [line for line in result.result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [message]
    assert result.result.stderr.rstrip().endswith(message)
    assert not result.json_path.exists()


def test_an_unknown_model_is_refused_before_any_file_is_read(
    environment: None, tmp_path: Path
) -> None:
    result = _backtest(tmp_path, "--start", START, "--end", END, "--models", "foo")

    assert result.result.exit_code == 1
    assert result.result.stderr.splitlines() == [
        "error: unknown models ['foo']; choose from dixon-coles, ensemble"
    ]


@pytest.mark.slow
def test_a_window_too_early_for_the_ensemble_fails_without_a_traceback(
    environment: None, tmp_path: Path
) -> None:
    result = _backtest(tmp_path, "--start", "2022-03-01", "--end", "2022-04-30", "--leagues", "E0")

    assert result.result.exception is None or isinstance(result.result.exception, SystemExit)


@pytest.mark.slow
def test_register_saves_the_last_refit_as_a_loadable_version(
    environment: None, tmp_path: Path
) -> None:
    leagues = ",".join(LEAGUES)
    run = _backtest(
        tmp_path, "--start", START, "--end", END, "--leagues", leagues, "--register", "--seed", "3"
    )
    assert run.result.exit_code == 0, run.result.output
    version = run.report()["model_version"]
    assert f"registered ensemble {version}" in run.result.stdout
    artifact = ModelRegistry(get_settings().data_dir / "models").load("ensemble", version)
    assert {"dixon_coles", "xgboost"} <= set(artifact.estimators)
    assert any(name.startswith("blend[") for name in artifact.estimators)
    assert artifact.seed == 3
    assert artifact.trained_to < date(2022, 11, 30)
    assert artifact.metrics["backtest"]["ensemble"]["n"] == run.report()["models"]["ensemble"]["n"]
    assert artifact.metrics["backtest"]["ensemble"]["n"] > 0
