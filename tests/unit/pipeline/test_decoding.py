"""Entries of the odds stream: what the worker can predict from, and why it refuses the rest."""

from __future__ import annotations

import pytest

from scoreline.messaging.bus import Delivery
from scoreline.pipeline.decoding import decode_odds
from scoreline.services.serving import TickRef


def delivery(payload: bytes, entry: str = "1-0") -> Delivery:
    return Delivery(id=entry, payload=payload, deliveries=1)


def test_an_entry_names_its_snapshot_fixture_and_arrival() -> None:
    entries, rejections = decode_odds(
        [delivery(b'{"odds_id": 7, "fixture_id": 3, "received_at": 1700000000.5, "x": 1}')]
    )
    assert rejections == []
    assert [(e.ref, e.received_at) for e in entries] == [(TickRef(7, 3), 1700000000.5)]


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfe not json", "not_json"),
        (b"[1, 2]", "not_json"),
        (b'"text"', "not_json"),
        (b'{"odds_id": 7}', "missing_field"),
        (b'{"odds_id": "x", "fixture_id": 3}', "missing_field"),
        (b'{"odds_id": null, "fixture_id": 3}', "missing_field"),
        (b'{"odds_id": 7, "fixture_id": 3, "received_at": "soon"}', "missing_field"),
    ],
)
def test_what_cannot_be_served_is_refused_with_a_stable_reason(payload: bytes, reason: str) -> None:
    entries, rejections = decode_odds([delivery(payload)])
    assert entries == []
    assert [r.reason for r in rejections] == [reason]
    assert rejections[0].delivery.payload == payload


def test_a_batch_keeps_the_good_entries_in_order_beside_the_refused() -> None:
    batch = [
        delivery(b'{"odds_id": 1, "fixture_id": 9}', "1-0"),
        delivery(b"nope", "2-0"),
        delivery(b'{"odds_id": 2, "fixture_id": 9}', "3-0"),
    ]
    entries, rejections = decode_odds(batch)
    assert [e.delivery.id for e in entries] == ["1-0", "3-0"]
    assert [r.delivery.id for r in rejections] == ["2-0"]
