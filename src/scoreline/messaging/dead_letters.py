"""Dead letters: what a consumer could not use, kept with where and why.

Every entry on the dead-letter stream is one JSON object::

    {"stage": "workers", "stream": "scoreline:odds", "entry": "1700000000000-0",
     "reason": "missing_field", "message": "...", "deliveries": 1,
     "payload": "<the original bytes, as text>", "encoding": "utf-8", "at": "..."}

``stage`` is the consumer group (or ``ingestion`` for a feed's raw tick),
``reason`` a stable code and ``message`` the words a person reads. The original
bytes are kept whole, as text when they are UTF-8 and as hex otherwise, so an
entry can be inspected and replayed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = ["DEAD_LETTER_MAXLEN", "DeadLetter", "encode_dead_letter"]

DEAD_LETTER_MAXLEN = 100_000


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """Why one entry was given up on."""

    stage: str
    reason: str
    message: str
    payload: bytes
    stream: str | None = None
    entry: str | None = None
    deliveries: int | None = None


def encode_dead_letter(letter: DeadLetter) -> bytes:
    """The dead-letter stream's entry for ``letter`` (see the module docstring)."""
    try:
        original: Any = letter.payload.decode()
        encoding = "utf-8"
    except UnicodeDecodeError:
        original, encoding = letter.payload.hex(), "hex"
    body: dict[str, Any] = {
        "stage": letter.stage,
        "reason": letter.reason,
        "message": letter.message,
        "payload": original,
        "encoding": encoding,
        "at": datetime.now(UTC).isoformat(),
    }
    for name in ("stream", "entry", "deliveries"):
        value = getattr(letter, name)
        if value is not None:
            body[name] = value
    return json.dumps(body).encode()
