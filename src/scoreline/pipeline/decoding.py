"""Entries of the ``odds`` stream turned into what the worker predicts from, or refused.

An entry is the JSON the ingestion engine publishes: the stored snapshot's
``odds_id`` and ``fixture_id``, and ``received_at`` (when the tick entered the
engine, Unix seconds) from which the tick-to-prediction latency is measured.
What is not such an entry can never be served and is refused with a stable
reason (``not_json``, ``missing_field``); the consumer loop dead-letters it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass

from scoreline.messaging.bus import Delivery
from scoreline.messaging.consumer import Rejection
from scoreline.services.serving import TickRef

__all__ = ["OddsEntry", "decode_odds"]


@dataclass(frozen=True, slots=True)
class OddsEntry:
    """A usable entry: the delivery, the snapshot it names, and when its tick arrived."""

    delivery: Delivery
    ref: TickRef
    received_at: float


def decode_odds(deliveries: Sequence[Delivery]) -> tuple[list[OddsEntry], list[Rejection]]:
    """The usable entries of a batch, and a rejection for each of the others, in order."""
    entries: list[OddsEntry] = []
    rejections: list[Rejection] = []
    for delivery in deliveries:
        decoded = _decode(delivery)
        if isinstance(decoded, Rejection):
            rejections.append(decoded)
        else:
            entries.append(decoded)
    return entries, rejections


def _decode(delivery: Delivery) -> OddsEntry | Rejection:
    try:
        body = json.loads(delivery.payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return Rejection(delivery, "not_json", f"not a JSON entry: {error}")
    if not isinstance(body, dict):
        return Rejection(delivery, "not_json", "the entry is JSON but not an object")
    try:
        ref = TickRef(odds_id=int(body["odds_id"]), fixture_id=int(body["fixture_id"]))
        received_at = float(body.get("received_at", time.time()))
    except (KeyError, TypeError, ValueError) as error:
        return Rejection(
            delivery, "missing_field", f"odds entry lacks a usable odds_id or fixture_id: {error}"
        )
    return OddsEntry(delivery, ref, received_at)
