"""A task run at most once every so many seconds, between batches."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["Every"]


class Every:
    """Calls ``action`` when ``seconds`` have passed since it last ran (or since ``start``).

    ``due_now=True`` makes the first call run at once; otherwise the first run
    waits a full period, for work that has nothing to say at start-up.
    """

    def __init__(self, seconds: float, action: Callable[[], object], *, due_now: bool) -> None:
        self.seconds, self.action = seconds, action
        self.last = float("-inf") if due_now else time.monotonic()

    def __call__(self) -> None:
        if time.monotonic() - self.last >= self.seconds:
            self.last = time.monotonic()
            self.action()
