"""The read path for latest predictions and market snapshots, and its invalidation by events.

The ordering argument that keeps reads fresh is in the package docstring.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Protocol
from urllib.parse import quote

from scoreline.api.cache.stores import Cache, _check_ttl, namespaced_key

__all__ = ["Invalidates", "PredictionCache", "TieredPredictionCache"]

logger = logging.getLogger(__name__)


def _fixture_of(payload: bytes) -> int | None:
    """The ``fixture_id`` of a predictions or odds entry, or ``None`` (logged) if it has none."""
    try:
        body = json.loads(payload)
    except (ValueError, RecursionError) as error:  # bad UTF-8 and bad JSON are ValueErrors
        logger.warning("stream entry %.80r is not JSON (%s); ignored", payload, error)
        return None
    fixture_id = body.get("fixture_id") if isinstance(body, dict) else None
    if not isinstance(fixture_id, int) or isinstance(fixture_id, bool):
        logger.warning("stream entry %.80r has no integer fixture_id; ignored", payload)
        return None
    return fixture_id


class PredictionCache:
    """The API's read path for latest predictions (or market snapshots), and its invalidation.

    Parameters
    ----------
    cache : Cache
        Where serialised responses live.
    competition_of : callable
        The competition code of a fixture id, or ``None`` if unknown. Called once per event;
        a fixture never changes competition, so the caller may memoise it.
    ttl_s : float
        Lifetime of a cached response. Correctness does not rest on it (see the module
        docstring); it bounds the memory held by values under superseded versions.
    namespace : str
        First part of every namespace, so other caches can share the store.

    Notes
    -----
    ``load`` returning ``None`` (nothing stored yet) is not cached: the next read asks
    again, so a fixture's first prediction shows up without waiting for an event. An event
    whose fixture has no known competition drops every entry (bumps the epoch): wider than
    needed, never stale.
    """

    def __init__(
        self,
        cache: Cache,
        *,
        competition_of: Callable[[int], str | None],
        ttl_s: float = 300.0,
        namespace: str = "prediction",
    ) -> None:
        _check_ttl(ttl_s)
        self.cache = cache
        self.competition_of = competition_of
        self.ttl_s = ttl_s
        self.namespace = namespace

    def _fixture_ns(self, fixture_id: int) -> str:
        return f"{self.namespace}:fixture:{fixture_id}"

    def _competition_ns(self, competition: str) -> str:
        # Codes may come from a query string: quoting keeps a brace from taking the hash tag.
        return f"{self.namespace}:competition:{quote(competition, safe='')}"

    def _read_through(self, namespace: str, load: Callable[[], bytes | None]) -> bytes | None:
        # Versions first, database last: the ordering the module docstring relies on.
        epoch = self.cache.version(f"{self.namespace}:epoch")
        key = namespaced_key(namespace, f"{epoch}.{self.cache.version(namespace)}", "latest")
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        value = load()
        if value is not None:
            self.cache.set(key, value, self.ttl_s)
        return value

    def _peek(self, namespace: str) -> bytes | None:
        epoch = self.cache.version(f"{self.namespace}:epoch")
        key = namespaced_key(namespace, f"{epoch}.{self.cache.version(namespace)}", "latest")
        return self.cache.get(key)

    def peek_fixture(self, fixture_id: int) -> bytes | None:
        """The cached entry if there is one; never loads (safe on an event loop for memory)."""
        return self._peek(self._fixture_ns(fixture_id))

    def peek_competition(self, competition: str) -> bytes | None:
        """The cached listing if there is one; never loads."""
        return self._peek(self._competition_ns(competition))

    def read_fixture(self, fixture_id: int, *, load: Callable[[], bytes | None]) -> bytes | None:
        """The latest prediction of a fixture as the API serves it; ``load`` on a miss."""
        return self._read_through(self._fixture_ns(fixture_id), load)

    def read_competition(
        self, competition: str, *, load: Callable[[], bytes | None]
    ) -> bytes | None:
        """The latest predictions of a competition's fixtures; ``load`` on a miss."""
        return self._read_through(self._competition_ns(competition), load)

    def invalidate_fixture(self, fixture_id: int) -> None:
        """Drop the fixture's entry and its competition's listing (all entries if unknown)."""
        self.cache.bump(self._fixture_ns(fixture_id))
        try:
            competition = self.competition_of(fixture_id)
        except Exception:
            # A failed lookup must not leave a listing stale: fall back to dropping everything.
            logger.warning("competition of fixture %d not found", fixture_id, exc_info=True)
            competition = None
        if competition is None:
            logger.warning("fixture %d has no known competition; every entry dropped", fixture_id)
            self.invalidate_all()
        else:
            self.cache.bump(self._competition_ns(competition))

    def invalidate_all(self) -> None:
        """Drop every entry at once, by moving the epoch that is part of every key."""
        self.cache.bump(f"{self.namespace}:epoch")

    def invalidate_from_event(self, payload: bytes) -> bool:
        """Invalidate for one predictions-stream entry; ``False`` if it is malformed (logged)."""
        fixture_id = _fixture_of(payload)
        if fixture_id is None:
            return False
        self.invalidate_fixture(fixture_id)
        return True


class Invalidates(Protocol):
    """What the invalidator drives: a ``PredictionCache`` or a ``TieredPredictionCache``."""

    def invalidate_all(self) -> None: ...

    def invalidate_from_event(self, payload: bytes) -> bool: ...


class TieredPredictionCache:
    """A per-process near cache in front of the shared one (Redis), both versioned.

    Reads try this process's memory, then Redis, then the database; every
    prediction event invalidates both (each API process runs its own
    invalidator on the stream, so every near cache hears every event). The
    ordering argument of the module docstring holds at each tier: a tier reads
    its versions before asking the next one.
    """

    def __init__(self, near: PredictionCache, far: PredictionCache | None) -> None:
        self.near, self.far = near, far

    def peek_fixture(self, fixture_id: int) -> bytes | None:
        """The near tier's entry, without loading."""
        return self.near.peek_fixture(fixture_id)

    def peek_competition(self, competition: str) -> bytes | None:
        """The near tier's listing, without loading."""
        return self.near.peek_competition(competition)

    def read_fixture(self, fixture_id: int, *, load: Callable[[], bytes | None]) -> bytes | None:
        """Near, then far, then ``load``."""
        far = self.far
        if far is None:
            return self.near.read_fixture(fixture_id, load=load)
        return self.near.read_fixture(
            fixture_id, load=lambda: far.read_fixture(fixture_id, load=load)
        )

    def read_competition(
        self, competition: str, *, load: Callable[[], bytes | None]
    ) -> bytes | None:
        """Near, then far, then ``load``."""
        far = self.far
        if far is None:
            return self.near.read_competition(competition, load=load)
        return self.near.read_competition(
            competition, load=lambda: far.read_competition(competition, load=load)
        )

    def invalidate_all(self) -> None:
        """Both tiers."""
        self.near.invalidate_all()
        if self.far is not None:
            self.far.invalidate_all()

    def invalidate_from_event(self, payload: bytes) -> bool:
        """Both tiers; ``False`` for a malformed entry."""
        handled = self.near.invalidate_from_event(payload)
        if self.far is not None:
            self.far.invalidate_from_event(payload)
        return handled
