"""The command line end to end on a SQLite file: upgrade, ingest, fit, predict, demo."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoreline.cli.app import app
from scoreline.config import get_settings

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "football-data"


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("SCORELINE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("SCORELINE_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


@pytest.fixture
def two_seasons(tmp_path: Path) -> Path:
    folder = tmp_path / "fd"
    for season in ("2021-2022", "2022-2023"):
        target = folder / "E0" / f"{season}.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SAMPLE / "E0" / f"{season}.csv", target)
    return folder


def test_commands_need_a_schema_first(runner: CliRunner) -> None:
    result = runner.invoke(app, ["predict"])
    assert result.exit_code == 1
    assert "run `scoreline db upgrade` first" in result.output
    assert "Traceback" not in result.output


def test_upgrade_ingest_fit_predict(runner: CliRunner, two_seasons: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "at revision 0001" in result.output

    result = runner.invoke(app, ["ingest", "football-data", str(two_seasons), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["matches"] == 760
    assert report["rejected_files"] == 0

    result = runner.invoke(app, ["fit", "--as-of", "2023-05-01"])
    assert result.exit_code == 0, result.output
    assert "converged" in result.output

    result = runner.invoke(app, ["predict", "--as-of", "2023-05-01", "--days", "7", "--json"])
    assert result.exit_code == 0, result.output
    predictions = json.loads(result.stdout)
    assert predictions, "E0 played in the week after 2023-05-01"
    for p in predictions:
        probabilities = p["probabilities"]
        assert sum(probabilities.values()) == pytest.approx(1.0)
        assert p["fair_odds"]["home"] == pytest.approx(1 / probabilities["home"])
        assert p["kickoff_utc"] >= "2023-05-01"


def test_bad_dates_are_one_line_errors(runner: CliRunner) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["fit", "--as-of", "01/05/2023"])
    assert result.exit_code == 1
    assert "--as-of '01/05/2023' is not a date" in result.output


def test_fit_without_results_explains_what_to_do(runner: CliRunner) -> None:
    runner.invoke(app, ["db", "upgrade"])
    result = runner.invoke(app, ["fit"])
    assert result.exit_code == 1
    assert "load results first" in result.output


def test_demo_loads_fits_and_predicts(runner: CliRunner, two_seasons: Path) -> None:
    result = runner.invoke(app, ["demo", "--data", str(two_seasons)])
    assert result.exit_code == 0, result.output
    assert "loaded 2 files: 760 matches" in result.output
    assert "fitted Dixon-Coles on" in result.output
    assert "Man City" in result.output or "Arsenal" in result.output
