"""Rich consoles, progress bars and the one place command errors become one line."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy.exc import OperationalError

from scoreline.errors import ScorelineError

__all__ = ["console", "err_console", "handle_errors", "progress_bar", "state"]

# Piped output gets room for the predictions table instead of Rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


class _State:
    debug: bool = False


state = _State()


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors into one line on stderr and exit code 1 (tracebacks with --debug)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (ScorelineError, OperationalError) as exc:
            if state.debug:
                raise
            message = str(exc).splitlines()[0] if isinstance(exc, OperationalError) else str(exc)
            if isinstance(exc, OperationalError):
                message = f"database error: {message}"
            err_console.print(f"[bold red]error:[/] {message}", highlight=False)
            raise typer.Exit(code=1) from None

    return wrapper


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[Path, int, int], None]]:
    """A Rich bar advanced by a service's ``progress(path, done, total)`` callback."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=None, current="")

        def advance(path: Path, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, current=path.name)

        yield advance
