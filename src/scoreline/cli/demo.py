"""``scoreline demo``: the newcomer's first run, the whole pipeline on the embedded defaults.

1. creates the SQLite schema and loads the bundled sample of football-data.co.uk
   seasons up to a cut-off a fortnight before the sample ends: the world as it
   was then;
2. trains the ensemble (Dixon-Coles, XGBoost, blend, calibration) by the
   walk-forward on the two months before the cut-off, and activates it
   (``services.demo.activate_ensemble``, which ``scoreline up`` shares; a version
   the registry holds for the same window is reused);
3. replays the last fortnight as a live feed (pre-match odds, closing odds at
   kick-off, results) through the ingestion engine, the in-process bus and the
   ML worker, at full speed unless ``--speed`` says otherwise;
4. prints what the pipeline did and each match's prediction at kick-off beside
   the closing market and the score, with the RPS of both.

Run it again and the replayed odds are found already stored (duplicates): the
records are kept, nothing is written twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from scoreline.cli._errors import handle_errors
from scoreline.errors import ConfigError

if TYPE_CHECKING:  # imported when the command runs (see scoreline.cli)
    from scoreline.providers.replay import ReplayEvent
    from scoreline.storage.unit_of_work import UnitOfWorkFactory


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
    import threading

    from scoreline.cli.console import console, progress_bar
    from scoreline.cli.pipeline import describe
    from scoreline.pipeline.embedded import run_replay
    from scoreline.platform import Platform
    from scoreline.providers.replay import replay_events
    from scoreline.services import demo as demo_service
    from scoreline.services import ingest as ingest_service

    platform = Platform()
    platform.upgrade_schema()
    folder = data or platform.settings.sample_data_dir
    if not folder.exists():
        raise ConfigError(f"sample data folder {folder} not found; pass --data FOLDER")
    latest = demo_service.latest_kickoff(folder)
    cut = datetime.combine((latest - timedelta(days=days)).date(), time(), UTC)
    with progress_bar("loading sample data") as advance:
        report = ingest_service.ingest_football_data(
            platform.unit_of_work, [folder], before=cut, progress=advance
        )
    console.print(
        f"loaded {len(report.files)} files up to {cut:%Y-%m-%d}: {report.matches:,} matches,"
        f" {report.odds_written:,} prices written, {len(report.problems)} rows skipped"
    )
    with console.status("training the ensemble (walk-forward, two months before the cut-off)"):
        trained = demo_service.activate_ensemble(
            platform.unit_of_work, folder=folder, cut=cut, artifacts_dir=platform.artifacts_dir
        )
    done = "reused" if trained.reused else "trained"
    console.print(f"{done} and activated ensemble {trained.version}")

    events = replay_events([folder], start=cut.date(), end=latest.date())
    engine = platform.ingestion_engine()
    worker = platform.worker(block_ms=50)
    console.print(
        f"replaying {cut:%Y-%m-%d} to {latest:%Y-%m-%d} live: {events.summary.ticks:,} odds ticks,"
        f" {events.summary.results:,} results"
    )
    run = run_replay(
        events,
        bus=platform.bus,
        streams=platform.streams,
        engine=engine,
        worker=worker,
        speed=None if speed <= 0 else speed,
        stop=threading.Event(),
    )
    console.print(describe(run, full_speed=speed <= 0))
    _render(platform.unit_of_work, events, cut, latest)


def _render(
    unit_of_work: UnitOfWorkFactory, events: list[ReplayEvent], cut: datetime, latest: datetime
) -> None:
    """Each replayed match: the prediction at kick-off, Pinnacle's closing odds, the score."""
    import numpy as np
    from rich.table import Table

    from scoreline.cli.console import console
    from scoreline.domain.bookmakers import SHARP
    from scoreline.pricing import remove_margin, rps
    from scoreline.services import demo as demo_service

    closing: dict[tuple[str, str], list[float]] = {}
    for event in events:
        tick = event.payload
        if (
            tick["type"] == "odds"
            and tick["bookmaker"] == SHARP
            and tick.get("kind") == "closing"
            and tick["market"] == "1x2"
        ):
            prices = tick["prices"]
            closing[(tick["home_team"], tick["away_team"])] = [
                float(prices[s]) for s in ("home", "draw", "away")
            ]
    predicted = demo_service.kickoff_predictions(
        unit_of_work, start=cut, end=latest + timedelta(days=1)
    )
    table = Table(title="the replayed fortnight: prediction at kick-off, closing market, score")
    for column in ("kick-off", "match", "model H/D/A", "closing H/D/A", "score"):
        table.add_column(column)
    model_rows: list[tuple[float, float, float]] = []
    market_rows: list[Any] = []
    outcomes: list[int] = []
    for f, p in predicted:
        if p is None or f.home_goals is None or f.away_goals is None:
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
