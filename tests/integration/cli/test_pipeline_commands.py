"""``scoreline replay``, ``worker``, ``poll`` and ``models`` on a SQLite file."""

from __future__ import annotations

import csv
import re
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
    monkeypatch.delenv("SCORELINE_REDIS_URL", raising=False)
    monkeypatch.delenv("SCORELINE_ODDS_API_KEY", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def count(tmp_path: Path, table: str) -> int:
    engine = create_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    with engine.connect() as connection:
        value = int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    engine.dispose()
    return value


def test_replay_plays_odds_and_results_through_an_in_process_worker(
    runner: CliRunner, tmp_path: Path
) -> None:
    e0 = SAMPLE / "E0" / "2022-2023.csv"
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    loaded = runner.invoke(app, ["ingest", "football-data", str(e0), "--before", "2023-05-20"])
    assert loaded.exit_code == 0, loaded.output
    fitted = runner.invoke(app, ["fit", "--as-of", "2023-05-20"])
    assert fitted.exit_code == 0, fitted.output
    odds_before = count(tmp_path, "odds_snapshots")
    result = runner.invoke(
        app,
        ["replay", "--data", str(e0), "--from", "2023-05-20", "--to", "2023-05-22", "--speed", "0"],
    )
    assert result.exit_code == 0, result.output
    found = re.search(
        r"(\d[\d,]*) odds stored.*?(\d+) results.*?; (\d[\d,]*) predictions", result.output, re.S
    )
    assert found is not None, result.output
    stored, results, predicted = (int(g.replace(",", "")) for g in found.groups())
    assert stored == count(tmp_path, "odds_snapshots") - odds_before > 0
    assert predicted == stored == count(tmp_path, "predictions")
    with e0.open(encoding="utf-8-sig", newline="") as handle:
        days = {"20/05/2023", "21/05/2023", "22/05/2023"}
        assert results == sum(row["Date"] in days for row in csv.DictReader(handle))
    assert count(tmp_path, "odds_outbox") == 0


def test_replay_refuses_bad_dates_and_empty_windows(runner: CliRunner) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    bad = runner.invoke(
        app, ["replay", "--data", str(SAMPLE), "--from", "20-05-2023", "--to", "2023-05-22"]
    )
    assert bad.exit_code == 1
    assert "--from '20-05-2023' is not a date" in bad.output
    empty = runner.invoke(
        app, ["replay", "--data", str(SAMPLE), "--from", "2030-01-01", "--to", "2030-01-02"]
    )
    assert empty.exit_code == 1
    assert "no matches to replay" in empty.output


def test_worker_and_poll_say_what_they_need(runner: CliRunner) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    worker = runner.invoke(app, ["worker"])
    assert worker.exit_code == 1
    assert "needs Redis: set SCORELINE_REDIS_URL" in " ".join(worker.output.split())
    poll = runner.invoke(app, ["poll", "--sport", "soccer_epl", "--once"])
    assert poll.exit_code == 1
    assert "set SCORELINE_ODDS_API_KEY" in " ".join(poll.output.split())


def test_models_list_and_activate(runner: CliRunner) -> None:
    e0 = SAMPLE / "E0" / "2022-2023.csv"
    runner.invoke(app, ["db", "upgrade"])
    runner.invoke(app, ["ingest", "football-data", str(e0)])
    runner.invoke(app, ["fit", "--as-of", "2023-01-01"])
    runner.invoke(app, ["fit", "--as-of", "2023-03-01"])
    listed = runner.invoke(app, ["models", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0, listed.output
    versions = re.findall(r"dixon-coles\s+│\s+(\S+)", listed.output)
    assert len(versions) == 2
    older = versions[1]
    switched = runner.invoke(app, ["models", "activate", "dixon-coles", older])
    assert switched.exit_code == 0, switched.output
    listed = runner.invoke(app, ["models", "list"], env={"COLUMNS": "200"})
    assert re.search(rf"\*\s+│\s+dixon-coles\s+│\s+{re.escape(older)}", listed.output), (
        listed.output
    )
    missing = runner.invoke(
        app, ["models", "activate", "ensemble", "20990101T000000000000Z-abcdefabcdef"]
    )
    assert missing.exit_code == 1
    assert "has no version" in missing.output
