"""Dead letters listed, counted and replayed once, on the in-process bus."""

from __future__ import annotations

from scoreline.messaging.dead_letter_box import DeadLetterBox
from scoreline.messaging.dead_letters import DeadLetter, encode_dead_letter
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams

STREAMS = Streams(prefix="t")


def box_with(*letters: DeadLetter) -> tuple[MemoryBus, DeadLetterBox, list[str]]:
    bus = MemoryBus()
    ids = bus.publish(STREAMS.dead_letter, [encode_dead_letter(letter) for letter in letters])
    return bus, DeadLetterBox(bus, STREAMS), ids


def poison(reason: str, payload: bytes, *, stage: str = "workers") -> DeadLetter:
    source = STREAMS.odds if stage == "workers" else STREAMS.results
    return DeadLetter(stage, reason, "why", payload, stream=source, entry="1-0", deliveries=1)


def test_letters_are_listed_newest_first_and_filtered_by_reason() -> None:
    _, box, ids = box_with(
        poison("bad_id", b'{"odds_id": 1e400}'),
        poison("not_json", b"\xff\x00"),
        poison("bad_id", b'{"odds_id": -1}'),
    )
    page = box.list_(limit=2, offset=0)
    assert page.total == 3
    assert [letter.id for letter in page.items] == [ids[2], ids[1]]
    assert page.items[1].encoding == "hex"
    assert page.items[1].original == b"\xff\x00"
    second = box.list_(limit=2, offset=2)
    assert [letter.id for letter in second.items] == [ids[0]]
    only = box.list_(limit=10, offset=0, reason="bad_id")
    assert (only.total, [letter.id for letter in only.items]) == (2, [ids[2], ids[0]])


def test_counts_by_stage_and_reason() -> None:
    _, box, _ = box_with(
        poison("bad_id", b"1"), poison("bad_id", b"2"), poison("bad_id", b"3", stage="settlement")
    )
    counts = [(c.stage, c.reason, c.count, c.replayed) for c in box.count_by_reason()]
    assert counts == [("workers", "bad_id", 2, 0), ("settlement", "bad_id", 1, 0)]


def test_a_letter_goes_back_to_its_stream_once_and_stays_a_record() -> None:
    bus, box, ids = box_with(poison("unknown_fixture", b'{"odds_id": 5, "fixture_id": 9}'))
    [first] = box.replay([ids[0], ids[0]], by="admin@example.com")
    assert first.skipped is None
    assert first.replayed_as is not None
    back = bus.entry(STREAMS.odds, first.replayed_as)
    assert back is not None
    assert back.payload == b'{"odds_id": 5, "fixture_id": 9}'
    [again] = box.replay([ids[0]], by="someone-else")
    assert again.skipped == "already_replayed"
    assert again.message is not None
    assert "admin@example.com" in again.message
    assert bus.length(STREAMS.odds) == 1  # published once
    letter = box.get(ids[0])
    assert letter is not None
    assert letter.replay is not None
    assert letter.replay.replayed_as == first.replayed_as
    assert bus.length(STREAMS.dead_letter) == 1  # the letter itself is kept
    assert [c.replayed for c in box.count_by_reason()] == [1]


def test_what_cannot_be_replayed_says_why() -> None:
    feed = DeadLetter("ingestion", "bad_price", "price 0", b"{}")
    _, box, ids = box_with(feed)
    outcomes = box.replay([ids[0], "1-0"], by="admin")
    assert [(o.id, o.skipped) for o in outcomes] == [
        (ids[0], "not_replayable"),
        ("1-0", "not_found"),
    ]


def test_a_claim_made_first_elsewhere_wins() -> None:
    bus, box, ids = box_with(poison("bad_id", b"x"))
    # Another process claimed it a moment ago and has not published yet.
    bus.publish(
        STREAMS.dead_letter_replays, [b'{"entry": "%s", "by": "b", "at": "t"}' % ids[0].encode()]
    )
    [outcome] = box.replay(ids, by="a")
    assert outcome.skipped == "already_replayed"
    assert bus.length(STREAMS.odds) == 0


def test_garbage_on_the_dead_letter_stream_is_shown_not_dropped() -> None:
    bus = MemoryBus()
    bus.publish(STREAMS.dead_letter, [b"\x00garbage"])
    page = DeadLetterBox(bus, STREAMS).list_(limit=10, offset=0)
    assert [(letter.reason, letter.payload) for letter in page.items] == [
        ("unreadable", "00676172626167 65".replace(" ", ""))
    ]
