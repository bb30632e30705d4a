"""``scoreline ingest``: load results and odds from providers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoreline.cli._errors import handle_errors
from scoreline.cli._options import parse_day
from scoreline.errors import ConfigError

if TYPE_CHECKING:  # imported when the command runs (see scoreline.cli)
    from scoreline.services.ingest import IngestReport

app = typer.Typer(
    help="Load results and odds into the database.", no_args_is_help=True, rich_markup_mode=None
)


@app.command("football-data")
@handle_errors
def football_data(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Season CSV files or folders of them (searched recursively)."),
    ] = None,
    *,
    league: Annotated[
        list[str] | None, typer.Option("--league", help="Division code to download, e.g. E0.")
    ] = None,
    season: Annotated[
        list[int] | None,
        typer.Option("--season", help="Start year of a season to download: 2024 = 2024-2025."),
    ] = None,
    force: Annotated[bool, typer.Option(help="Reload files even when unchanged.")] = False,
    before: Annotated[
        str | None,
        typer.Option(
            help="Load only matches kicking off before this UTC date (YYYY-MM-DD): the world"
            " as it was then, for `scoreline replay` to play the rest live."
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Loader processes on PostgreSQL (files of different countries load side by"
            " side); SQLite always loads with one.",
        ),
    ] = 2,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load football-data.co.uk season files (local, or downloaded by --league/--season)."""
    from scoreline.cli.console import progress_bar
    from scoreline.platform import Platform
    from scoreline.providers.football_data.download import download_season
    from scoreline.services import ingest as ingest_service

    platform = Platform().require_schema()
    targets = list(paths or [])
    if league or season:
        if not (league and season):
            raise ConfigError("--league and --season go together, e.g. --league E0 --season 2024")
        cache = platform.settings.data_dir / "football-data"
        targets += [
            download_season(code, year, cache_dir=cache) for code in league for year in season
        ]
    if not targets:
        raise ConfigError("give season files or folders, or --league and --season to download")
    with progress_bar("ingest") as advance:
        report = ingest_service.ingest_football_data(
            platform.unit_of_work,
            targets,
            force=force,
            before=None if before is None else parse_day(before, "--before"),
            progress=advance,
            workers=workers,
        )
    if as_json:
        typer.echo(json.dumps(_as_dict(report), indent=2))
    else:
        _render(report)
    if report.rejected:
        raise typer.Exit(code=1)


def _as_dict(report: IngestReport) -> dict[str, object]:
    return {
        "files": [
            {
                "path": str(f.path),
                "status": f.status,
                "matches": f.matches,
                "fixtures_inserted": f.fixtures_inserted,
                "fixtures_updated": f.fixtures_updated,
                "odds_inserted": f.odds_inserted,
                "odds_updated": f.odds_updated,
                "odds_deleted": f.odds_deleted,
                "padding_rows": f.padding_rows,
                "problems": f.problems,
                "error": f.error,
            }
            for f in report.files
        ],
        "matches": report.matches,
        "odds_written": report.odds_written,
        "problems": len(report.problems),
        "rejected_files": len(report.rejected),
    }


def _render(report: IngestReport) -> None:
    from rich.table import Table

    from scoreline.cli.console import console, err_console

    table = Table(title="football-data ingest")
    for column in ("files", "loaded", "unchanged", "rejected", "matches", "prices written"):
        table.add_column(column, justify="right")
    by_status = {s: sum(f.status == s for f in report.files) for s in ("loaded", "unchanged")}
    table.add_row(
        str(len(report.files)),
        str(by_status["loaded"]),
        str(by_status["unchanged"]),
        str(len(report.rejected)),
        f"{report.matches:,}",
        f"{report.odds_written:,}",
    )
    console.print(table)
    for problem in report.problems:
        err_console.print(f"[yellow]skipped:[/] {problem}", highlight=False)
    for outcome in report.rejected:
        err_console.print(f"[bold red]rejected:[/] {outcome.error}", highlight=False)
