"""Every error Scoreline raises on purpose, in one tree.

::

    ScorelineError
     ├── ConfigError            settings that cannot work (bad URL, placeholder secret)
     ├── DataError              input data that cannot be used
     │    └── BadRowError       one row of a file, with path, line and reason
     ├── NotFoundError          a record that does not exist (or is not yours)
     ├── ConflictError          a write that would contradict what is stored
     ├── AuthError              credentials that authenticate no one (with a reason code)
     ├── PermissionDeniedError  a caller who may not do this
     ├── RateLimitedError       too many attempts; says when to try again
     ├── ProviderError          an outside data source failed
     │    └── QuotaExhaustedError
     ├── ModelError             a model cannot do what was asked
     │    └── NotFittedError    predict before fit
     ├── StorageError           the database refused a statement
     │    └── StorageUnavailableError   it cannot be reached right now; retry
     │         └── StorageContentionError   it broke a deadlock or a serialisation
     │                                       conflict by rolling back; retry the transaction
     └── PipelineError          streams and workers
          └── BusUnavailableError       the stream bus cannot be reached right now; retry

Messages say what, where, and what happens next, so a command line can print
them as one line and a user can act on them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

__all__ = [
    "AuthError",
    "AuthFailure",
    "BadRowError",
    "BusUnavailableError",
    "ConfigError",
    "ConflictError",
    "ConvergenceWarning",
    "DataError",
    "ModelError",
    "NotFittedError",
    "NotFoundError",
    "PermissionDeniedError",
    "PipelineError",
    "ProviderError",
    "QuotaExhaustedError",
    "RateLimitedError",
    "ScorelineError",
    "StorageContentionError",
    "StorageError",
    "StorageUnavailableError",
]


class ScorelineError(Exception):
    """Base of every error Scoreline raises on purpose."""


class ConfigError(ScorelineError):
    """Settings that cannot work."""


class DataError(ScorelineError, ValueError):
    """Input data that cannot be used."""


class BadRowError(DataError):
    """One bad row of an input file; the row is skipped and reported."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.path} line {line}: {reason}; row skipped")

    def __reduce__(self) -> tuple[type[BadRowError], tuple[str, int, str]]:
        return (type(self), (self.path, self.line, self.reason))


class NotFoundError(ScorelineError, LookupError):
    """A record that does not exist, or that the caller may not see."""


class ConflictError(ScorelineError):
    """A write that would contradict what is already stored."""


AuthFailure = Literal[
    "expired",
    "wrong_type",
    "bad_signature",
    "malformed",
    "bad_claims",
    "bad_key",
    "bad_session",
    "bad_password",
    "disabled",
    "missing",
]
"""Why a credential was refused: a stable code for the transport and for metrics."""


class AuthError(ScorelineError):
    """A token, key, cookie or password that authenticates no one; the API answers 401.

    ``reason`` is a stable code (``AuthFailure``), so a transport can map it without
    parsing the message. The message never contains the credential itself.
    """

    def __init__(self, message: str, reason: AuthFailure) -> None:
        self.reason: AuthFailure = reason
        super().__init__(message)

    def __reduce__(self) -> tuple[type[AuthError], tuple[str, AuthFailure]]:
        # Default exception pickling replays only ``args``, which lack ``reason``.
        return (type(self), (str(self), self.reason))


class PermissionDeniedError(ScorelineError):
    """A signed-in caller asking for something their role or key does not allow (403)."""


class RateLimitedError(ScorelineError):
    """Too many attempts; ``retry_after_seconds`` says when the next one is allowed (429)."""

    def __init__(self, message: str, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(message)

    def __reduce__(self) -> tuple[type[RateLimitedError], tuple[str, int]]:
        return (type(self), (str(self), self.retry_after_seconds))


class ProviderError(ScorelineError):
    """An outside data source failed or answered nonsense."""


class QuotaExhaustedError(ProviderError):
    """A provider's request budget is spent."""


class ModelError(ScorelineError):
    """A model cannot do what was asked of it."""


class NotFittedError(ModelError, ValueError, AttributeError):
    """A model was used before ``fit``; after scikit-learn's error of that name."""


class StorageError(ScorelineError):
    """The database refused or failed a statement; the transaction was rolled back."""


class StorageUnavailableError(StorageError):
    """The database cannot be reached right now; callers wait and retry."""


class StorageContentionError(StorageUnavailableError):
    """The database rolled this transaction back to break a deadlock or a serialisation
    conflict with another; running the whole transaction again is safe and usually works."""


class PipelineError(ScorelineError):
    """Streams, workers and their plumbing."""


class BusUnavailableError(PipelineError):
    """The stream bus cannot be reached right now; callers wait and retry."""


class ConvergenceWarning(UserWarning):
    """An optimiser stopped before its tolerance was met; the fit is still returned."""
