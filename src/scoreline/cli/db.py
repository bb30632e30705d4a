"""``scoreline db``: schema migrations."""

from __future__ import annotations

from typing import Annotated

import typer

from scoreline.cli._runtime import open_runtime
from scoreline.cli.console import console, handle_errors
from scoreline.storage import db as storage_db

app = typer.Typer(help="Create and migrate the database schema.", no_args_is_help=True)


@app.command("upgrade")
@handle_errors
def upgrade(
    revision: Annotated[str, typer.Argument(help="Alembic revision to reach.")] = "head",
) -> None:
    """Create or migrate the schema to the latest revision (or REVISION)."""
    runtime = open_runtime(require_schema=False)
    storage_db.upgrade(runtime.engine, revision)
    url = runtime.engine.url.render_as_string(hide_password=True)
    console.print(f"database {url} at revision {storage_db.current_revision(runtime.engine)}")


@app.command("current")
@handle_errors
def current() -> None:
    """Print the schema revision the database is at."""
    runtime = open_runtime(require_schema=False)
    console.print(storage_db.current_revision(runtime.engine) or "no schema")
