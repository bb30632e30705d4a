"""Competitions, seasons and teams, with the aliases providers use for them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Competition", "Season", "Team", "TeamAlias", "TeamRecord", "season_label"]

_SEASON_RE = re.compile(r"^(\d{4})-(\d{4})$")


def season_label(start_year: int) -> str:
    """The canonical label of the season that starts in ``start_year``: ``2019-2020``."""
    return f"{start_year}-{start_year + 1}"


@dataclass(frozen=True, slots=True)
class Competition:
    """A league or cup, keyed by its football-data.co.uk division code (``E0``, ``SP1``)."""

    code: str
    name: str
    country: str


@dataclass(frozen=True, slots=True)
class Season:
    """One season of one competition, labelled ``YYYY-YYYY`` (``2019-2020``)."""

    competition_code: str
    label: str

    def __post_init__(self) -> None:
        match = _SEASON_RE.match(self.label)
        if match is None or int(match.group(2)) != int(match.group(1)) + 1:
            raise ValueError(f"season label {self.label!r} is not of the form 2019-2020")

    @property
    def start_year(self) -> int:
        """The calendar year the season starts in."""
        return int(self.label[:4])

    @property
    def nominal_start(self) -> date:
        """1 July of the start year: the boundary football-data.co.uk seasons use."""
        return date(self.start_year, 7, 1)


@dataclass(frozen=True, slots=True)
class Team:
    """A club, named as Scoreline names it, unique within its country."""

    name: str
    country: str


@dataclass(frozen=True, slots=True)
class TeamAlias:
    """The name a provider uses for a team (``football-data``: ``Man United``)."""

    provider: str
    alias: str
    team: Team


@dataclass(frozen=True, slots=True)
class TeamRecord:
    """A stored team: its id with its name and country."""

    id: int
    name: str
    country: str
