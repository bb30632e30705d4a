"""``scoreline demo``: the newcomer's first run, the whole pipeline on the embedded defaults.

1. creates the SQLite schema and loads the bundled sample of football-data.co.uk
   seasons up to a cut-off a fortnight before the sample ends: the world as it
   was then;
2. trains the ensemble (Dixon-Coles, XGBoost, blend, calibration) by the
   walk-forward on the two months before the cut-off, and activates it;
3. replays the last fortnight as a live feed (pre-match odds, closing odds at
   kick-off, results) through the ingestion engine, the in-process bus and the
   ML worker, at full speed unless ``--speed`` says otherwise;
4. prints what the pipeline did and each match's prediction at kick-off beside
   the closing market and the score, with the RPS of both.

Run it again and the replayed odds are found already stored (duplicates): the
records are kept, nothing is written twice.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.table import Table
from sqlalchemy import select

from scoreline.cli._runtime import open_runtime
from scoreline.cli.console import console, handle_errors, progress_bar
from scoreline.cli.pipeline import describe
from scoreline.errors import ConfigError
from scoreline.pipeline.embedded import run_replay
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.pipeline.runtime import make_bus, model_loader, streams_of
from scoreline.pipeline.worker import Worker, WorkerConfig
from scoreline.pricing import remove_margin, rps
from scoreline.providers.football_data import find_season_files, read_season_file
from scoreline.providers.replay import ReplayEvent, replay_events
from scoreline.services import ingest as ingest_service
from scoreline.services import model_versions
from scoreline.services.backtesting import BacktestOptions, run_backtest
from scoreline.storage import db as storage_db
from scoreline.storage.tables import ModelVersion


@handle_errors
def demo(
    data: Annotated[
        Path | None, typer.Option(help="Folder of season files; default the bundled sample.")
    ] = None,
    days: Annotated[float, typer.Option(help="Days at the end of the data to replay live.")] = 14.0,
    speed: Annotated[
        float, typer.Option(help="Simulated seconds per real second; 0 = as fast as possible.")
    ] = 0.0,
) -> None:
    """Load the sample, train the ensemble, replay the last fortnight live through the pipeline."""
    runtime = open_runtime(require_schema=False)
    storage_db.upgrade(runtime.engine)
    folder = data or runtime.settings.sample_data_dir
    if not folder.exists():
        raise ConfigError(f"sample data folder {folder} not found; pass --data FOLDER")
    latest = latest_kickoff(folder)
    cut = datetime.combine((latest - timedelta(days=days)).date(), time(), UTC)
    with progress_bar("loading sample data") as advance:
        report = ingest_service.ingest_football_data(
            runtime.unit_of_work, [folder], before=cut, progress=advance
        )
    console.print(
        f"loaded {len(report.files)} files up to {cut:%Y-%m-%d}: {report.matches:,} matches,"
        f" {report.odds_written:,} prices written, {len(report.problems)} rows skipped"
    )
    artifacts = runtime.settings.data_dir / "models"
    reused = _trained_for(runtime.unit_of_work, cut)
    if reused is not None:
        console.print(f"ensemble {reused} trained up to this cut-off is active; reusing it")
    else:
        with console.status("training the ensemble (walk-forward, two months before the cut-off)"):
            outcome = run_backtest(
                [folder],
                BacktestOptions(
                    start=(cut - timedelta(days=62)).date(),
                    end=(cut - timedelta(days=1)).date(),
                    refit_days=30,
                    registry_dir=artifacts,
                ),
            )
        version = str(outcome.report["model_version"])
        model_versions.activate(
            runtime.unit_of_work, artifacts_dir=artifacts, name="ensemble", version=version
        )
        console.print(f"trained and activated ensemble {version}")

    events = replay_events([folder], start=cut.date(), end=latest.date())
    bus = make_bus(runtime.settings)
    streams = streams_of(runtime.settings)
    metrics = PipelineMetrics()
    engine = IngestionEngine(bus, runtime.unit_of_work, streams=streams, metrics=metrics)
    worker = Worker(
        bus,
        runtime.unit_of_work,
        model_loader(runtime.unit_of_work, artifacts),
        config=WorkerConfig(streams=streams, block_ms=50),
        metrics=metrics,
    )
    console.print(
        f"replaying {cut:%Y-%m-%d} to {latest:%Y-%m-%d} live: {events.summary.ticks:,} odds ticks,"
        f" {events.summary.results:,} results"
    )
    run = run_replay(
        events,
        bus=bus,
        streams=streams,
        engine=engine,
        worker=worker,
        speed=None if speed <= 0 else speed,
        stop=threading.Event(),
    )
    console.print(describe(run, full_speed=speed <= 0))
    _render(runtime.unit_of_work, events, cut, latest)


def _trained_for(unit_of_work: Any, cut: datetime) -> str | None:
    """The active ensemble's version if it was trained on data up to this cut-off."""
    with unit_of_work() as uow:
        row = uow.session.execute(
            select(ModelVersion.version, ModelVersion.trained_to).where(
                ModelVersion.is_active.is_(True), ModelVersion.name == "ensemble"
            )
        ).first()
    if row is None or row[1] is None:
        return None
    trained_to: date = row[1]
    return str(row[0]) if cut.date() - timedelta(days=7) <= trained_to < cut.date() else None


def latest_kickoff(folder: Path) -> datetime:
    """The last kick-off in the newest season file of each competition."""
    newest: dict[str, Path] = {}
    for path in find_season_files([folder]):
        newest[path.parent.name] = max(newest.get(path.parent.name, path), path)
    kickoffs = [
        row.fixture.kickoff_utc for path in newest.values() for row in read_season_file(path).rows
    ]
    if not kickoffs:
        raise ConfigError(f"no fixtures found in {folder}")
    return max(kickoffs)


def _render(unit_of_work: Any, events: list[ReplayEvent], cut: datetime, latest: datetime) -> None:
    """Each replayed match: the prediction at kick-off, Pinnacle's closing odds, the score."""
    closing: dict[tuple[str, str], list[float]] = {}
    for event in events:
        tick = event.payload
        if (
            tick["type"] == "odds"
            and tick["bookmaker"] == "PS"
            and tick.get("kind") == "closing"
            and tick["market"] == "1x2"
        ):
            prices = tick["prices"]
            closing[(tick["home_team"], tick["away_team"])] = [
                float(prices[s]) for s in ("home", "draw", "away")
            ]
    version_id = model_versions.active(unit_of_work).id
    with unit_of_work() as uow:
        fixtures = uow.fixtures.list_between(start=cut, end=latest + timedelta(days=1), limit=1000)
        predicted = uow.predictions.latest_by_version(
            fixture_ids=[f.id for f in fixtures],
            model_version_id=version_id,
        )
    table = Table(title="the replayed fortnight: prediction at kick-off, closing market, score")
    for column in ("kick-off", "match", "model H/D/A", "closing H/D/A", "score"):
        table.add_column(column)
    model_rows: list[tuple[float, float, float]] = []
    market_rows: list[Any] = []
    outcomes: list[int] = []
    for f in fixtures:
        p = predicted.get(f.id)
        if p is None or f.home_goals is None:
            continue
        odds = closing.get((f.home_team, f.away_team))
        market = None if odds is None else remove_margin(np.array([odds]), method="power")[0]
        outcome = int(np.sign(f.away_goals - f.home_goals)) + 1  # 0 home, 1 draw, 2 away
        if market is not None:
            model_rows.append(p)
            market_rows.append(market)
            outcomes.append(outcome)
        if len(table.rows) < 25:
            table.add_row(
                f"{f.kickoff:%a %d %b %H:%M}",
                f"{f.home_team} v {f.away_team}",
                " ".join(f"{x:.2f}" for x in p),
                "-" if market is None else " ".join(f"{x:.2f}" for x in market),
                f"{f.home_goals}-{f.away_goals}",
            )
    console.print(table)
    if outcomes:
        model, market = rps(model_rows, outcomes), rps(market_rows, outcomes)
        console.print(
            f"{len(outcomes)} matches: RPS of the model at kick-off {model:.4f}, of Pinnacle's"
            f" closing odds {market:.4f} (lower is better; a fortnight is far too few matches"
            " to tell them apart)"
        )
