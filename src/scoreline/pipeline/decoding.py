"""Entries of the ``odds`` and ``results`` streams turned into what the pipeline uses, or refused.

An odds entry is the JSON the ingestion engine publishes: the stored snapshot's
``odds_id`` and ``fixture_id``, and ``received_at`` (when the tick entered the
engine, Unix seconds) from which the tick-to-prediction latency is measured. A
results entry names its ``fixture_id`` and the score. What is not such an entry
can never be used and is refused with a stable reason (``not_json``,
``missing_field``, ``bad_id``: ``messaging.entries``); the consumer loop
dead-letters it.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeGuard

from scoreline.messaging.bus import Delivery
from scoreline.messaging.consumer import Rejection
from scoreline.messaging.entries import EntryError, json_object, required_id
from scoreline.services.serving import TickRef

__all__ = ["OddsEntry", "ResultEntry", "decode_odds", "decode_result"]


@dataclass(frozen=True, slots=True)
class OddsEntry:
    """A usable entry: the delivery, the snapshot it names, and when its tick arrived."""

    delivery: Delivery
    ref: TickRef
    received_at: float


@dataclass(frozen=True, slots=True)
class ResultEntry:
    """A usable results entry: the fixture, and its outcome when the score is readable
    (0 home win, 1 draw, 2 away win; None when the entry carries no usable score)."""

    fixture_id: int
    outcome: int | None


def decode_odds(deliveries: Sequence[Delivery]) -> tuple[list[OddsEntry], list[Rejection]]:
    """The usable entries of a batch, and a rejection for each of the others, in order."""
    entries: list[OddsEntry] = []
    rejections: list[Rejection] = []
    for delivery in deliveries:
        try:
            entries.append(_odds(delivery))
        except EntryError as error:
            rejections.append(Rejection(delivery, error.reason, str(error)))
    return entries, rejections


def decode_result(payload: bytes) -> ResultEntry:
    """A results entry; ``EntryError`` when it names no usable fixture."""
    body = json_object(payload)
    fixture_id = required_id(body, "fixture_id")
    home, away = body.get("home_goals"), body.get("away_goals")
    outcome = None
    if _is_count(home) and _is_count(away):
        outcome = 0 if home > away else 1 if home == away else 2
    return ResultEntry(fixture_id, outcome)


def _odds(delivery: Delivery) -> OddsEntry:
    body = json_object(delivery.payload)
    ref = TickRef(
        odds_id=required_id(body, "odds_id", big=True),
        fixture_id=required_id(body, "fixture_id"),
    )
    return OddsEntry(delivery, ref, _seconds(body.get("received_at", time.time())))


def _seconds(value: object) -> float:
    """Unix seconds, finite; ``EntryError`` otherwise (``10**400`` overflows a float)."""
    seconds = math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        with contextlib.suppress(OverflowError):
            seconds = float(value)
    if not math.isfinite(seconds):
        raise EntryError("missing_field", f"received_at {value!r:.40} is not a time")
    return seconds


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 99
