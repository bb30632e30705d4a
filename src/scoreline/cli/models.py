"""``scoreline models``: the registered versions and which one serves."""

from __future__ import annotations

from typing import Annotated

import typer

from scoreline.cli._errors import handle_errors

app = typer.Typer(
    help="Registered model versions and the active one.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list")
@handle_errors
def list_versions() -> None:
    """Versions known to the database, newest first; * marks the active one."""
    from rich.table import Table

    from scoreline.cli.console import console
    from scoreline.platform import Platform
    from scoreline.services import model_versions

    platform = Platform().require_schema()
    rows, _ = model_versions.list_(platform.unit_of_work, limit=10_000, offset=0)
    table = Table("", "name", "version", "trained", "created")
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
    """Make a registered version the one every worker serves (they follow within seconds)."""
    from scoreline.cli.console import console
    from scoreline.platform import Platform
    from scoreline.services import model_versions

    platform = Platform().require_schema()
    model_versions.activate(
        platform.unit_of_work, artifacts_dir=platform.artifacts_dir, name=name, version=version
    )
    console.print(f"active: {name} {version}")
