"""``scoreline db``: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from scoreline.cli._errors import handle_errors

app = typer.Typer(
    help="Create and migrate the database schema.", no_args_is_help=True, rich_markup_mode=None
)


@app.command("upgrade")
@handle_errors
def upgrade(
    revision: Annotated[str, typer.Argument(help="Alembic revision to reach.")] = "head",
) -> None:
    """Create or migrate the schema to the latest revision (or REVISION)."""
    from scoreline.cli.console import console
    from scoreline.platform import Platform

    platform = Platform()
    reached = platform.upgrade_schema(revision)
    console.print(f"database {platform.database_label} at revision {reached}")


@app.command("current")
@handle_errors
def current() -> None:
    """Print the schema revision the database is at."""
    from scoreline.cli.console import console
    from scoreline.platform import Platform

    console.print(Platform().schema_revision() or "no schema")
