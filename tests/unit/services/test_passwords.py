"""``services.passwords.PasswordChecker``: argon2 work bounded, the rest refused at once."""

from __future__ import annotations

import os
import threading

import pytest
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST

from scoreline.errors import DataError, RateLimitedError
from scoreline.services import passwords
from scoreline.services.passwords import NICENESS, PasswordChecker

PASSWORD = "correct horse battery staple"


@pytest.fixture
def stored() -> str:
    return PasswordHasher.from_parameters(CHEAPEST).hash(PASSWORD)


def test_it_checks_and_hashes_as_the_module_does(stored: str) -> None:
    checker = PasswordChecker(workers=1, queue=0)
    try:
        assert checker.verify(stored, PASSWORD) is True
        assert checker.verify(stored, "another passphrase") is False
        assert checker.verify(checker.hash(PASSWORD), PASSWORD) is True
    finally:
        checker.close()


def test_past_the_workers_and_the_queue_a_check_is_refused_at_once(
    monkeypatch: pytest.MonkeyPatch, stored: str
) -> None:
    entered, release = threading.Semaphore(0), threading.Event()

    def slow(stored_hash: str, plain: str) -> bool:
        entered.release()
        release.wait(10)
        return True

    monkeypatch.setattr(passwords, "verify_password", slow)
    checker = PasswordChecker(workers=1, queue=1)
    done: list[bool] = []
    holders = [
        threading.Thread(target=lambda: done.append(checker.verify(stored, PASSWORD)))
        for _ in range(2)
    ]
    try:
        for holder in holders:
            holder.start()
        assert entered.acquire(timeout=10)  # one runs, the other waits in the queue
        with pytest.raises(RateLimitedError) as refused:
            checker.verify(stored, PASSWORD)
        assert refused.value.retry_after_seconds == 1
    finally:
        release.set()
        for holder in holders:
            holder.join(timeout=10)
        checker.close()
    assert done == [True, True]


def test_the_workers_run_at_a_lower_priority(monkeypatch: pytest.MonkeyPatch, stored: str) -> None:
    seen: list[int] = []

    def noting(stored_hash: str, plain: str) -> bool:
        seen.append(os.getpriority(os.PRIO_PROCESS, 0))  # Linux: the calling thread's
        return True

    monkeypatch.setattr(passwords, "verify_password", noting)
    checker = PasswordChecker(workers=1, queue=0)
    try:
        checker.verify(stored, PASSWORD)
    finally:
        checker.close()
    assert seen == [min(os.getpriority(os.PRIO_PROCESS, 0) + NICENESS, 19)]


@pytest.mark.parametrize(("workers", "queue"), [(0, 1), (1, -1)])
def test_sizes_are_checked(workers: int, queue: int) -> None:
    with pytest.raises(DataError):
        PasswordChecker(workers=workers, queue=queue)
