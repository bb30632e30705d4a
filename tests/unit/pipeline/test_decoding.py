"""Entries of the odds stream: what the worker can predict from, and why it refuses the rest."""

from __future__ import annotations

import pytest

from scoreline.messaging.bus import Delivery
from scoreline.messaging.entries import EntryError
from scoreline.pipeline.decoding import ResultEntry, decode_odds, decode_result
from scoreline.services.serving import TickRef


def delivery(payload: bytes, entry: str = "1-0") -> Delivery:
    return Delivery(id=entry, payload=payload, deliveries=1)


def test_the_largest_ids_the_columns_hold_are_served() -> None:
    payload = b'{"odds_id": %d, "fixture_id": %d}' % (2**63 - 1, 2**31 - 1)
    entries, rejections = decode_odds([delivery(payload)])
    assert rejections == []
    assert entries[0].ref == TickRef(2**63 - 1, 2**31 - 1)


def test_a_result_names_its_fixture_and_outcome() -> None:
    assert decode_result(b'{"fixture_id": 4, "home_goals": 0, "away_goals": 2}') == ResultEntry(
        4, 2
    )
    assert decode_result(b'{"fixture_id": 4}') == ResultEntry(4, None)  # settles, not scored


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"fixture_id": 1e400, "home_goals": 1, "away_goals": 0}', "bad_id"),
        (b'{"fixture_id": -1, "home_goals": 1, "away_goals": 0}', "bad_id"),
        (b'{"home_goals": 1, "away_goals": 0}', "missing_field"),
        (b"\x00\x01", "not_json"),
    ],
)
def test_an_unusable_result_is_refused_with_a_stable_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(EntryError) as refused:
        decode_result(payload)
    assert refused.value.reason == reason


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
        (b'{"odds_id": null, "fixture_id": 3}', "missing_field"),
        (b'{"odds_id": 7, "fixture_id": 3, "received_at": "soon"}', "missing_field"),
        (b'{"odds_id": 7, "fixture_id": 3, "received_at": 1e400}', "missing_field"),
        (b'{"odds_id": 7, "fixture_id": 3, "received_at": 1%s}' % (b"0" * 400), "missing_field"),
        (b'{"odds_id": "x", "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": "7", "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": 1e400, "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": 7.0, "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": true, "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": -7, "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": 0, "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": %d, "fixture_id": 3}' % 2**63, "bad_id"),
        (b'{"odds_id": 7, "fixture_id": %d}' % 2**31, "bad_id"),
        (b'{"odds_id": {"$gt": 1}, "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": [7], "fixture_id": 3}', "bad_id"),
        (b'{"odds_id": 7, "fixture_id": NaN}', "bad_id"),
        (b'{"odds_id": 1%s, "fixture_id": 3}' % (b"0" * 5000), "not_json"),
        (b'{"odds_id": 7, "fixture_id": 3\x00}', "not_json"),
        (b"[" * 100_000 + b"]" * 100_000, "not_json"),
        (b"", "not_json"),
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
