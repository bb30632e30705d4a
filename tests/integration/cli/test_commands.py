"""The command line end to end on a SQLite file: upgrade, ingest, fit, predict, demo."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
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
    assert "at revision 0010" in result.output

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


@pytest.mark.slow
def test_demo_replays_the_last_fortnight_through_the_pipeline(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["demo", "--data", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "loaded 20 files up to 2023-05-21" in result.output
    assert "trained and activated ensemble" in result.output
    replayed = re.search(r"(\d[\d,]*) odds stored.*?; (\d[\d,]*) predictions", result.output, re.S)
    assert replayed is not None, result.output
    stored, predicted = (int(g.replace(",", "")) for g in replayed.groups())
    assert stored > 3000
    assert predicted == stored  # one prediction per stored tick
    assert "Man City v Chelsea" in result.output
    assert re.search(r"115 matches: RPS of the model at kick-off 0\.2\d+", result.output)
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM predictions")).scalar_one()
    # Again: the same model is reused, the replayed odds are duplicates, nothing doubles.
    again = runner.invoke(app, ["demo", "--data", str(SAMPLE)])
    assert again.exit_code == 0, again.output
    assert "reused and activated ensemble" in again.output
    assert f"0 odds stored, 0 unchanged, {stored:,} duplicates" in again.output
    assert "115 matches: RPS" in again.output
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM predictions")).scalar_one() == before
    engine.dispose()
