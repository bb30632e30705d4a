"""The dead letters of a deployment, read and replayed: what the admin page and
``scoreline deadletters`` show.

::

    <prefix>:deadletter           every entry a consumer gave up on (``dead_letters``),
                                  never changed nor deleted here (capped at 100,000)
    <prefix>:deadletter-replays   one record per replay: {"entry", "by", "at"} when it
                                  starts, then {"entry", "replayed_as"} once published

Replaying puts the original bytes back on the stream they came from, where the
consumer group handles them afresh (a fixed handler, a fixture loaded since).
Two people replaying one letter at once must not both publish it, and a letter
replayed once is not replayed again silently: each replay first appends its
claim to the replays stream, reads the claims back, and publishes only when its
own claim is the first for that letter (stream ids order claims the same way for
every reader). Entries from the ingestion engine name no stream (a raw feed
tick has none to go back to) and are not replayable.

There is no database here: the streams are the record, so this lives beside
them rather than in a service, and the caller that replays is the publisher.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scoreline.messaging.bus import Bus, StreamEntry
from scoreline.messaging.names import Streams

__all__ = [
    "DeadLetterBox",
    "DeadLetterPage",
    "ReasonCount",
    "Replay",
    "ReplayOutcome",
    "StoredDeadLetter",
]

_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class Replay:
    """That a letter was replayed: when, by whom, and its new entry (None until published)."""

    at: str
    by: str
    replayed_as: str | None


@dataclass(frozen=True, slots=True)
class StoredDeadLetter:
    """One dead letter as stored, and its replay if it had one."""

    id: str
    stage: str
    reason: str
    message: str
    stream: str | None
    entry: str | None
    deliveries: int | None
    payload: str
    encoding: str
    at: str | None
    replay: Replay | None

    @property
    def original(self) -> bytes:
        """The bytes the consumer was given."""
        if self.encoding == "hex":
            return bytes.fromhex(self.payload)
        return self.payload.encode()


@dataclass(frozen=True, slots=True)
class DeadLetterPage:
    """Dead letters newest first, and how many match in all."""

    items: list[StoredDeadLetter]
    total: int


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """How many dead letters one stage gave up on for one reason, and how many were replayed."""

    stage: str
    reason: str
    count: int
    replayed: int


@dataclass(frozen=True, slots=True)
class ReplayOutcome:
    """What became of one letter asked to be replayed: ``replayed_as`` its new entry, or
    ``skipped`` a stable code (``not_found``, ``already_replayed``, ``not_replayable``)."""

    id: str
    replayed_as: str | None = None
    skipped: str | None = None
    message: str | None = None


class DeadLetterBox:
    """The dead-letter stream of ``streams`` on ``bus`` (see the module docstring)."""

    def __init__(self, bus: Bus, streams: Streams) -> None:
        self.bus, self.streams = bus, streams

    def list_(
        self, *, limit: int, offset: int, reason: str | None = None, stage: str | None = None
    ) -> DeadLetterPage:
        """A page of dead letters, newest first, of one reason and stage when given."""
        replays = self.replays()
        if reason is None and stage is None:
            total = self.bus.length(self.streams.dead_letter)
            wanted: list[StoredDeadLetter] = []
            for letter in self._scan(replays):
                wanted.append(letter)
                if len(wanted) >= offset + limit:
                    break
            return DeadLetterPage(wanted[offset:], total)
        matching = [
            letter
            for letter in self._scan(replays)
            if (reason is None or letter.reason == reason)
            and (stage is None or letter.stage == stage)
        ]
        return DeadLetterPage(matching[offset : offset + limit], len(matching))

    def count_by_reason(self) -> list[ReasonCount]:
        """Dead letters by stage and reason, most first."""
        counts: Counter[tuple[str, str]] = Counter()
        replayed: Counter[tuple[str, str]] = Counter()
        for letter in self._scan(self.replays()):
            counts[letter.stage, letter.reason] += 1
            replayed[letter.stage, letter.reason] += letter.replay is not None
        return [
            ReasonCount(stage, reason, n, replayed[stage, reason])
            for (stage, reason), n in counts.most_common()
        ]

    def get(self, letter_id: str) -> StoredDeadLetter | None:
        """One dead letter by its id on the dead-letter stream."""
        found = self.bus.entry(self.streams.dead_letter, letter_id)
        return None if found is None else _decode(found, self.replays())

    def replay(self, ids: Sequence[str], *, by: str) -> list[ReplayOutcome]:
        """Put each letter's original bytes back on its stream, once (module docstring)."""
        known = self._sources()
        outcomes: list[ReplayOutcome] = []
        for letter_id in dict.fromkeys(ids):
            letter = self.get(letter_id)
            if letter is None:
                outcomes.append(ReplayOutcome(letter_id, skipped="not_found"))
            elif letter.replay is not None:
                done = letter.replay.replayed_as or "an entry not yet published"
                outcomes.append(
                    ReplayOutcome(
                        letter_id,
                        skipped="already_replayed",
                        message=f"replayed by {letter.replay.by} at {letter.replay.at} as {done}",
                    )
                )
            elif letter.stream is None or letter.stream not in known:
                outcomes.append(
                    ReplayOutcome(
                        letter_id,
                        skipped="not_replayable",
                        message=f"from {letter.stage}, with no stream of this deployment to go"
                        " back to",
                    )
                )
            else:
                outcomes.append(self._replay(letter, letter.stream, by=by))
        return outcomes

    def replays(self) -> dict[str, Replay]:
        """Every replay, by the id of the letter replayed (the first claim wins)."""
        claims: dict[str, Replay] = {}
        published: dict[str, str] = {}
        after = "0"
        while entries := self.bus.tail(
            self.streams.dead_letter_replays, after=after, count=_CHUNK, block_ms=0
        ):
            after = entries[-1].id
            for entry in entries:
                body = _json(entry.payload)
                letter = body.get("entry")
                if not isinstance(letter, str):
                    continue
                if isinstance(body.get("replayed_as"), str):
                    published.setdefault(letter, body["replayed_as"])
                elif letter not in claims:
                    claims[letter] = Replay(str(body.get("at")), str(body.get("by")), None)
        return {
            letter: Replay(claim.at, claim.by, published.get(letter))
            for letter, claim in claims.items()
        }

    # -- steps ---------------------------------------------------------------------------

    def _replay(self, letter: StoredDeadLetter, stream: str, *, by: str) -> ReplayOutcome:
        at = datetime.now(UTC).isoformat()
        claim = json.dumps({"entry": letter.id, "by": by, "at": at}).encode()
        try:
            original = letter.original
        except ValueError:
            return ReplayOutcome(letter.id, skipped="not_replayable", message="payload unreadable")
        mine = self.bus.publish(self.streams.dead_letter_replays, [claim])[0]
        if not self._first(letter.id, mine):
            return ReplayOutcome(
                letter.id, skipped="already_replayed", message="replayed meanwhile"
            )
        new_id = self.bus.publish(stream, [original])[0]
        done = json.dumps({"entry": letter.id, "replayed_as": new_id}).encode()
        self.bus.publish(self.streams.dead_letter_replays, [done])
        return ReplayOutcome(letter.id, replayed_as=new_id)

    def _first(self, letter_id: str, mine: str) -> bool:
        """Whether claim ``mine`` is the first claim on ``letter_id``."""
        after = "0"
        while entries := self.bus.tail(
            self.streams.dead_letter_replays, after=after, count=_CHUNK, block_ms=0
        ):
            after = entries[-1].id
            for entry in entries:
                body = _json(entry.payload)
                if body.get("entry") == letter_id and "replayed_as" not in body:
                    return entry.id == mine
        return False

    def _scan(self, replays: dict[str, Replay]) -> Iterator[StoredDeadLetter]:
        before: str | None = None
        while entries := self.bus.newest(self.streams.dead_letter, before=before, count=_CHUNK):
            before = entries[-1].id
            for entry in entries:
                yield _decode(entry, replays)

    def _sources(self) -> set[str]:
        s = self.streams
        return {s.odds, s.results, s.predictions, s.settlements}


def _json(payload: bytes) -> dict[str, Any]:
    try:
        body = json.loads(payload)
    except (ValueError, RecursionError):
        return {}
    return body if isinstance(body, dict) else {}


def _decode(entry: StreamEntry, replays: dict[str, Replay]) -> StoredDeadLetter:
    """A dead-letter entry as written by ``dead_letters.encode_dead_letter``; anything else
    on the stream is shown as ``unreadable`` with its bytes, never dropped."""
    body = _json(entry.payload)
    if "reason" not in body:
        return StoredDeadLetter(
            entry.id, "unknown", "unreadable", "not a dead-letter entry", None, None, None,
            entry.payload.hex(), "hex", None, replays.get(entry.id),
        )  # fmt: skip
    deliveries = body.get("deliveries")
    encoding = "hex" if body.get("encoding") == "hex" else "utf-8"
    return StoredDeadLetter(
        id=entry.id,
        stage=str(body.get("stage")),
        reason=str(body.get("reason")),
        message=str(body.get("message", "")),
        stream=body["stream"] if isinstance(body.get("stream"), str) else None,
        entry=body["entry"] if isinstance(body.get("entry"), str) else None,
        deliveries=deliveries if isinstance(deliveries, int) else None,
        payload=str(body.get("payload", "")),
        encoding=encoding,
        at=body["at"] if isinstance(body.get("at"), str) else None,
        replay=replays.get(entry.id),
    )
