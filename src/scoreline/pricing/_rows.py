"""One message for bad rows, naming them, shared by the pricing modules."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from scoreline.errors import DataError

__all__ = ["check_rows"]


def check_rows(bad: npt.ArrayLike, problem: str) -> None:
    """Raise a DataError naming the first rows where ``bad`` is true, if any."""
    if np.any(bad):
        rows = np.flatnonzero(bad)
        shown = ", ".join(str(i) for i in rows[:5]) + (" ..." if len(rows) > 5 else "")
        raise DataError(f"{len(rows)} row(s) {problem}: rows {shown}")
