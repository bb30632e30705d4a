"""95% confidence intervals for a book's CLV: of a mean (Student t) and of a share (Wilson).

Mean CLV uses the t-interval ``mean ± t(0.975, n-1) · s / sqrt(n)``: CLV of a
bet is a bounded, roughly symmetric number, and over tens of bets the t
interval is what a reader expects. The share of bets beating the close uses
the Wilson score interval (E. B. Wilson, "Probable inference, the law of
succession, and statistical inference", JASA 22, 1927), which stays inside
[0, 1] and keeps its coverage near 0 and 1, where the textbook normal
("Wald") interval collapses to a point (L. D. Brown, T. T. Cai and A.
DasGupta, "Interval Estimation for a Binomial Proportion", Statistical
Science 16, 2001).

The t quantile is a table for 1 to 30 degrees of freedom and, beyond, the
Cornish-Fisher expansion in the normal quantile (Abramowitz and Stegun 26.7.5),
which is within 1e-7 of the exact value there: no statistics library is loaded
for two numbers.

``bootstrap_mean_interval`` is the percentile bootstrap (B. Efron and R.
Tibshirani, "An Introduction to the Bootstrap", 1993, ch. 13) of the mean of
float values, such as the per-match difference of two forecasts' scores: the
pairing is kept by resampling the differences, not each forecast's scores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "ConfidenceInterval",
    "bootstrap_mean_interval",
    "mean_interval",
    "share_interval",
    "t_quantile_975",
]

_RATIO = Context(prec=28, rounding=ROUND_HALF_EVEN)
Z_975 = 1.959963984540054
"""The standard normal's 97.5% quantile."""

# t(0.975, df) for df = 1..30, to six places
_T_975 = (
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004,
    2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905,
    2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899,
    2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A 95% interval ``[low, high]`` and how it was made (``"t"`` or ``"wilson"``)."""

    low: Decimal
    high: Decimal
    method: Literal["t", "wilson"]


def t_quantile_975(df: int) -> float:
    """Student's t 97.5% quantile with ``df`` degrees of freedom (at least 1)."""
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {df}")
    if df <= len(_T_975):
        return _T_975[df - 1]
    z, v = Z_975, float(df)
    return (
        z
        + (z**3 + z) / (4 * v)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * v**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * v**3)
        + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * v**4)
    )


def mean_interval(values: Sequence[Decimal]) -> ConfidenceInterval | None:
    """The t-interval of the mean of ``values``; None with fewer than two (no spread to see)."""
    n = len(values)
    if n < 2:
        return None
    with localcontext(_RATIO):
        mean = sum(values, Decimal(0)) / n
        variance = sum(((v - mean) ** 2 for v in values), Decimal(0)) / (n - 1)
        half = Decimal(repr(t_quantile_975(n - 1))) * (variance / n).sqrt()
        return ConfidenceInterval(mean - half, mean + half, "t")


def share_interval(successes: int, n: int) -> ConfidenceInterval | None:
    """The Wilson score interval of ``successes / n``; None when ``n`` is 0."""
    if n <= 0:
        return None
    with localcontext(_RATIO):
        z = Decimal(repr(Z_975))
        share = Decimal(successes) / n
        z2n = z * z / n
        centre = (share + z2n / 2) / (1 + z2n)
        half = z / (1 + z2n) * (share * (1 - share) / n + z2n / (4 * n)).sqrt()
        # At 0 and n successes the bounds are exactly 0 and 1; rounding must not move them.
        low = Decimal(0) if successes == 0 else max(centre - half, Decimal(0))
        high = Decimal(1) if successes == n else min(centre + half, Decimal(1))
        return ConfidenceInterval(low, high, "wilson")


def bootstrap_mean_interval(
    values: npt.ArrayLike, *, seed: int, n_resamples: int = 2000
) -> tuple[float, float] | None:
    """95% percentile bootstrap interval of the mean of ``values``; None when there are none.

    Resamples the values with replacement ``n_resamples`` times (seeded, so the
    same seed gives the same interval) in chunks that keep memory near 16 MB.
    """
    array = np.asarray(values, dtype=np.float64).ravel()
    m = len(array)
    if m == 0:
        return None
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // m)
    means = np.empty(n_resamples)
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        means[start:stop] = array[rng.integers(0, m, size=(stop - start, m))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return (float(low), float(high))
