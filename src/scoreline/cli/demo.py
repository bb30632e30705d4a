"""``scoreline demo``: the newcomer's first run, on the embedded defaults.

Creates the SQLite schema, loads the bundled sample of football-data.co.uk
seasons, fits Dixon-Coles on everything before the last fortnight of the
sample and predicts that fortnight, beside the scores that were then played.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from scoreline.cli._runtime import open_runtime
from scoreline.cli.console import console, handle_errors, progress_bar
from scoreline.cli.predict import render
from scoreline.errors import ConfigError
from scoreline.services import fitting
from scoreline.services import ingest as ingest_service
from scoreline.services.predicting import predict_fixtures
from scoreline.storage import db as storage_db
from scoreline.storage.repositories import fixtures as fixture_repo


@handle_errors
def demo(
    data: Annotated[
        Path | None, typer.Option(help="Folder of season files; default the bundled sample.")
    ] = None,
    days: Annotated[float, typer.Option(help="Length of the predicted window in days.")] = 14.0,
) -> None:
    """Set up the database, load sample data, fit Dixon-Coles and predict."""
    runtime = open_runtime(require_schema=False)
    storage_db.upgrade(runtime.engine)
    folder = data or runtime.settings.sample_data_dir
    if not folder.exists():
        raise ConfigError(f"sample data folder {folder} not found; pass --data FOLDER")
    with progress_bar("loading sample data") as advance:
        report = ingest_service.ingest_football_data(
            runtime.unit_of_work, [folder], progress=advance
        )
    console.print(
        f"loaded {len(report.files)} files: {report.matches:,} matches, "
        f"{report.odds_written:,} prices written, {len(report.problems)} rows skipped"
    )
    with runtime.unit_of_work() as uow:
        latest = fixture_repo.latest_kickoff(uow.session)
    if latest is None:
        raise ConfigError(f"no fixtures found in {folder}")
    as_of = (latest - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    with console.status("fitting Dixon-Coles"):
        summary = fitting.fit_dixon_coles(
            runtime.unit_of_work, artifacts_dir=runtime.settings.data_dir / "models", as_of=as_of
        )
    console.print(
        f"fitted Dixon-Coles on {summary.matches:,} matches before {as_of:%Y-%m-%d} "
        f"({summary.teams} teams) in {summary.seconds:.2f}s"
    )
    render(
        predict_fixtures(
            runtime.unit_of_work,
            artifacts_dir=runtime.settings.data_dir / "models",
            start=as_of,
            days=days + 1,
        )
    )
