"""``scoreline up``: the whole platform for a newcomer, on the embedded defaults.

1. a fresh SQLite database under ``var/demo`` (unless ``SCORELINE_DATABASE_URL``
   names another, or ``--keep``), the bundled sample loaded up to a cut-off
   three weeks before it ends;
2. Dixon-Coles fitted on everything before the cut-off, and the calibrated
   ensemble trained by the walk-forward on the two months before it
   (``services.demo.activate_ensemble``, as ``scoreline demo`` trains it; a
   version an earlier run registered for the same window is reused); the
   ensemble serves, or Dixon-Coles alone with ``--model dixon-coles``;
3. two users with fresh random passwords (an admin and a trader, printed) and
   the trader's portfolio with a demo bankroll;
4. the last three weeks replayed as a live feed *on the wall clock*
   (``providers.replay_clock``): their matches kick off over the coming
   minutes, each announced when the match day before its own begins, so the
   live board always holds the next round; prices move, predictions follow,
   results settle bets;
5. API, dashboard, Socket.IO, ML worker and ingestion in this one process, at
   http://127.0.0.1:8000.

Only the book's clock is compressed: every replayed fixture keeps its true
kick-off beside the wall-clock one (``fixtures.true_kickoff_utc``), so the
ensemble's rest days, form windows and ratings see the gaps the matches had in
history, and a refit trains on true dates.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoreline.cli._errors import handle_errors
from scoreline.errors import ConfigError

if TYPE_CHECKING:  # imported when the command runs (see scoreline.cli)
    from scoreline.config import Settings

__all__ = ["up"]

DEMO_DIR = Path("var/demo")


class ServedModel(StrEnum):
    """Which model the demo serves."""

    ENSEMBLE = "ensemble"
    DIXON_COLES = "dixon-coles"


@handle_errors
def up(
    *,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    days: Annotated[float, typer.Option(help="Days at the end of the sample to replay.")] = 21.0,
    speed: Annotated[
        float, typer.Option(help="Simulated seconds per real second of the replay.")
    ] = 300.0,
    max_idle: Annotated[
        float,
        typer.Option(help="Longest real wait between replayed moments, in seconds."),
    ] = 60.0,
    keep: Annotated[
        bool, typer.Option(help="Keep the demo database of an earlier run (default: start afresh).")
    ] = False,
    data: Annotated[
        Path | None, typer.Option(help="Folder of season files; default the bundled sample.")
    ] = None,
    model: Annotated[
        ServedModel,
        typer.Option(help="The model that serves: the calibrated ensemble, or Dixon-Coles alone."),
    ] = ServedModel.ENSEMBLE,
) -> None:
    """Everything on the embedded defaults: data, model, users, a live replay, the dashboard."""
    from scoreline.cli.console import console, progress_bar
    from scoreline.config import get_settings
    from scoreline.platform import Platform
    from scoreline.providers.replay import replay_events
    from scoreline.providers.replay_clock import announce_ahead, onto_clock
    from scoreline.services import demo as demo_service
    from scoreline.services import ingest as ingest_service
    from scoreline.services import model_versions
    from scoreline.services.fitting import fit_dixon_coles

    platform = Platform(_demo_settings(get_settings(), keep=keep))
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
    console.print(f"loaded {report.matches:,} matches before {cut:%Y-%m-%d}")
    with console.status("fitting Dixon-Coles"):
        fitted = fit_dixon_coles(
            platform.unit_of_work, artifacts_dir=platform.artifacts_dir, as_of=cut
        )
    console.print(f"fitted dixon-coles {fitted.version} on {fitted.matches:,} matches")
    if model is ServedModel.ENSEMBLE:
        with console.status("training the ensemble (walk-forward, two months before the cut-off)"):
            trained = demo_service.activate_ensemble(
                platform.unit_of_work, folder=folder, cut=cut, artifacts_dir=platform.artifacts_dir
            )
        done = "reused" if trained.reused else "trained"
        console.print(f"{done} the ensemble {trained.version}")
    serving = model_versions.active(platform.unit_of_work)
    console.print(f"serving {serving.name} {serving.version}")
    passwords = demo_service.seed_users(platform.unit_of_work)
    demo_service.seed_portfolio(platform.unit_of_work)
    history = replay_events([folder], start=cut.date(), end=latest.date())
    events = onto_clock(
        announce_ahead(history),
        origin=datetime.now(UTC) + timedelta(seconds=4),
        speed=speed,
        max_idle_seconds=max_idle,
    )
    kickoffs = sorted(e.payload["kickoff"] for e in events if e.payload["type"] == "odds")
    console.print(
        f"replaying {cut:%d %b %Y} to {latest:%d %b %Y} on today's clock at x{speed:g}: "
        f"{len(events):,} events; first kick-off {kickoffs[0][11:19] if kickoffs else '-'} UTC"
    )
    console.print(f"sign in at http://{host}:{port} as")
    for email, password in passwords.items():
        console.print(f"  {email}  password: {password}")
    platform.serve_all(
        events=events,
        speed=1.0,
        host=host,
        port=port,
        max_idle_seconds=None,
        on_ready=lambda: console.print(f"Scoreline at http://{host}:{port} (API docs at /docs)"),
    )


def _demo_settings(settings: Settings, *, keep: bool) -> Settings:
    """The demo's own database and data folder, unless the environment names others."""
    if "SCORELINE_DATABASE_URL" in os.environ:
        return settings
    DEMO_DIR.mkdir(parents=True, exist_ok=True)
    database = DEMO_DIR / "scoreline.db"
    if not keep:
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            path.unlink(missing_ok=True)
    return settings.model_copy(
        update={"database_url": f"sqlite:///{database}", "data_dir": DEMO_DIR / "data"}
    )
