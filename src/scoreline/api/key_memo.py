"""API keys checked once, then trusted from memory for a few seconds; their use written in
batches.

Checking a key is a database read, and recording its use was a write, on every
request: a key read cost sixteen token reads. :class:`KeyMemo` keeps each valid
key's caller for ``memo_seconds`` (by the key's SHA-256, never the key itself),
and collects when each key was last used, to be written at most every
``flush_seconds`` in one commit (``services.api_keys.record_use``).

Revocation therefore takes effect within ``memo_seconds`` (5 s) in every process,
and at once in the process that revoked (``forget``), as a disabled account does
for tokens (``api.authenticator.USER_MEMO_SECONDS``). ``last_used_at`` is at most
``flush_seconds`` (60 s) behind, and a process that stops loses at most that much
of it: it is a hint to the key's owner, not a record money depends on.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from scoreline.domain.people import Principal
from scoreline.errors import StorageUnavailableError
from scoreline.services import api_keys
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["FLUSH_SECONDS", "KEY_MEMO_SECONDS", "KeyMemo"]

KEY_MEMO_SECONDS = 5.0
FLUSH_SECONDS = 60.0
_MEMO_MAX = 100_000

logger = logging.getLogger(__name__)


class KeyMemo:
    """Valid keys' callers for a few seconds, and their uses until the next flush."""

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        *,
        memo_seconds: float = KEY_MEMO_SECONDS,
        flush_seconds: float = FLUSH_SECONDS,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.memo_seconds, self.flush_seconds = memo_seconds, flush_seconds
        self._checked: dict[str, tuple[float, api_keys.CheckedKey]] = {}
        self._used: dict[int, datetime] = {}
        self._flushed_at = time.monotonic()
        self._flushing = threading.Lock()

    def __repr__(self) -> str:
        return f"KeyMemo(keys={len(self._checked)}, unflushed={len(self._used)})"

    def peek(self, secret: str, *, now: datetime) -> Principal | None:
        """The key's caller from memory, its use noted; None when the database is needed
        (the key is not remembered, or uses are due to be written)."""
        found = self._checked.get(api_keys.hash_api_key(secret))
        if found is None or time.monotonic() - found[0] > self.memo_seconds or self._due():
            return None
        self._used[found[1].key_id] = now
        return found[1].principal

    def resolve(self, secret: str, *, now: datetime) -> Principal:
        """The key's caller, read from the database when not remembered (blocking); writes
        the uses noted so far when they are due. ``AuthError`` for a key not valid."""
        digest = api_keys.hash_api_key(secret)
        found = self._checked.get(digest)
        if found is None or time.monotonic() - found[0] > self.memo_seconds:
            if len(self._checked) >= _MEMO_MAX:
                self._checked.clear()
            found = self._checked[digest] = (
                time.monotonic(),
                api_keys.check(self.unit_of_work, secret),
            )
        self._used[found[1].key_id] = now
        if self._due():
            self.flush()
        return found[1].principal

    def forget(self) -> None:
        """Check every key afresh next time (one was revoked in this process)."""
        self._checked.clear()

    def flush(self) -> None:
        """Write the uses noted so far (one commit); a flush already running is enough."""
        if not self._flushing.acquire(blocking=False):
            return
        try:
            used, self._used = self._used, {}
            self._flushed_at = time.monotonic()
            try:
                api_keys.record_use(self.unit_of_work, used)
            except StorageUnavailableError as error:  # kept for the next flush
                logger.warning("API key uses not written, kept for later: %s", error)
                self._used = used | self._used
        finally:
            self._flushing.release()

    def _due(self) -> bool:
        return bool(self._used) and time.monotonic() - self._flushed_at >= self.flush_seconds
