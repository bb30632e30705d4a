"""Password hashing with argon2id.

The parameters are pinned to argon2-cffi's ``RFC_9106_LOW_MEMORY`` profile
(argon2id, 64 MiB, 3 passes, 4 lanes, 16-byte salt, 32-byte hash), which is also
the library's default today. It is above OWASP's minimum for argon2id (19 MiB,
2 passes, 1 lane; OWASP Password Storage Cheat Sheet) and costs some 50 to 200 ms
per hash, depending on the core: slow enough to make offline guessing expensive,
fast enough for a login. Pinning rather than following the library default
means an upgrade of argon2-cffi never changes our cost silently; when we raise
it, :func:`needs_rehash` reports old hashes and signing in (``services.sign_in``)
rehashes them while it holds the plain password.

Each check holds 64 MiB and a core for that time, so a burst of sign-ins could
take an API process's memory and starve its reads. :class:`PasswordChecker`
bounds that: a few checks at once on threads of their own, at a lower CPU
priority than the reads, a short queue behind them, and ``RateLimitedError``
(429, ``Retry-After: 1``) for anything past the queue.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.profiles import RFC_9106_LOW_MEMORY

from scoreline.errors import DataError, RateLimitedError

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "PasswordChecker",
    "hash_password",
    "needs_rehash",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 12
"""Shortest password accepted, in characters (NIST SP 800-63B asks for at least 8)."""

MAX_PASSWORD_LENGTH = 1024
"""Longest password accepted, in characters; bounds the work one request can ask for."""

_HASHER = PasswordHasher.from_parameters(RFC_9106_LOW_MEMORY)

logger = logging.getLogger(__name__)
T = TypeVar("T")

NICENESS = 10
"""How much lower than the rest of the process the argon2 threads run (Linux ``nice``): a
read waiting for a core gets it first, and a sign-in takes longer only while reads are busy."""


def hash_password(plain: str) -> str:
    """Hash a new password for storage.

    Parameters
    ----------
    plain : str
        The password as typed, between :data:`MIN_PASSWORD_LENGTH` and
        :data:`MAX_PASSWORD_LENGTH` characters.

    Returns
    -------
    str
        The encoded argon2id hash (``$argon2id$v=19$m=65536,t=3,p=4$salt$hash``),
        which carries its own salt and parameters.

    Raises
    ------
    DataError
        If the password breaks a length rule or cannot be encoded as UTF-8 (a lone
        surrogate, which JSON can smuggle in). The message names the rule, never
        the password.
    """
    if len(plain) < MIN_PASSWORD_LENGTH:
        raise DataError(
            f"password is {len(plain)} characters; it must be at least {MIN_PASSWORD_LENGTH}"
        )
    if len(plain) > MAX_PASSWORD_LENGTH:
        raise DataError(
            f"password is {len(plain)} characters; it must be at most {MAX_PASSWORD_LENGTH}"
        )
    try:
        return _HASHER.hash(plain)
    except UnicodeEncodeError as exc:
        raise DataError(
            "password contains characters that cannot be encoded as UTF-8; choose another"
        ) from exc


def verify_password(stored_hash: str, plain: str) -> bool:
    """Whether ``plain`` matches ``stored_hash``.

    Never raises for what a user can send: a wrong password, an overlong or
    unencodable one, and a stored hash that is not an argon2 hash all give
    ``False``. The minimum length is not checked here, so a rule tightened later
    does not lock out users whose passwords predate it.
    """
    if len(plain) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _HASHER.verify(stored_hash, plain)
    except (VerificationError, InvalidHashError, UnicodeError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with other parameters than we use now.

    Call it after a successful :func:`verify_password` and store
    ``hash_password(plain)`` when it says so. A hash we cannot parse also needs
    rehashing, since it is not one we would write today.
    """
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except ValueError:  # InvalidHashError and UnicodeError are both ValueErrors
        return True


class PasswordChecker:
    """Argon2 work for one process, bounded: ``workers`` at once, ``queue`` more waiting.

    :meth:`verify` and :meth:`hash` block the calling thread until a worker has
    done the work, or raise ``RateLimitedError`` at once when ``workers + queue``
    calls are already in: the caller is told to come back in a second instead of
    holding a thread and, soon, 64 MiB. The workers run at :data:`NICENESS`
    (argon2's own lane threads inherit it), so cached reads keep their cores.

    Parameters
    ----------
    workers : int
        Checks that run at once; peak memory is about ``workers`` x 64 MiB.
    queue : int
        Checks that may wait for a worker.
    """

    def __init__(self, *, workers: int = 1, queue: int = 8) -> None:
        if workers < 1 or queue < 0:
            raise DataError(f"workers={workers}, queue={queue}: need workers >= 1, queue >= 0")
        self.workers, self.queue = workers, queue
        self._admitted = threading.BoundedSemaphore(workers + queue)
        self._pool = ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="argon2", initializer=_lower_priority
        )

    def __repr__(self) -> str:
        return f"PasswordChecker(workers={self.workers}, queue={self.queue})"

    def verify(self, stored_hash: str, plain: str) -> bool:
        """:func:`verify_password` on a worker."""
        return self._run(verify_password, stored_hash, plain)

    def hash(self, plain: str) -> str:
        """:func:`hash_password` on a worker."""
        return self._run(hash_password, plain)

    def close(self) -> None:
        """Let the workers go once the work in hand is done."""
        self._pool.shutdown(wait=False)

    def _run(self, work: Callable[..., T], *args: str) -> T:
        if not self._admitted.acquire(blocking=False):
            raise RateLimitedError(
                "too many sign-ins at once; try again in a second", retry_after_seconds=1
            )
        try:
            return self._pool.submit(work, *args).result()
        finally:
            self._admitted.release()


def _lower_priority() -> None:
    """Lower this thread's priority (Linux sets ``nice`` per thread); elsewhere, nothing."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)
    except (AttributeError, OSError) as error:  # not Linux, or not allowed: run as is
        logger.debug("argon2 workers keep their priority: %s", error)
