"""The thread that keeps a versioned cache honest: one invalidation per stream entry.

Each API process runs one per cached stream: the predictions cache follows
``<prefix>:predictions`` and the market cache follows ``<prefix>:odds``; both
entries carry the ``fixture_id`` they concern, published after their commit.

**What no event announces.** Switching the active model (from the admin API, a
refit, or the CLI in another process) changes what "latest prediction" means
for every fixture at once, and loading a season file rewrites prices without
one odds entry per price. Neither is on a stream, so the invalidator also
*watches* a cheap signature of the data (``watch``: the active model versions,
the loaded files) every ``watch_every_s`` seconds and drops everything when it
changes. The process that made the change drops its own caches at once; every
other process within ``watch_every_s`` (5 s by default, the same period at
which workers follow the active model).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import Self

from scoreline.api.cache.predictions import Invalidates
from scoreline.api.cache.stores import UNAVAILABLE
from scoreline.messaging.bus import Bus

__all__ = ["CacheInvalidator"]

logger = logging.getLogger(__name__)


class CacheInvalidator:
    """A thread tailing one stream and invalidating a cache for each entry.

    Parameters
    ----------
    bus : Bus
        The stream bus the workers and the ingestion engine publish on.
    cache : Invalidates
        What to invalidate (a ``PredictionCache`` or a ``TieredPredictionCache``).
    stream : str
        The stream to tail from the start time's id, e.g. ``streams.predictions``.
    count : int
        Entries per read.
    block_ms : int
        How long a read waits for entries; also the longest ``stop`` waits for the loop.
    retry_s : float
        Pause after a failure (bus or cache unreachable) before trying again.
    stop_event : threading.Event, optional
        Shared with the caller's shutdown; a new one if not given.
    watch : callable, optional
        A signature of what no event announces (see the module docstring); when it
        differs from the one read before, every entry is dropped.
    watch_every_s : float
        How often ``watch`` is read; the longest a change it sees stays cached.
    clock : callable
        Monotonic seconds, for the watch period; tests pass a fake one.

    Attributes
    ----------
    ready : threading.Event
        Set after the first read and epoch bump: from then on each event's keys go within
        about ``block_ms`` of its publication.
    events, ignored, epochs, failures, changes : int
        Entries handled, malformed entries skipped, epoch bumps, failed reads, and
        changes the watch saw.

    Notes
    -----
    On start and after any failure the invalidator cannot be sure it saw every entry,
    so it bumps the epoch once its next read returns (see ``scoreline.api.cache``).
    """

    def __init__(
        self,
        bus: Bus,
        cache: Invalidates,
        *,
        stream: str,
        count: int = 100,
        block_ms: int = 500,
        retry_s: float = 1.0,
        stop_event: threading.Event | None = None,
        watch: Callable[[], Hashable] | None = None,
        watch_every_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if watch_every_s <= 0:
            raise ValueError(f"watch_every_s is {watch_every_s}; it must be positive")
        self.bus = bus
        self.cache = cache
        self.stream = stream
        self.count = count
        self.block_ms = block_ms
        self.retry_s = retry_s
        self.stopping = stop_event if stop_event is not None else threading.Event()
        self.watch = watch
        self.watch_every_s = watch_every_s
        self.clock = clock
        self.ready = threading.Event()
        self.events = self.ignored = self.epochs = self.failures = self.changes = 0
        self._after = f"{int(time.time() * 1000)}-0"
        self._unsure = True  # entries may have been missed: bump the epoch after the next read
        self._signature: Hashable = None
        self._watched_at: float | None = None
        self._thread: threading.Thread | None = None
        self._beat_at = time.monotonic()

    @property
    def ready_part(self) -> str:
        """Its name in the API's readiness checks."""
        return f"cache-invalidator:{self.stream}"

    def is_alive(self, *, within_s: float = 30.0) -> bool:
        """Whether its thread runs and went round within ``within_s`` (a failed round
        counts: what failed is reported by its own check)."""
        running = self._thread is not None and self._thread.is_alive()
        recent = time.monotonic() - self._beat_at <= within_s
        return running and not self.stopping.is_set() and recent

    def __repr__(self) -> str:
        return (
            f"CacheInvalidator(stream={self.stream!r}, events={self.events}, "
            f"ignored={self.ignored}, epochs={self.epochs}, failures={self.failures}, "
            f"changes={self.changes})"
        )

    def poll(self) -> int:
        """One read and its invalidations; how many entries came. Failures propagate."""
        # The signature is read before the bump that covers it, as versions are read
        # before the database: a change after this read is seen by the next one.
        signature = self._read_watch()
        entries = self.bus.tail(
            self.stream, after=self._after, count=self.count, block_ms=self.block_ms
        )
        if self._unsure:
            self.cache.invalidate_all()
            self.epochs += 1
            self._unsure = False
            self.ready.set()
        elif signature is not None and signature != self._signature:
            self.cache.invalidate_all()
            self.changes += 1
            logger.info("%s cache dropped: the watched data changed", self.stream)
        if signature is not None:
            self._signature = signature
        for entry in entries:
            if self.cache.invalidate_from_event(entry.payload):
                self.events += 1
            else:
                self.ignored += 1
            self._after = entry.id  # only past an entry once it is handled
        return len(entries)

    def _read_watch(self) -> Hashable:
        """The watched signature when its period is up (or on a restart), else ``None``."""
        if self.watch is None:
            return None
        now = self.clock()
        due = self._watched_at is None or now - self._watched_at >= self.watch_every_s
        if not (due or self._unsure):
            return None
        self._watched_at = now
        return self.watch()

    def run(self) -> None:
        """Poll until ``stopping`` is set; failures are logged and retried, never fatal."""
        logger.info("cache invalidator tailing %s", self.stream)
        while not self.stopping.is_set():
            self._beat_at = time.monotonic()
            try:
                self.poll()
            except UNAVAILABLE as error:
                self._failed()
                logger.warning("cache invalidation paused (%s); retrying", error)
                self.stopping.wait(self.retry_s)
            except Exception:
                # A dead invalidator would serve stale reads until restart; log the bug, go on.
                self._failed()
                logger.exception("cache invalidation failed; retrying")
                self.stopping.wait(self.retry_s)
        logger.info("cache invalidator stopped: %r", self)

    def _failed(self) -> None:
        self.failures += 1
        self._unsure = True

    def start(self) -> Self:
        """Run in a daemon thread; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError("this CacheInvalidator was already started")
        self._thread = threading.Thread(
            target=self.run, name=f"cache-invalidator:{self.stream}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 5.0) -> bool:
        """Ask the loop to end and wait up to ``timeout_s``; whether the thread has ended."""
        self.stopping.set()
        if self._thread is None:
            return True
        self._thread.join(timeout_s)
        return not self._thread.is_alive()
