"""``scoreline worker``, ``scoreline replay`` and ``scoreline poll``: the live pipeline."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Annotated

import numpy as np
import typer
import uvicorn

from scoreline.cli._options import CompetitionOption, parse_day, split_codes
from scoreline.cli._runtime import Runtime, open_runtime
from scoreline.cli.console import console, handle_errors
from scoreline.errors import ConfigError
from scoreline.messaging.bus import Bus
from scoreline.pipeline.embedded import ReplayRun, run_replay
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.pipeline.runtime import make_bus, model_loader, require_redis, streams_of
from scoreline.pipeline.worker import Worker, WorkerConfig, default_consumer_name
from scoreline.pipeline.worker_app import create_worker_app
from scoreline.providers.replay import replay_events
from scoreline.services import fitting, model_versions

__all__ = ["describe", "poll", "replay", "worker"]

logger = logging.getLogger(__name__)


def _on_signals(stop: Callable[[], None]) -> None:
    """SIGTERM and SIGINT finish the current batch and stop."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %d: finishing the current batch, then stopping", signum)
        stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _worker(runtime: Runtime, bus: Bus, metrics: PipelineMetrics, config: WorkerConfig) -> Worker:
    artifacts = runtime.settings.data_dir / "models"
    return Worker(
        bus,
        runtime.unit_of_work,
        model_loader(runtime.unit_of_work, artifacts),
        config=config,
        metrics=metrics,
    )


@handle_errors
def worker(
    *,
    host: Annotated[str, typer.Option(help="Address of /health, /metrics and /admin.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="Port of /health, /metrics and /admin.")] = 9101,
    consumer: Annotated[
        str | None, typer.Option(help="Consumer name in the group; default host-pid.")
    ] = None,
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Largest batch.")] = 256,
    claim_idle_ms: Annotated[
        int, typer.Option(help="Take over entries pending this long with a dead consumer.")
    ] = 15_000,
    max_deliveries: Annotated[
        int, typer.Option(min=1, help="Dead-letter an entry delivered more often than this.")
    ] = 5,
) -> None:
    """Run one ML worker: consume odds, store and publish predictions (needs Redis)."""
    runtime = open_runtime()
    bus = require_redis(runtime.settings, "the worker")
    metrics = PipelineMetrics()
    config = WorkerConfig(
        streams=streams_of(runtime.settings),
        consumer=consumer or default_consumer_name(),
        batch=batch,
        claim_idle_ms=claim_idle_ms,
        max_deliveries=max_deliveries,
    )
    live = _worker(runtime, bus, metrics, config)
    artifacts = runtime.settings.data_dir / "models"
    token = runtime.settings.worker_admin_token

    def activate(name: str, version: str) -> None:
        model_versions.activate(
            runtime.unit_of_work, artifacts_dir=artifacts, name=name, version=version
        )

    def refit() -> str:
        return fitting.fit_dixon_coles(runtime.unit_of_work, artifacts_dir=artifacts).version

    app = create_worker_app(
        live,
        admin_token=None if token is None else token.get_secret_value(),
        activate=activate,
        refit=refit,
    )
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    http = threading.Thread(target=server.run, name="worker-http", daemon=True)
    http.start()

    def stop() -> None:
        live.stop()
        server.should_exit = True

    _on_signals(stop)
    console.print(
        f"worker {config.consumer}: serving {live.status.model} {live.status.version}"
        f" on {live.status.fixtures:,} fixtures; http://{host}:{port}/health"
    )
    live.run()
    http.join(timeout=5)
    console.print(
        f"worker {config.consumer} stopped: {live.status.predictions:,} predictions,"
        f" {live.status.dead_lettered:,} dead-lettered"
    )


@handle_errors
def replay(
    *,
    data: Annotated[list[Path], typer.Option(help="football-data.co.uk files or folders.")],
    start: Annotated[str, typer.Option("--from", help="First kick-off date (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last kick-off date (YYYY-MM-DD).")],
    speed: Annotated[
        float,
        typer.Option(help="Simulated seconds per real second; 0 plays as fast as possible."),
    ] = 600.0,
    competition: CompetitionOption = None,
    max_idle: Annotated[
        float, typer.Option(help="Real seconds a quiet stretch (a night) is cut to.")
    ] = 5.0,
    with_worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="Run a worker in this process; the default without Redis (the in-process bus).",
        ),
    ] = None,
) -> None:
    """Play historical odds (pre-match, then closing at kick-off) and results as a live feed."""
    runtime = open_runtime()
    first, last = parse_day(start, "--from").date(), parse_day(end, "--to").date()
    events = replay_events(data, start=first, end=last, competitions=split_codes(competition))
    if not events:
        raise ConfigError(f"no matches to replay between {first} and {last} in {data}")
    bus = make_bus(runtime.settings)
    metrics = PipelineMetrics()
    streams = streams_of(runtime.settings)
    engine = IngestionEngine(bus, runtime.unit_of_work, streams=streams, metrics=metrics)
    in_process = with_worker if with_worker is not None else not runtime.settings.redis_url
    live = (
        _worker(runtime, bus, metrics, WorkerConfig(streams=streams, block_ms=50))
        if in_process
        else None
    )
    stop = threading.Event()
    _on_signals(stop.set)
    console.print(
        f"replaying {len(events):,} events ({events.summary.ticks:,} odds ticks,"
        f" {events.summary.results:,} results) at "
        + ("full speed" if speed <= 0 else f"x{speed:g}")
    )
    run = run_replay(
        events,
        bus=bus,
        streams=streams,
        engine=engine,
        worker=live,
        speed=None if speed <= 0 else speed,
        stop=stop,
        max_idle_seconds=max_idle,
    )
    console.print(describe(run, full_speed=speed <= 0))


def describe(run: ReplayRun, *, full_speed: bool) -> str:
    """One paragraph of what a replay did.

    At full speed the feed outruns the worker, so tick-to-prediction times are
    time spent queueing; the worker's throughput is the figure that means
    something then. Paced, the latencies are the pipeline's own.
    """
    t = run.totals
    text = (
        f"replayed {run.stats.events_sent:,} events in {run.stats.real_seconds:.1f}s:"
        f" {t.stored:,} odds stored, {t.unchanged:,} unchanged, {t.duplicate:,} duplicates,"
        f" {t.results:,} results, {t.dead_lettered:,} dead-lettered"
    )
    if not run.latencies_ms:
        return text
    text += f"; {run.predictions:,} predictions"
    if full_speed and run.worker_seconds > 0:
        return text + f" at {run.predictions / run.worker_seconds:,.0f} ticks/s"
    p50, p99 = np.percentile(run.latencies_ms, [50, 99])
    return text + f", tick to prediction p50 {p50:.1f} ms, p99 {p99:.1f} ms"


@handle_errors
def poll(
    *,
    sport: Annotated[str, typer.Option(help="The Odds API sport key, e.g. soccer_epl.")],
    once: Annotated[bool, typer.Option(help="Poll once now and exit.")] = False,
) -> None:
    """Poll The Odds API for live pre-match odds on a credit-budgeted plan."""
    from scoreline.pipeline.odds_poller import OddsPoller  # noqa: PLC0415
    from scoreline.providers.odds_api import OddsApiClient, Quota  # noqa: PLC0415

    runtime = open_runtime()
    key = runtime.settings.odds_api_key
    if key is None:
        raise ConfigError("set SCORELINE_ODDS_API_KEY to poll The Odds API")
    bus = make_bus(runtime.settings)
    metrics = PipelineMetrics()
    engine = IngestionEngine(
        bus, runtime.unit_of_work, streams=streams_of(runtime.settings), metrics=metrics
    )
    pollers: list[OddsPoller] = []

    def on_quota(quota: Quota) -> None:
        for poller in pollers:  # the events endpoint reports the quota too
            poller.observe_quota(quota)

    with OddsApiClient(key.get_secret_value(), on_quota=on_quota) as client:
        poller = OddsPoller(
            client, engine, sport=sport, credits=runtime.settings.odds_api_monthly_credits
        )
        pollers.append(poller)
        if once:
            summary = poller.poll_once()
            console.print(
                f"{sport}: {summary.stored} stored, {summary.unchanged} unchanged,"
                f" {summary.dead_lettered} dead-lettered"
            )
            return
        stop = threading.Event()
        _on_signals(stop.set)
        poller.run(stop, calendar_every=timedelta(hours=1))
