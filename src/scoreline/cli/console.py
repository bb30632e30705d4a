"""Rich consoles and progress bars, imported by commands when they run (never at start-up)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

__all__ = ["console", "err_console", "progress_bar"]

# Piped output gets room for the predictions table instead of Rich's 80-column default.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)


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
