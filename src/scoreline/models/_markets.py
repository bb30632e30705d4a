"""Settlement kernels shared by ``ScoreGrid``: tail sums, lines and prices.

Every line market (totals, team totals, Asian handicap) is a threshold ``t``
on an integer random variable ``X`` (total goals, one side's goals, or the goal
difference home minus away). Side 0 backs ``X > t`` (over, or home), side 1
backs ``X < t`` (under, or away). A settlement row is five probabilities::

    (win, half_win, push, half_loss, loss)

A whole ``t = k`` pushes at ``X == k``; a quarter ``t = k + 0.25`` is half a
stake on ``k`` and half on ``k + 0.5``, so ``X == k`` is a half loss for side
0; ``t = k - 0.25`` makes ``X == k`` a half win for side 0. Side 1's row is
side 0's row reversed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from scoreline.domain.markets import parse_line
from scoreline.errors import DataError

__all__ = [
    "LINE_RANGES",
    "SETTLEMENT_OUTCOMES",
    "GridSummary",
    "TailTable",
    "fair_price",
    "line_probabilities",
    "line_threshold",
    "settle",
]

FloatArray = npt.NDArray[np.float64]

SETTLEMENT_OUTCOMES: tuple[str, ...] = ("win", "half_win", "push", "half_loss", "loss")


@dataclass(frozen=True, slots=True)
class TailTable:
    """P(X < v), P(X == v), P(X > v) for every integer v; arrays of shape (m + 2, n).

    Row ``j`` is the value ``first - 1 + j``; values outside the table are
    clipped to its padded edge rows, where the answers are exact (0 or 1).
    Values run along axis 0 so that each row is one contiguous (n,) vector.
    """

    first: int
    below: FloatArray
    equal: FloatArray
    above: FloatArray

    @classmethod
    def from_pmf(cls, pmf: FloatArray, first: int) -> TailTable:
        """Build from an (m, n) pmf on the values ``first .. first + m - 1``."""
        m, n = pmf.shape
        equal = np.zeros((m + 2, n))
        equal[1:-1] = pmf
        below, above = np.empty_like(equal), np.empty_like(equal)
        below[0], above[-1] = 0.0, 0.0
        # Forward and backward sums kept apart, since 1 - cdf would lose small
        # tails; a loop over rows because np.cumsum along axis 0 is ten times slower.
        for j in range(1, m + 2):
            np.add(below[j - 1], equal[j - 1], out=below[j])
            np.add(above[-j], equal[-j], out=above[-j - 1])
        return cls(first=first, below=below, equal=equal, above=above)

    def row(self, value: int) -> int:
        return min(max(value - self.first + 1, 0), int(self.equal.shape[0]) - 1)


@dataclass(frozen=True, slots=True)
class GridSummary:
    """Everything the markets read from a batch of grids, from one matrix product.

    ``tables`` holds ``TailTable``s for "diff" (home minus away), "total",
    "home" and "away" goals; the (n,) arrays are P(both score) and P(win to nil).
    """

    tables: dict[str, TailTable]
    btts_yes: FloatArray
    home_win_to_nil: FloatArray
    away_win_to_nil: FloatArray

    @classmethod
    def from_grid(cls, grid: FloatArray) -> GridSummary:
        """Summarise an (n, g, g) grid."""
        n, g = grid.shape[0], grid.shape[1]
        home, away = (a.ravel() for a in np.indices((g, g)))
        cells = np.arange(g * g)
        # Rows of a 0/1 design matrix, each selecting the cells of one event.
        blocks = {"diff": home - away + g - 1, "total": home + away, "home": home, "away": away}
        design = np.zeros((6 * g + 1, g * g))
        start = 0
        for value in blocks.values():
            design[start + value, cells] = 1.0
            start += int(value.max()) + 1
        design[start] = (home > 0) & (away > 0)
        design[start + 1] = (home > 0) & (away == 0)
        design[start + 2] = (home == 0) & (away > 0)
        sums = design @ grid.reshape(n, g * g).T
        tables, start = {}, 0
        for name, value in blocks.items():
            size = int(value.max()) + 1
            first = 1 - g if name == "diff" else 0
            tables[name] = TailTable.from_pmf(sums[start : start + size], first)
            start += size
        return cls(tables, sums[start], sums[start + 1], sums[start + 2])


def _side_zero(table: TailTable, threshold: Decimal) -> tuple[FloatArray, ...]:
    """Side 0's (win, half_win, push, half_loss, loss), each an (n,) array."""
    zero = np.zeros(table.equal.shape[1])
    if (threshold * 2) % 1 != 0:  # quarter line: k is the nearer whole number
        k = int(threshold.to_integral_value())
        j = table.row(k)
        middle = table.equal[j]
        if threshold > k:
            return table.above[j], zero, zero, middle, table.below[j]
        return table.above[j], middle, zero, zero, table.below[j]
    if threshold % 1 == 0:  # whole line
        j = table.row(int(threshold))
        return table.above[j], zero, table.equal[j], zero, table.below[j]
    j = table.row(math.floor(threshold))  # half line: nothing lands on it
    return table.above[j], zero, zero, zero, table.below[j] + table.equal[j]


def settle(table: TailTable, threshold: Decimal) -> FloatArray:
    """Settlement of both sides of ``X`` against ``threshold``; shape (n, 2, 5).

    The result is a transposed view of a (2, 5, n) array, so that each outcome
    is written as one contiguous vector.
    """
    side = _side_zero(table, threshold)
    out = np.empty((2, 5, table.equal.shape[1]))
    for i, column in enumerate(side):
        out[0, i] = column
        out[1, 4 - i] = column
    return out.transpose(2, 0, 1)


def line_probabilities(table: TailTable, threshold: Decimal) -> FloatArray:
    """Push-free win probability of each side, shape (n, 2), from the tail sums.

    ``q = (W + HW/2) / (W + HW/2 + HL/2 + L)``: the stake-weighted chance of
    winning given the bet is not returned. ``1 / q`` is the fair price, the two
    sides sum to 1, and on a half line q is P(win). NaN where every outcome is
    a push. A transposed view of a (2, n) array.
    """
    win, half_win, _, half_loss, loss = _side_zero(table, threshold)
    out = np.empty((2, table.equal.shape[1]))
    np.add(win, 0.5 * half_win, out=out[0])
    np.add(loss, 0.5 * half_loss, out=out[1])
    with np.errstate(divide="ignore", invalid="ignore"):  # all-push rows become NaN
        out /= out[0] + out[1]
    return out.T


def fair_price(probability: FloatArray) -> FloatArray:
    """Decimal odds ``1 / p``; ``inf`` where p is 0, NaN stays NaN."""
    with np.errstate(divide="ignore"):
        odds: FloatArray = 1.0 / probability
    return odds


# Inclusive line ranges, and the variable each line market settles on.
LINE_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    "over_under": (Decimal("0.5"), Decimal("6.5")),
    "home_total": (Decimal("0.5"), Decimal("6.5")),
    "away_total": (Decimal("0.5"), Decimal("6.5")),
    "asian_handicap": (Decimal("-3.5"), Decimal("3.5")),
}
_VARIABLES = {"over_under": "total", "home_total": "home", "away_total": "away"}


def line_threshold(market: str, value: float | Decimal | None) -> tuple[str, Decimal]:
    """The ``TailTable`` name and side 0's threshold for a line, or a DataError.

    Asian lines are the home handicap: home covers when (home - away) + line > 0,
    so the threshold on the goal difference is ``-line``.
    """
    if market not in LINE_RANGES:
        raise DataError(f"market {market!r} has no line; line markets are {sorted(LINE_RANGES)}")
    low, high = LINE_RANGES[market]
    if value is None:
        raise DataError(f"market {market!r} needs a line between {low} and {high}")
    try:
        line = parse_line(value)
    except (ValueError, ArithmeticError) as exc:  # decimal.InvalidOperation included
        raise DataError(f"{market} line {value!r} is not a multiple of 0.25") from exc
    if not low <= line <= high:
        raise DataError(f"{market} line {value!r} is outside {low} .. {high}")
    if market == "asian_handicap":
        return "diff", -line
    return _VARIABLES[market], line
