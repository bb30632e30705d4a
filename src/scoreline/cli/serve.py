"""``scoreline api`` (the gateway), ``scoreline serve`` (everything in one process) and
``scoreline openapi``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from scoreline.cli._errors import handle_errors
from scoreline.cli._options import parse_day
from scoreline.errors import ConfigError

__all__ = ["api", "openapi", "serve"]

HostOption = Annotated[str, typer.Option(help="Address to listen on.")]
PortOption = Annotated[int, typer.Option(help="Port to listen on.")]


@handle_errors
def api(*, host: HostOption = "127.0.0.1", port: PortOption = 8000) -> None:
    """Serve the API gateway: REST under /api/v1, OpenAPI at /docs, Socket.IO at /socket.io."""
    import logging

    from scoreline.platform import Platform

    platform = Platform().require_schema()
    if platform.settings.jwt_secret is None:
        logging.getLogger(__name__).warning(
            "SCORELINE_JWT_SECRET is unset: tokens end with this process"
        )
    platform.serve_api(host=host, port=port)


@handle_errors
def serve(
    *,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
    data: Annotated[
        Path | None, typer.Option(help="football-data.co.uk tree to replay; default the sample.")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day replayed.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day replayed.")] = None,
    speed: Annotated[float, typer.Option(help="Simulated seconds per real second.")] = 60.0,
) -> None:
    """API, ML worker and a replay feed in one process on the configured (or embedded) parts."""
    from scoreline.cli.console import console
    from scoreline.platform import Platform
    from scoreline.providers.replay import DEFAULT_MAX_IDLE_SECONDS, ReplayEvent, replay_events

    platform = Platform().require_schema()
    if (start is None) != (end is None):
        raise ConfigError("--from and --to go together")
    events: list[ReplayEvent] = []
    if start is not None and end is not None:
        events = replay_events(
            [data or platform.settings.sample_data_dir],
            start=parse_day(start, "--from").date(),
            end=parse_day(end, "--to").date(),
        )
        console.print(f"replaying {len(events):,} events from {start} to {end} at x{speed:g}")
    platform.serve_all(
        events=events,
        speed=speed,
        host=host,
        port=port,
        max_idle_seconds=DEFAULT_MAX_IDLE_SECONDS,
        on_ready=lambda: console.print(f"Scoreline at http://{host}:{port} (API docs at /docs)"),
    )


@handle_errors
def openapi(
    *,
    output: Annotated[
        Path | None, typer.Option(help="Write here instead of standard output.")
    ] = None,
) -> None:
    """Print the gateway's OpenAPI document (the dashboard's client is generated from it)."""
    from scoreline.platform import Platform

    document = Platform().openapi_document()
    text = json.dumps(document, indent=2, sort_keys=True) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
