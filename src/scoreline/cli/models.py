"""``scoreline models``: the registered versions and which one serves."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from scoreline.cli._runtime import open_runtime
from scoreline.cli.console import console, handle_errors
from scoreline.services import model_versions
from scoreline.storage.tables import ModelVersion

app = typer.Typer(help="Registered model versions and the active one.", no_args_is_help=True)


@app.command("list")
@handle_errors
def list_versions() -> None:
    """Versions known to the database, newest first; * marks the active one."""
    runtime = open_runtime()
    table = Table("", "name", "version", "trained", "created")
    with runtime.unit_of_work() as uow:
        rows = uow.session.scalars(select(ModelVersion).order_by(ModelVersion.id.desc())).all()
        for row in rows:
            table.add_row(
                "*" if row.is_active else "",
                row.name,
                row.version,
                f"{row.trained_from} to {row.trained_to}",
                f"{row.created_at:%Y-%m-%d %H:%M}",
            )
    console.print(table)


@app.command("activate")
@handle_errors
def activate(
    name: Annotated[str, typer.Argument(help="Model family: ensemble or dixon-coles.")],
    version: Annotated[str, typer.Argument(help="Version, as in the registry folder.")],
) -> None:
    """Make a registered version the one the workers serve (they switch on reload)."""
    runtime = open_runtime()
    model_versions.activate(
        runtime.unit_of_work,
        artifacts_dir=runtime.settings.data_dir / "models",
        name=name,
        version=version,
    )
    console.print(f"active: {name} {version}")
