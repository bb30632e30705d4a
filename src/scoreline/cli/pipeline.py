"""``scoreline worker``, ``scoreline replay`` and ``scoreline poll``: the live pipeline."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from scoreline.cli._errors import handle_errors
from scoreline.cli._options import CompetitionOption, parse_day, split_codes
from scoreline.errors import ConfigError

if TYPE_CHECKING:  # imported when the command runs (see scoreline.cli)
    from scoreline.pipeline.embedded import ReplayRun

__all__ = ["describe", "poll", "replay", "worker"]

logger = logging.getLogger(__name__)


def _on_signals(stop: Callable[[], None]) -> None:
    """SIGTERM and SIGINT finish the current batch and stop."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %d: finishing the current batch, then stopping", signum)
        stop()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@handle_errors
def worker(
    *,
    host: Annotated[str, typer.Option(help="Address of /health and /metrics.")] = ("127.0.0.1"),
    port: Annotated[int, typer.Option(help="Port of /health and /metrics.")] = 9101,
    consumer: Annotated[
        str | None, typer.Option(help="Consumer name in the group; default host-pid-random.")
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
    import threading

    from scoreline.cli.console import console
    from scoreline.messaging.names import consumer_name
    from scoreline.platform import Platform

    platform = Platform().require_schema()
    platform.require_redis("the worker")
    live = platform.worker(
        consumer=consumer or consumer_name(),
        batch=batch,
        claim_idle_ms=claim_idle_ms,
        max_deliveries=max_deliveries,
    )
    config = live.config
    server = platform.worker_http(live, host=host, port=port)
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
    import threading

    from scoreline.cli.console import console
    from scoreline.pipeline.embedded import run_replay, wait_for_bus
    from scoreline.platform import Platform
    from scoreline.providers.replay import replay_events

    platform = Platform().require_schema()
    first, last = parse_day(start, "--from").date(), parse_day(end, "--to").date()
    events = replay_events(data, start=first, end=last, competitions=split_codes(competition))
    if not events:
        raise ConfigError(f"no matches to replay between {first} and {last} in {data}")
    in_process = with_worker if with_worker is not None else not platform.settings.redis_url
    engine = platform.ingestion_engine()
    live = platform.worker(block_ms=50) if in_process else None
    stop = threading.Event()
    _on_signals(stop.set)
    if not wait_for_bus(platform.bus, stop):
        return
    console.print(
        f"replaying {len(events):,} events ({events.summary.ticks:,} odds ticks,"
        f" {events.summary.results:,} results) at "
        + ("full speed" if speed <= 0 else f"x{speed:g}")
    )
    run = run_replay(
        events,
        bus=platform.bus,
        streams=platform.streams,
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
    import numpy as np

    p50, p99 = np.percentile(run.latencies_ms, [50, 99])
    return text + f", tick to prediction p50 {p50:.1f} ms, p99 {p99:.1f} ms"


@handle_errors
def poll(
    *,
    sport: Annotated[str, typer.Option(help="The Odds API sport key, e.g. soccer_epl.")],
    once: Annotated[bool, typer.Option(help="Poll once now and exit.")] = False,
) -> None:
    """Poll The Odds API for live pre-match odds on a credit-budgeted plan."""
    import threading
    from datetime import timedelta

    from scoreline.cli.console import console
    from scoreline.pipeline.odds_poller import OddsPoller
    from scoreline.platform import Platform
    from scoreline.providers.odds_api import OddsApiClient, Quota

    platform = Platform().require_schema()
    key = platform.settings.odds_api_key
    if key is None:
        raise ConfigError("set SCORELINE_ODDS_API_KEY to poll The Odds API")
    engine = platform.ingestion_engine()
    pollers: list[OddsPoller] = []

    def on_quota(quota: Quota) -> None:
        for poller in pollers:  # the events endpoint reports the quota too
            poller.observe_quota(quota)

    with OddsApiClient(key.get_secret_value(), on_quota=on_quota) as client:
        poller = OddsPoller(
            client, engine, sport=sport, credits=platform.settings.odds_api_monthly_credits
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
