"""The Typer root: ``scoreline <command>``."""

from __future__ import annotations

import os
from typing import Annotated

# XGBoost's OpenMP threads spin while they wait; on a busy two-core machine that
# turns a one-second fit into half a minute. Sleeping waiters cost nothing when idle.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import typer

from scoreline import __version__
from scoreline.cli import audit, db, deadletters, ingest, models
from scoreline.cli._errors import state
from scoreline.cli.backtest import backtest
from scoreline.cli.demo import demo
from scoreline.cli.fit import fit
from scoreline.cli.pipeline import poll, replay, worker
from scoreline.cli.predict import predict
from scoreline.cli.serve import api, openapi, serve
from scoreline.cli.up import up

# Plain help text: Rich's markup renderer alone costs more start-up than the rest of
# the command line, and `--help` should answer at once.
app = typer.Typer(
    name="scoreline",
    help="Football predictions and a betting book on them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(ingest.app, name="ingest")
app.command("fit")(fit)
app.command("predict")(predict)
app.command("demo")(demo)
app.command("backtest")(backtest)
app.add_typer(models.app, name="models")
app.add_typer(audit.app, name="audit")
app.add_typer(deadletters.app, name="deadletters")
app.command("worker")(worker)
app.command("replay")(replay)
app.command("poll")(poll)
app.command("api")(api)
app.command("serve")(serve)
app.command("openapi")(openapi)
app.command("up")(up)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"scoreline {__version__}")
        raise typer.Exit


@app.callback()
def root(
    debug: Annotated[
        bool, typer.Option(help="Show tracebacks instead of one-line errors.")
    ] = False,
    version: Annotated[  # noqa: ARG001 - handled by its eager callback
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Scoreline: predict football matches and run a book on the predictions."""
    state.debug = debug


def main() -> None:
    """Console-script entry point."""
    app()
