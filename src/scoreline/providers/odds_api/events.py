"""Sports and events as The Odds API's free endpoints list them.

``GET /v4/sports`` and ``GET /v4/sports/{sport}/events`` cost no credits, so
they are how a poller learns the fixtures calendar it plans its paid odds
calls around (see ``plan.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from scoreline.providers.odds_api._shape import (
    ShapeError,
    as_object,
    field_text,
    field_time,
)

__all__ = ["Event", "Sport", "parse_events", "parse_sports"]

SOCCER_PREFIX = "soccer_"


@dataclass(frozen=True, slots=True)
class Sport:
    """One competition the API covers (``soccer_epl``); ``active`` means in season."""

    key: str
    group: str
    title: str
    description: str
    active: bool
    has_outrights: bool

    @property
    def is_soccer(self) -> bool:
        """Whether this is association football (keys start ``soccer_``)."""
        return self.key.startswith(SOCCER_PREFIX)


@dataclass(frozen=True, slots=True)
class Event:
    """One upcoming or live match, in the API's own team spellings; ``commence_time`` is UTC."""

    id: str
    sport_key: str
    commence_time: datetime
    home_team: str
    away_team: str


def _flag(obj: Mapping[str, object], name: str) -> bool:
    value = obj.get(name)
    if not isinstance(value, bool):
        raise ShapeError(f"{name} must be true or false, got {value!r}")
    return value


def parse_sports(payload: object) -> list[Sport]:
    """The sports of a ``/v4/sports`` answer; ShapeError names the item and field at fault."""
    if not isinstance(payload, list):
        raise ShapeError(f"the answer must be a list of sports, got {type(payload).__name__}")
    sports = []
    for index, item in enumerate(payload):
        try:
            obj = as_object(item, "a sport")
            description = obj.get("description", "")
            sports.append(
                Sport(
                    key=field_text(obj, "key"),
                    group=field_text(obj, "group"),
                    title=field_text(obj, "title"),
                    description=description if isinstance(description, str) else "",
                    active=_flag(obj, "active"),
                    has_outrights=_flag(obj, "has_outrights"),
                )
            )
        except ShapeError as exc:
            raise ShapeError(f"sport {index}: {exc}") from None
    return sports


def parse_events(payload: object) -> list[Event]:
    """The events of a ``/v4/sports/{sport}/events`` answer; ShapeError names the item at fault."""
    if not isinstance(payload, list):
        raise ShapeError(f"the answer must be a list of events, got {type(payload).__name__}")
    events = []
    for index, item in enumerate(payload):
        try:
            obj = as_object(item, "an event")
            events.append(
                Event(
                    id=field_text(obj, "id"),
                    sport_key=field_text(obj, "sport_key"),
                    commence_time=field_time(obj, "commence_time"),
                    home_team=field_text(obj, "home_team"),
                    away_team=field_text(obj, "away_team"),
                )
            )
        except ShapeError as exc:
            raise ShapeError(f"event {index}: {exc}") from None
    return events
