"""The one place a command's error becomes one line on stderr and exit code 1.

Light on purpose: every command module imports it, and ``scoreline --help``
must not pay for Rich's console or any of Scoreline's heavy dependencies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from scoreline.errors import ScorelineError

__all__ = ["handle_errors", "state"]

P = ParamSpec("P")
R = TypeVar("R")


class _State:
    debug: bool = False


state = _State()


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Configure logging when the command runs, and turn our errors into one line on stderr
    and exit code 1 (tracebacks with ``--debug``)."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from scoreline.config import get_settings
        from scoreline.logging import configure_logging

        try:
            configure_logging("DEBUG" if state.debug else get_settings().log_level)
            return command(*args, **kwargs)
        except ScorelineError as exc:
            if state.debug:
                raise
            from scoreline.cli.console import err_console

            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(code=1) from None

    return wrapper
