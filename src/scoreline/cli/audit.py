"""``scoreline audit verify``: recompute the audit chain and name the first broken link."""

from __future__ import annotations

import typer

from scoreline.cli._errors import handle_errors

app = typer.Typer(
    help="The append-only, hash-chained audit of every bet.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("verify")
@handle_errors
def verify() -> None:
    """Recompute every snapshot's hash in order; exit 1 naming the first that fails."""
    from scoreline.cli.console import console
    from scoreline.platform import Platform
    from scoreline.services.audit import verify_chain

    report = verify_chain(Platform().require_schema().unit_of_work)
    if report.ok:
        console.print(f"audit chain intact: {report.checked:,} snapshots")
        return
    console.print(
        f"[red]audit chain broken at snapshot {report.broken_at}[/]: {report.reason}"
        f" ({report.checked:,} snapshots before it are intact)"
    )
    raise typer.Exit(code=1)
