"""Options several commands share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from scoreline.errors import ConfigError

__all__ = ["AsOfOption", "CompetitionOption", "parse_as_of", "parse_day", "split_codes"]

CompetitionOption = Annotated[
    str | None,
    typer.Option("--competition", "-c", help="Comma-separated division codes, e.g. E0,SP1."),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Pretend it is this date (YYYY-MM-DD, UTC); default now."),
]


def split_codes(value: str | None) -> list[str] | None:
    """``"E0, SP1"`` as ``["E0", "SP1"]``; None or empty means every competition."""
    codes = [code.strip() for code in (value or "").split(",") if code.strip()]
    return codes or None


def parse_as_of(value: str | None) -> datetime | None:
    """A YYYY-MM-DD date as midnight UTC."""
    return None if value is None else parse_day(value, "--as-of")


def parse_day(value: str, option: str) -> datetime:
    """A YYYY-MM-DD date as midnight UTC; ``ConfigError`` naming ``option`` otherwise."""
    try:
        return datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ConfigError(f"{option} {value!r} is not a date of the form 2023-05-01") from None
