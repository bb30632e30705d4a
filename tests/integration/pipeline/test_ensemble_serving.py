"""The worker serving a registered ensemble (Dixon-Coles + XGBoost + blend), on every backend."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.worker import Worker, WorkerConfig
from scoreline.services import model_versions
from scoreline.services.backtesting import BacktestOptions, run_backtest
from scoreline.services.ingest import ingest_football_data
from scoreline.services.predicting import predict_fixtures
from scoreline.storage.tables import PredictionRow
from scoreline.storage.unit_of_work import UnitOfWork

CUT = datetime(2023, 2, 1, tzinfo=UTC)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def ensemble(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An ensemble trained by the walk-forward on the sample up to the cut-off (once)."""
    registry = tmp_path_factory.mktemp("registry")
    outcome = run_backtest(
        [SAMPLE_DATA],
        BacktestOptions(
            start=date(2022, 12, 1), end=date(2023, 1, 31), refit_days=30, registry_dir=registry
        ),
    )
    return registry, str(outcome.report["model_version"])


def tick(prices: tuple[str, str, str], minute: int, market: str = "1x2") -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Everton",
        "away_team": "Arsenal",
        "kickoff": "2023-02-04T12:30:00Z",
        "bookmaker": "PS",
        "market": "1x2",
        "line": None,
        "prices": dict(zip(("home", "draw", "away"), prices, strict=True)),
        "captured_at": f"2023-02-03T10:{minute:02d}:00Z",
    }
    if market == "over_under":
        body |= {"market": "over_under", "line": "2.5", "prices": {"over": "1.9", "under": "1.95"}}
    return body


def serving_worker(
    unit_of_work: Callable[[], UnitOfWork],
    bus: Bus,
    ensemble: tuple[Path, str],
    config: WorkerConfig,
) -> Worker:
    """E0 loaded up to the cut-off, the ensemble active, and a worker serving it."""
    registry, version = ensemble
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0"], before=CUT)
    model_versions.activate(unit_of_work, artifacts_dir=registry, name="ensemble", version=version)

    def loader() -> model_versions.LoadedModel:
        return model_versions.load_active(unit_of_work, artifacts_dir=registry)

    return Worker(bus, unit_of_work, loader, config=config)


def test_the_ensemble_follows_the_market_and_every_tick_gets_one_prediction(
    unit_of_work: Callable[[], UnitOfWork],
    bus: Bus,
    streams: Streams,
    ensemble: tuple[Path, str],
) -> None:
    version = ensemble[1]
    config = WorkerConfig(streams=streams, block_ms=10, consumer="w")
    worker = serving_worker(unit_of_work, bus, ensemble, config)
    assert worker.model.is_ensemble
    assert worker.reference is not None  # drift is measured against the training reference
    engine = IngestionEngine(bus, unit_of_work, streams=streams)
    # Arsenal (away) drift from strong favourites to outsiders; then a totals tick.
    moves = [("5.50", "4.20", "1.60"), ("3.40", "3.50", "2.20"), ("1.80", "3.80", "4.50")]
    summary = engine.submit(
        [tick(p, i) for i, p in enumerate(moves)] + [tick(moves[-1], 9, "over_under")]
    )
    assert summary.stored == 4
    for _ in range(20):
        if worker.step() == 0:
            break
    with unit_of_work() as uow:
        rows = uow.session.scalars(
            select(PredictionRow).order_by(PredictionRow.odds_snapshot_id)
        ).all()
        homes = [r.p_home for r in rows]
        hashes = [r.feature_hash for r in rows]
        markets = [r.markets for r in rows]
    assert len(rows) == 4
    assert homes[0] < homes[1] < homes[2]  # the blend moves with the market
    # Pinnacle's over/under 2.5 is an input too: with the 1X2 it fixes the market-implied
    # goal rates (models.market_rates), which are features, so the totals tick is served
    # on inputs of its own.
    assert len(set(hashes)) == 4
    first = markets[0]
    assert first is not None
    over, under = first["over_under"]["2.5"]
    assert over + under == pytest.approx(1.0, abs=1e-5)
    published = [
        json.loads(e.payload)
        for e in bus.tail(streams.predictions, after="0", count=10, block_ms=0)
    ]
    assert [p["model"] for p in published] == ["ensemble"] * 4
    assert {p["version"] for p in published} == {version}


def test_a_worker_s_metrics_cover_throughput_latency_streams_drift_and_settled_scores(
    unit_of_work: Callable[[], UnitOfWork],
    bus: Bus,
    streams: Streams,
    ensemble: tuple[Path, str],
) -> None:
    version = ensemble[1]
    config = WorkerConfig(
        streams=streams,
        block_ms=10,
        consumer="m",
        refresh_every_s=0.0,
        drift_every_s=0.0,
        gauges_every_s=0.0,
    )
    worker = serving_worker(unit_of_work, bus, ensemble, config)
    engine = IngestionEngine(bus, unit_of_work, streams=streams, metrics=worker.metrics)
    worker.step()  # joins the group and starts tailing results from now
    engine.submit([tick(("3.40", "3.50", "2.20"), 1), tick(("3.30", "3.50", "2.25"), 2)])
    engine.submit([b"not a tick"])
    for _ in range(10):
        worker.step()
    result = {
        "type": "result",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Everton",
        "away_team": "Arsenal",
        "kickoff": "2023-02-04T12:30:00Z",
        "home_goals": 1,
        "away_goals": 0,
    }
    assert engine.submit([result]).results == 1
    worker.step()
    registry_ = worker.metrics.registry

    def value(name: str, labels: dict[str, str] | None = None) -> float:
        found = registry_.get_sample_value(name, labels or {})
        assert found is not None, f"{name} {labels} was not exported"
        return found

    assert value("scoreline_ticks_total", {"outcome": "stored", "kind": "odds"}) == 2
    assert value("scoreline_ticks_total", {"outcome": "dead_lettered", "kind": "odds"}) == 1
    assert value("scoreline_predictions_total") == 2
    assert value("scoreline_dead_letters_total", {"stage": "ingestion", "reason": "not_json"}) == 1
    assert value("scoreline_tick_to_prediction_seconds_count") == 2
    assert value("scoreline_inference_seconds_count") >= 1
    assert value("scoreline_stream_pending", {"stream": streams.odds, "group": "workers"}) == 0
    assert value("scoreline_stream_length", {"stream": streams.predictions}) == 2
    assert value("scoreline_model_info", {"name": "ensemble", "version": version}) == 1
    assert value("scoreline_feature_psi", {"feature": "elo_diff"}) >= 0
    assert value("scoreline_prediction_psi", {"outcome": "home"}) >= 0
    assert value("scoreline_settled_predictions") == 1
    # Everton won: the model's RPS for that one match, and Pinnacle's from its last quote.
    assert 0 < value("scoreline_settled_rps", {"source": "model"}) < 1
    assert 0 < value("scoreline_settled_rps", {"source": "market"}) < 1
    promtool = shutil.which("promtool")
    assert promtool is not None, "promtool (Debian package prometheus) is needed"
    checked = subprocess.run(
        [promtool, "check", "metrics"],
        input=worker.metrics.exposition(),
        capture_output=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_command_line_serves_the_whole_ensemble_as_the_worker_does(
    unit_of_work: Callable[[], UnitOfWork],
    bus: Bus,
    streams: Streams,
    ensemble: tuple[Path, str],
) -> None:
    registry, version = ensemble
    config = WorkerConfig(streams=streams, block_ms=10, consumer="w")
    worker = serving_worker(unit_of_work, bus, ensemble, config)
    engine = IngestionEngine(bus, unit_of_work, streams=streams)
    assert engine.submit([tick(("3.40", "3.50", "2.20"), 1)]).stored == 1
    for _ in range(20):
        if worker.step() == 0:
            break
    predictions = predict_fixtures(
        unit_of_work,
        artifacts_dir=registry,
        start=datetime(2023, 2, 4, tzinfo=UTC),
        days=1,
        competitions=["E0"],
    )
    assert {p.model_version for p in predictions} == {version}
    everton = next(p for p in predictions if p.home_team == "Everton")
    with unit_of_work() as uow:
        rows = uow.session.scalars(
            select(PredictionRow).where(PredictionRow.fixture_id == everton.fixture_id)
        ).all()
        served = next(r for r in rows if r.trigger.startswith("odds:"))
        by_cli = next(r for r in rows if r.trigger == "cli")
        # One path: the same features (the latest stored price), the same blend, the same
        # version.
        assert by_cli.model_version_id == served.model_version_id == worker.version_id
        assert by_cli.feature_hash == served.feature_hash
        assert (everton.home, everton.draw, everton.away) == pytest.approx(
            (served.p_home, served.p_draw, served.p_away), abs=1e-12
        )
        assert by_cli.markets is not None
        assert everton.over_2_5 == pytest.approx(by_cli.markets["over_under"]["2.5"][0])
    dixon_coles = worker.model.dixon_coles.predict(
        pd.DataFrame({"home_team": ["Everton"], "away_team": ["Arsenal"], "neutral": [False]})
    ).probabilities("1x2")[0]
    assert abs(everton.home - dixon_coles[0]) > 1e-3  # the ensemble, not its Dixon-Coles member
