"""``scoreline audit verify``: recompute the audit chain and name the first broken link."""

from __future__ import annotations

import typer

from scoreline.cli._runtime import open_runtime
from scoreline.cli.console import console, handle_errors
from scoreline.services.audit import verify_chain

app = typer.Typer(help="The append-only, hash-chained audit of every bet.", no_args_is_help=True)


@app.command("verify")
@handle_errors
def verify() -> None:
    """Recompute every snapshot's hash in order; exit 1 naming the first that fails."""
    runtime = open_runtime()
    report = verify_chain(runtime.unit_of_work)
    if report.ok:
        console.print(f"audit chain intact: {report.checked:,} snapshots")
        return
    console.print(
        f"[red]audit chain broken at snapshot {report.broken_at}[/]: {report.reason}"
        f" ({report.checked:,} snapshots before it are intact)"
    )
    raise typer.Exit(code=1)
