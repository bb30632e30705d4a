"""Alerts: what a trader asks to be told about, and what they were told.

A trader sets two thresholds and, optionally, a webhook:

- ``value_edge_min``: tell me of a selection on any upcoming fixture whose best real
  bookmaker price clears this edge against the fair price (the board's edge). Each
  selection of a fixture is announced once: "new value bets", not a repeat on every tick.
- ``line_move_min``: on the fixtures I follow, tell me when a bookmaker's pre-match
  price moves by at least this fraction from the price I last heard of (the price at the
  last alert for that bookmaker and selection, else the price when I started following,
  else the opening price). Measured from the last alert rather than the last tick, so a
  line that drifts in small steps is still reported once it has moved far enough.

Thresholds are fractions (``0.03`` is 3%). Nothing is announced against the clock: a
fixture that has kicked off, or a price older than placement would accept, says nothing.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from urllib.parse import urlsplit

__all__ = [
    "MAX_THRESHOLD",
    "MIN_THRESHOLD",
    "AlertKind",
    "AlertRecord",
    "AlertRules",
    "FollowRecord",
    "WebhookState",
    "describe",
    "move_of",
    "moved_enough",
    "percent_text",
    "problems_of",
    "selection_text",
]

MIN_THRESHOLD = Decimal("0.0001")
"""The smallest threshold: one basis point (thresholds are stored to four places)."""
MAX_THRESHOLD = Decimal("1")
"""The largest: 100%. A larger edge or move is announced by any smaller threshold."""
MAX_URL = 2048


class AlertKind(enum.StrEnum):
    """What an alert announces."""

    VALUE_BET = "value_bet"
    LINE_MOVE = "line_move"


class WebhookState(enum.StrEnum):
    """Where an alert's webhook delivery stands (None on the alert: no webhook was set)."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AlertRules:
    """A user's alert settings; a threshold of None turns that alert off."""

    value_edge_min: Decimal | None = None
    line_move_min: Decimal | None = None
    webhook_url: str | None = None


@dataclass(frozen=True, slots=True)
class FollowRecord:
    """A fixture a user follows, since when."""

    user_id: int
    fixture_id: int
    followed_at: datetime


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """A stored alert.

    ``price`` is the bookmaker's price that caused it; a line move also carries the price
    it moved from and the move (``price / previous_price - 1``); a value bet its edge.
    ``line_quarters`` is the line in quarter goals (0 for 1X2), as odds store it.
    """

    id: int
    user_id: int
    kind: AlertKind
    fixture_id: int
    market: str
    line_quarters: int
    selection: str
    bookmaker: str
    price: Decimal
    previous_price: Decimal | None
    change: Decimal | None
    edge: Decimal | None
    odds_snapshot_id: int | None
    created_at: datetime
    read_at: datetime | None
    webhook_state: WebhookState | None
    webhook_detail: str | None


def move_of(previous: Decimal, price: Decimal) -> Decimal:
    """The relative move from ``previous`` to ``price``, to four places (``+0.0714``)."""
    return (price / previous - 1).quantize(MIN_THRESHOLD)


def moved_enough(previous: Decimal, price: Decimal, threshold: Decimal) -> bool:
    """Whether a price moved at least ``threshold`` (either way) from ``previous``."""
    return abs(move_of(previous, price)) >= threshold


def problems_of(rules: AlertRules) -> list[tuple[str, str]]:
    """What is wrong with ``rules``, as (field, reason); empty when they can be stored."""
    found: list[tuple[str, str]] = []
    for name in ("value_edge_min", "line_move_min"):
        value: Decimal | None = getattr(rules, name)
        if value is None:
            continue
        if not value.is_finite() or not MIN_THRESHOLD <= value <= MAX_THRESHOLD:
            found.append((name, "must be a fraction from 0.0001 (0.01%) to 1 (100%)"))
        elif value != value.quantize(MIN_THRESHOLD):
            found.append((name, "has more than four decimal places"))
    url = rules.webhook_url
    if url is not None:
        parts = urlsplit(url)
        if len(url) > MAX_URL:
            found.append(("webhook_url", f"is longer than {MAX_URL} characters"))
        elif parts.scheme not in ("http", "https") or not parts.hostname:
            found.append(("webhook_url", "must be an http:// or https:// address with a host"))
        elif parts.username or parts.password:
            found.append(("webhook_url", "must not carry a user name or password"))
    return found


def selection_text(market: str, line_quarters: int, selection: str, *, home: str, away: str) -> str:
    """A selection as a bettor says it ("Arsenal", "Draw", "Over 2.5", "Arsenal −0.25"), for
    the text a webhook carries; the dashboard names selections with the same rule
    (``formatSelection`` in ``web/src/lib/format.ts``). An Asian handicap's line is the
    home side's, so the away side reads it negated."""
    line = Decimal(line_quarters) / 4
    if market == "1x2":
        return {"home": home, "away": away, "draw": "Draw"}.get(selection, selection)
    if market == "over_under":
        name = "Over" if selection == "over" else "Under" if selection == "under" else selection
        return f"{name} {line.normalize():f}"
    side = home if selection == "home" else away
    value = -line if selection == "away" else line
    if value == 0:
        return f"{side} 0"
    body = f"{abs(value).normalize():f}"
    return f"{side} {'+' if value > 0 else '−'}{body}"


def percent_text(fraction: Decimal) -> str:
    """A signed percentage to one place: ``Decimal("0.0412")`` is ``+4.1%``."""
    return f"{fraction * 100:+.1f}%"


def describe(alert: AlertRecord, *, home: str, away: str) -> tuple[str, str]:
    """An alert's title and one-line message, as a webhook and a notification show them."""
    chosen = selection_text(
        alert.market, alert.line_quarters, alert.selection, home=home, away=away
    )
    match = f"{home} v {away}"
    if alert.kind is AlertKind.VALUE_BET:
        edge = "" if alert.edge is None else f", edge {percent_text(alert.edge)}"
        return (
            f"Value bet: {chosen}",
            f"{match}: {chosen} at {alert.price:.2f} ({alert.bookmaker}){edge}",
        )
    moved = "" if alert.change is None else f" ({percent_text(alert.change)})"
    was = "" if alert.previous_price is None else f"{alert.previous_price:.2f} → "
    return (
        f"Line move: {chosen}",
        f"{match}: {alert.bookmaker} {chosen} {was}{alert.price:.2f}{moved}",
    )
