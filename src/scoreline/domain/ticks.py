"""Live feed records: an odds tick and a result, as providers hand them to the ingestion engine.

A provider speaks in its own team spellings and bookmaker keys; the ingestion
engine resolves them. The wire form is a JSON object (``RawTick``), because
ticks cross process boundaries and can arrive malformed: ``parse_tick`` turns
one into an ``OddsTick`` or raises ``TickError`` with a reason a person can act
on, and the engine dead-letters it with that reason.

Wire form of an odds tick (every price a string or number of decimal odds)::

    {"type": "odds", "provider": "the-odds-api", "competition": "E0",
     "home_team": "Arsenal", "away_team": "Chelsea",
     "kickoff": "2026-11-28T15:00:00Z", "bookmaker": "pinnacle",
     "market": "1x2" | "over_under" | "asian_handicap", "line": null | "2.5" | "-0.75",
     "prices": {"home": "2.10", "draw": "3.40", "away": "3.60"},
     "captured_at": "2026-11-27T09:00:00Z", "kind": "prematch" | "closing",
     "true_kickoff": "2024-04-27T14:00:00Z"}      # optional, see below

and of a result::

    {"type": "result", "provider": "replay", "competition": "E0",
     "home_team": "Arsenal", "away_team": "Chelsea",
     "kickoff": "2026-11-28T15:00:00Z", "home_goals": 2, "away_goals": 1}

An odds tick's ``true_kickoff`` is sent only by a replay moved onto the wall clock
(``providers.replay_clock``): ``kickoff`` is then the compressed wall-clock time
the book's rules use, and ``true_kickoff`` the time the match was really
played, which the features and fits read (``fixtures.true_kickoff_utc``). A
live provider leaves it out: its kick-off is true.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NotRequired, TypedDict

from scoreline.domain.markets import SELECTIONS, Line, Market, Selection, market_line
from scoreline.domain.odds import PriceKind
from scoreline.domain.prices import price_fault

__all__ = [
    "OddsTick",
    "RawResult",
    "RawTick",
    "ResultTick",
    "TickError",
    "encode_raw",
    "parse_tick",
]


class TickError(ValueError):
    """A tick that cannot be used; ``reason`` is a short code, the message says where."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class RawTick(TypedDict):
    """An odds tick on the wire (see the module docstring)."""

    type: Literal["odds"]
    provider: str
    competition: str
    home_team: str
    away_team: str
    kickoff: str
    bookmaker: str
    market: str
    line: str | None
    prices: dict[str, str]
    captured_at: str
    kind: NotRequired[str]
    true_kickoff: NotRequired[str]


class RawResult(TypedDict):
    """A final score on the wire (see the module docstring)."""

    type: Literal["result"]
    provider: str
    competition: str
    home_team: str
    away_team: str
    kickoff: str
    home_goals: int
    away_goals: int


@dataclass(frozen=True, slots=True)
class OddsTick:
    """One bookmaker's prices for one market of one match, checked but not yet resolved."""

    provider: str
    competition: str
    home_team: str
    away_team: str
    kickoff: datetime
    bookmaker: str
    market: Market
    line: Line | None
    prices: Mapping[Selection, Decimal]
    captured_at: datetime
    kind: PriceKind = PriceKind.PREMATCH
    true_kickoff: datetime | None = None


@dataclass(frozen=True, slots=True)
class ResultTick:
    """A final score, checked but not yet resolved."""

    provider: str
    competition: str
    home_team: str
    away_team: str
    kickoff: datetime
    home_goals: int
    away_goals: int


def encode_raw(raw: RawTick | RawResult) -> bytes:
    """The wire bytes of a raw tick or result (compact JSON)."""
    return json.dumps(raw, separators=(",", ":")).encode()


def parse_tick(data: bytes | str | Mapping[str, Any]) -> OddsTick | ResultTick:
    """A checked tick from its wire form; raises ``TickError`` naming what is wrong."""
    raw = _object(data)
    kind = raw.get("type")
    if kind == "odds":
        return _odds(raw)
    if kind == "result":
        return _result(raw)
    raise TickError("unknown_type", f"type {kind!r} is neither 'odds' nor 'result'")


def _object(data: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(data, Mapping):
        return data
    try:
        value = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        preview = data[:40] if isinstance(data, str) else data[:40].decode("utf-8", "replace")
        raise TickError("not_json", f"not a JSON tick ({error}): {preview!r}") from error
    if not isinstance(value, dict):
        raise TickError("not_json", f"a tick must be a JSON object, not {type(value).__name__}")
    return value


def _text(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value.strip():
        raise TickError("missing_field", f"{name} must be a non-empty string, got {value!r}")
    return value.strip()


def _time(raw: Mapping[str, Any], name: str) -> datetime:
    text = _text(raw, name)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise TickError("bad_time", f"{name} {text!r} is not an ISO 8601 time") from error
    if value.tzinfo is None:
        raise TickError("bad_time", f"{name} {text!r} has no time zone (send UTC, with Z)")
    try:
        return value.astimezone(UTC)
    except OverflowError as error:
        raise TickError("bad_time", f"{name} {text!r} is outside the calendar in UTC") from error


def _price(selection: str, value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise TickError("bad_price", f"price of {selection} is {value!r}, not a number")
    try:
        price = Decimal(str(value))
    except InvalidOperation as error:
        raise TickError("bad_price", f"price of {selection} {value!r} is not a number") from error
    if (fault := price_fault(price)) is not None:
        raise TickError("bad_price", f"price of {selection} is {value}: {fault}")
    return price


def _odds(raw: Mapping[str, Any]) -> OddsTick:
    try:
        market = Market(str(raw.get("market")))
    except ValueError as error:
        known = ", ".join(m.value for m in Market)
        raise TickError(
            "unknown_market", f"market {raw.get('market')!r} is not one of {known}"
        ) from error
    try:
        line = market_line(market, raw.get("line"))
    except ValueError as error:
        raise TickError("bad_line", str(error)) from error
    prices_value = raw.get("prices")
    if not isinstance(prices_value, Mapping):
        raise TickError("bad_price", f"prices must be an object, got {prices_value!r}")
    wanted = {s.value for s in SELECTIONS[market]}
    if set(prices_value) != wanted:
        raise TickError(
            "bad_selections",
            f"{market.value} prices must be {sorted(wanted)}, got {sorted(map(str, prices_value))}",
        )
    prices = {Selection(name): _price(name, value) for name, value in prices_value.items()}
    try:
        kind = PriceKind(raw.get("kind", PriceKind.PREMATCH.value))
    except ValueError as error:
        raise TickError(
            "bad_kind", f"kind {raw.get('kind')!r} is not prematch or closing"
        ) from error
    return OddsTick(
        provider=_text(raw, "provider"),
        competition=_text(raw, "competition"),
        home_team=_text(raw, "home_team"),
        away_team=_text(raw, "away_team"),
        kickoff=_time(raw, "kickoff"),
        bookmaker=_text(raw, "bookmaker"),
        market=market,
        line=line,
        prices=prices,
        captured_at=_time(raw, "captured_at"),
        kind=kind,
        true_kickoff=None if raw.get("true_kickoff") is None else _time(raw, "true_kickoff"),
    )


def _goals(raw: Mapping[str, Any], name: str) -> int:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TickError("bad_score", f"{name} must be a whole number, got {value!r}")
    if not math.isfinite(value) or value < 0 or value != int(value):
        raise TickError("bad_score", f"{name} must be a whole number >= 0, got {value!r}")
    return int(value)


def _result(raw: Mapping[str, Any]) -> ResultTick:
    return ResultTick(
        provider=_text(raw, "provider"),
        competition=_text(raw, "competition"),
        home_team=_text(raw, "home_team"),
        away_team=_text(raw, "away_team"),
        kickoff=_time(raw, "kickoff"),
        home_goals=_goals(raw, "home_goals"),
        away_goals=_goals(raw, "away_goals"),
    )
