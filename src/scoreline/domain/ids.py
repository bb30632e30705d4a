"""Row ids: what a positive id within the database's integer range is, decided once.

Fixtures, portfolios, users and keys have 32-bit keys; odds snapshots, bets and
predictions 64-bit ones. An id from outside (a URL, a stream entry a stranger
could have written) is checked here before any query: past the column's range
a driver raises instead of finding nothing, and a float such as ``1e400`` is
not an id at all (``int(float("inf"))`` raises ``OverflowError``).
"""

from __future__ import annotations

from typing import Final

__all__ = ["MAX_BIG_ID", "MAX_ID", "is_id"]

MAX_ID: Final = 2**31 - 1
"""The largest 32-bit key (``INTEGER``)."""

MAX_BIG_ID: Final = 2**63 - 1
"""The largest 64-bit key (``BIGINT``)."""


def is_id(value: object, *, big: bool = False) -> bool:
    """Whether ``value`` is a whole number (not a bool, not a float) that can be a key:
    from 1 to ``MAX_ID``, or to ``MAX_BIG_ID`` when ``big``."""
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return 1 <= value <= (MAX_BIG_ID if big else MAX_ID)
