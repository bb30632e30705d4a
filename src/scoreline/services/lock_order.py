"""The one order in which the book takes its locks, and the retry for a race still lost.

Placing, voiding and settling bets and depositing money write to the same few
rows, and on PostgreSQL each transaction holds its locks until it commits. Two
transactions taking two locks in opposite orders deadlock, and PostgreSQL
kills one of them: a void racing settlement once did, the audit lock against
the bet row (issue 17). So every transaction that moves money takes its locks
in this order, skipping the ones it does not need and never going back up::

    1. the portfolio         uow.portfolios.lock      FOR NO KEY UPDATE
    2. bets, in id order     uow.bets.lock            FOR NO KEY UPDATE
                             uow.bets.lock_open       (every open bet of a fixture at once)
    3. the audit chain tail  uow.audit.lock_tail      an advisory lock, taken by
                                                      audit.append_snapshot, always last

    bets.place                   1 -> 3    the bankroll check needs the portfolio
    bets.void                    2 -> 3
    settlement.settle_fixture    2 -> 3    all of the fixture's open bets before any write
    portfolios.deposit           1

Inserting a ledger entry, an audit link or a bet takes ``FOR KEY SHARE`` on
the rows it references (the portfolio, the bet, the fixture, the snapshot),
whatever the order above says. Levels 1 and 2 are ``FOR NO KEY UPDATE``
rather than ``FOR UPDATE`` because that mode does not conflict with ``FOR KEY
SHARE``: a settlement holding the audit lock and inserting a payout never
waits for a placement holding the portfolio. SQLite has one writer at a time,
so there the order costs nothing and decides nothing.

A deadlock or serialisation failure that happens anyway (a lock taken outside
this order, another program on the same database) rolls the transaction back
as ``StorageContentionError``; ``retried`` runs the whole transaction again,
a bounded number of times, so callers see it only when contention persists.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from scoreline.errors import StorageContentionError

__all__ = ["ATTEMPTS", "retried"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

ATTEMPTS = 4
"""Runs of one transaction before its ``StorageContentionError`` is the caller's."""

_PAUSE_S = 0.02
"""The first pause between runs; it doubles, with jitter so two losers do not collide again."""


def retried(work: Callable[[], T], *, attempts: int = ATTEMPTS, what: str = "transaction") -> T:
    """``work()`` (one whole unit of work), run again after a ``StorageContentionError``,
    up to ``attempts`` runs in all; the last run's error propagates."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except StorageContentionError as error:
            if attempt == attempts:
                raise
            logger.warning("%s rolled back (%s); run %d of %d", what, error, attempt + 1, attempts)
            time.sleep(_PAUSE_S * 2 ** (attempt - 1) * (1 + random.random()))
    raise AssertionError("unreachable: the loop returns or raises")
