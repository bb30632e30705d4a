"""Every error Scoreline raises on purpose, in one tree.

::

    ScorelineError
     ├── ConfigError            settings that cannot work (bad URL, placeholder secret)
     ├── DataError              input data that cannot be used
     │    └── BadRowError       one row of a file, with path, line and reason
     ├── NotFoundError          a record that does not exist (or is not yours)
     ├── ConflictError          a write that would contradict what is stored
     ├── ProviderError          an outside data source failed
     │    └── QuotaExhaustedError
     ├── ModelError             a model cannot do what was asked
     │    └── NotFittedError    predict before fit
     └── PipelineError          streams and workers

Messages say what, where, and what happens next, so a command line can print
them as one line and a user can act on them.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BadRowError",
    "BusUnavailableError",
    "ConfigError",
    "ConflictError",
    "ConvergenceWarning",
    "DataError",
    "ModelError",
    "NotFittedError",
    "NotFoundError",
    "PipelineError",
    "ProviderError",
    "QuotaExhaustedError",
    "ScorelineError",
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


class ProviderError(ScorelineError):
    """An outside data source failed or answered nonsense."""


class QuotaExhaustedError(ProviderError):
    """A provider's request budget is spent."""


class ModelError(ScorelineError):
    """A model cannot do what was asked of it."""


class NotFittedError(ModelError, ValueError, AttributeError):
    """A model was used before ``fit``; after scikit-learn's error of that name."""


class PipelineError(ScorelineError):
    """Streams, workers and their plumbing."""


class BusUnavailableError(PipelineError):
    """The stream bus cannot be reached right now; callers wait and retry."""


class ConvergenceWarning(UserWarning):
    """An optimiser stopped before its tolerance was met; the fit is still returned."""
