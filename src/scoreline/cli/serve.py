"""``scoreline api`` (the gateway) and ``scoreline serve`` (everything in one process)."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn

from scoreline.api.app import create_app
from scoreline.api.server import build_server
from scoreline.cli._options import parse_day
from scoreline.cli._runtime import open_runtime
from scoreline.cli.console import console, handle_errors
from scoreline.config import Settings, get_settings
from scoreline.errors import ConfigError
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.pipeline.runtime import make_bus, model_loader, streams_of
from scoreline.pipeline.worker import Worker, WorkerConfig
from scoreline.providers.replay import (
    DEFAULT_MAX_IDLE_SECONDS,
    ReplayEvent,
    play,
    replay_events,
)
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["api", "openapi", "run_platform", "serve"]

logger = logging.getLogger(__name__)


@handle_errors
def api(
    *,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the API gateway: REST under /api/v1, OpenAPI at /docs, Socket.IO at /socket.io."""
    runtime = open_runtime()
    server = build_server(
        runtime.settings,
        runtime.unit_of_work,
        bus=make_bus(runtime.settings),
        streams=streams_of(runtime.settings),
    )
    if runtime.settings.jwt_secret is None:
        logger.warning("SCORELINE_JWT_SECRET is unset: tokens end with this process")
    uvicorn.run(server.asgi, host=host, port=port, log_level="warning", proxy_headers=False)


@handle_errors
def serve(
    *,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data: Annotated[
        Path | None, typer.Option(help="football-data.co.uk tree to replay; default the sample.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day replayed.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day replayed.")] = None,
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second.")] = 60.0,
) -> None:
    """API, ML worker and a replay feed in one process on the configured (or embedded) parts."""
    runtime = open_runtime()
    settings = runtime.settings
    folder = data or settings.sample_data_dir
    if (start is None) != (end is None):
        raise ConfigError("--from and --to go together")
    events: list[ReplayEvent] = []
    if start is not None and end is not None:
        events = replay_events(
            [folder], start=parse_day(start, "--from").date(), end=parse_day(end, "--to").date()
        )
        console.print(f"replaying {len(events):,} events from {start} to {end} at x{speed:g}")
    run_platform(settings, runtime.unit_of_work, events=events, speed=speed, host=host, port=port)


def run_platform(
    settings: Settings,
    unit_of_work: Callable[[], UnitOfWork],
    *,
    events: Sequence[ReplayEvent],
    speed: float,
    host: str,
    port: int,
    max_idle_seconds: float | None = DEFAULT_MAX_IDLE_SECONDS,
) -> None:
    """API, ML worker and (when ``events``) a replay feed in this process, until stopped."""
    bus = make_bus(settings)
    streams = streams_of(settings)
    metrics = PipelineMetrics()
    worker = Worker(
        bus,
        unit_of_work,
        model_loader(unit_of_work, settings.data_dir / "models"),
        config=WorkerConfig(streams=streams, block_ms=50),
        metrics=metrics,
    )
    stop = threading.Event()
    threading.Thread(target=worker.run, name="worker", daemon=True).start()
    if events:
        engine = IngestionEngine(bus, unit_of_work, streams=streams, metrics=metrics)

        def sink(batch: Sequence[Any]) -> None:
            engine.submit(batch)

        def feed() -> None:
            play(events, speed=speed, sink=sink, stop=stop, max_idle_seconds=max_idle_seconds)

        threading.Thread(target=feed, name="replay", daemon=True).start()
    server = build_server(settings, unit_of_work, bus=bus, streams=streams)
    console.print(f"Scoreline at http://{host}:{port} (API docs at /docs)")
    try:
        uvicorn.run(server.asgi, host=host, port=port, log_level="warning")
    finally:
        stop.set()
        worker.stop()


@handle_errors
def openapi(
    *,
    output: Annotated[
        Path | None, typer.Option(help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Print the gateway's OpenAPI document (the dashboard's client is generated from it)."""

    def no_database() -> Any:
        raise ConfigError("the OpenAPI document needs no database")

    document = create_app(get_settings(), no_database).openapi()
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
