"""The retry of a transaction that lost a lock race: bounded, and only for that."""

from __future__ import annotations

import pytest

from scoreline.errors import StorageContentionError, StorageUnavailableError
from scoreline.services import lock_order


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lock_order, "_PAUSE_S", 0.0)


def test_a_transaction_rolled_back_twice_succeeds_on_its_third_run() -> None:
    runs: list[int] = []

    def work() -> str:
        runs.append(1)
        if len(runs) < 3:
            raise StorageContentionError("deadlock detected")
        return "committed"

    assert lock_order.retried(work) == "committed"
    assert len(runs) == 3


def test_the_last_runs_error_is_the_callers_after_the_bound() -> None:
    runs: list[int] = []

    def work() -> None:
        runs.append(1)
        raise StorageContentionError(f"deadlock {len(runs)}")

    with pytest.raises(StorageContentionError, match="deadlock 2"):
        lock_order.retried(work, attempts=2)
    assert len(runs) == 2


def test_other_errors_are_not_retried() -> None:
    runs: list[int] = []

    def work() -> None:
        runs.append(1)
        raise StorageUnavailableError("connection refused")

    with pytest.raises(StorageUnavailableError):
        lock_order.retried(work)
    assert runs == [1]
