"""``scoreline deadletters list|replay``: what the consumers gave up on, and putting it back.

Dead letters live on the Redis streams (``messaging.dead_letter_box``); the
in-process bus of ``scoreline serve`` keeps them only as long as that process,
so these commands need Redis.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from scoreline.cli._errors import handle_errors

app = typer.Typer(
    help="Stream entries the consumers gave up on: list them, replay them (needs Redis).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

ReasonOption = Annotated[str | None, typer.Option(help="Only this reason, e.g. bad_id.")]
StageOption = Annotated[
    str | None,
    typer.Option(help="Only this stage: workers, settlement, api-bridge, alerts, ingestion."),
]


@app.command("list")
@handle_errors
def list_letters(
    *,
    reason: ReasonOption = None,
    stage: StageOption = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Newest this many.")] = 50,
    counts: Annotated[bool, typer.Option(help="Counts by stage and reason instead.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines, for scripts.")] = False,
) -> None:
    """Dead letters, newest first (or their counts by stage and reason)."""
    from dataclasses import asdict

    from rich.table import Table

    from scoreline.cli.console import console
    from scoreline.messaging.dead_letter_box import DeadLetterBox
    from scoreline.platform import Platform

    platform = Platform()
    box = DeadLetterBox(platform.require_redis("reading dead letters"), platform.streams)
    if counts:
        rows = box.count_by_reason()
        if as_json:
            for row in rows:
                typer.echo(json.dumps(asdict(row)))
            return
        table = Table("stage", "reason", "count", "replayed")
        for row in rows:
            table.add_row(row.stage, row.reason, f"{row.count:,}", f"{row.replayed:,}")
        console.print(table)
        return
    page = box.list_(limit=limit, offset=0, reason=reason, stage=stage)
    if as_json:
        for letter in page.items:
            typer.echo(json.dumps(asdict(letter)))
        return
    table = Table("id", "stage", "reason", "message", "replayed as")
    for letter in page.items:
        replayed = "" if letter.replay is None else letter.replay.replayed_as or "(claimed)"
        table.add_row(letter.id, letter.stage, letter.reason, letter.message[:80], replayed)
    console.print(table)
    console.print(f"{len(page.items):,} of {page.total:,} dead letters")


@app.command("replay")
@handle_errors
def replay(
    ids: Annotated[list[str] | None, typer.Argument(help="Dead-letter ids to replay.")] = None,
    *,
    reason: ReasonOption = None,
    stage: StageOption = None,
) -> None:
    """Put dead letters back on the stream they came from, each once; with --reason (and
    --stage), every letter of that reason not replayed yet."""
    import getpass

    from scoreline.cli.console import console
    from scoreline.errors import ConfigError
    from scoreline.messaging.dead_letter_box import DeadLetterBox
    from scoreline.messaging.dead_letters import DEAD_LETTER_MAXLEN
    from scoreline.platform import Platform

    if not ids and reason is None:
        raise ConfigError("name the dead letters to replay, or --reason to replay a reason's")
    platform = Platform()
    box = DeadLetterBox(platform.require_redis("replaying dead letters"), platform.streams)
    chosen = list(ids or [])
    if reason is not None:
        page = box.list_(limit=DEAD_LETTER_MAXLEN, offset=0, reason=reason, stage=stage)
        chosen += [letter.id for letter in page.items if letter.replay is None]
    outcomes = box.replay(chosen, by=f"cli:{getpass.getuser()}")
    for outcome in outcomes:
        if outcome.replayed_as is not None:
            console.print(f"{outcome.id}: replayed as {outcome.replayed_as}")
        else:
            console.print(f"{outcome.id}: skipped, {outcome.skipped} {outcome.message or ''}")
    done = sum(o.replayed_as is not None for o in outcomes)
    console.print(f"{done:,} replayed, {len(outcomes) - done:,} skipped")
