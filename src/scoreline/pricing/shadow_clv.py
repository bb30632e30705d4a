"""Shadow closing-line value: would the model's fair prices have beaten the close?

A shadow bet is one the book records without placing. Here every prediction
places one on each selection it rates above the market at the moment it was
made, and the bet is struck at the model's own fair price. Precisely, for a
selection with model probability ``p`` (fair odds ``1 / p``), the sharp book's
pre-match probability ``q`` at the prediction's moment and its closing
probability ``c``, both de-margined by ``devig.remove_margin``'s default
(power) method::

    backed  = p > q                                   (a positive edge against
                                                       the market's fair price)
    clv     = (1 / p) / (1 / c) - 1 = c / p - 1       (``kelly.closing_line_value``
                                                       of the price 1 / p)

So a CLV of +2% says the close made the selection 2% likelier than the model
did; negative, the market closed short of the model's view. Selections the
model rates at or below the market are not bets and are left out: a model that
agrees with the market has nothing to prove.

Aggregates give the mean CLV with its 95% t-interval (``intervals.mean_interval``)
and the number of bets needed to prove an edge of that size: the ``n`` at which
the interval's half-width ``z · sd / sqrt(n)`` equals ``|mean|`` with
``z = 1.96``, that is ``n = (z · sd / mean)^2`` rounded up. Fewer bets cannot
tell an edge of that size from none at 95%; more narrows the interval further.

Edge decay is the same figure by time to kick-off (``TIME_BUCKETS``): an edge
the market has priced in by the close shows as CLV falling towards zero as the
prediction is made nearer the kick-off.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from scoreline.errors import DataError
from scoreline.pricing.intervals import Z_975, mean_interval
from scoreline.pricing.kelly import closing_line_value

__all__ = [
    "TIME_BUCKETS",
    "ShadowBets",
    "ShadowClv",
    "bets_needed",
    "by_group",
    "shadow_bets",
    "summarise",
    "time_bucket",
]

FloatArray = npt.NDArray[np.float64]

TIME_BUCKETS: tuple[str, ...] = (">24h", "6-24h", "1-6h", "<1h")
"""Hours from the prediction to kick-off, earliest first: (24, inf), (6, 24], (1, 6], [0, 1]."""
_BUCKET_EDGES_HOURS = (24.0, 6.0, 1.0)


@dataclass(frozen=True, slots=True)
class ShadowBets:
    """The shadow bets of ``n`` predictions of a ``k``-way market.

    Attributes
    ----------
    backed : bool array of shape (n, k)
        Where the model's probability is above the pre-match market's and the
        close is known.
    clv : array of shape (n, k)
        ``close / model - 1``; NaN where not backed.
    """

    backed: npt.NDArray[np.bool_]
    clv: FloatArray


@dataclass(frozen=True, slots=True)
class ShadowClv:
    """Mean shadow CLV of some bets, its 95% interval and the bets needed to prove it.

    ``ci95_low``/``ci95_high`` are None with fewer than two bets; ``bets_needed``
    is None when the mean is zero or there is no spread to measure.
    """

    n_bets: int
    mean: float | None
    ci95_low: float | None
    ci95_high: float | None
    bets_needed: int | None


def shadow_bets(model: npt.ArrayLike, prematch: npt.ArrayLike, close: npt.ArrayLike) -> ShadowBets:
    """The selections each prediction backs and their CLV against the close.

    Parameters
    ----------
    model, prematch, close : array-like of shape (n, k)
        The model's probabilities, and the market's de-margined pre-match (at
        the prediction's moment) and closing probabilities; a market's row may
        be NaN where it had no price, and such a row backs nothing.

    Raises
    ------
    DataError
        Arrays of different shapes, or a model probability outside [0, 1] (a
        probability of 0 backs nothing: no market price is below it).
    """
    p = np.asarray(model, dtype=np.float64)
    q = np.asarray(prematch, dtype=np.float64)
    c = np.asarray(close, dtype=np.float64)
    if p.ndim != 2 or p.shape != q.shape or p.shape != c.shape:
        raise DataError(
            f"model, prematch and close must share a shape (n, k), got {p.shape}, {q.shape}, "
            f"{c.shape}"
        )
    if not ((p >= 0) & (p <= 1)).all():
        raise DataError("model probabilities must lie in [0, 1]")
    priced = np.asarray(np.isfinite(q).all(axis=1) & np.isfinite(c).all(axis=1), dtype=np.bool_)
    with np.errstate(invalid="ignore"):
        backed = np.asarray(priced[:, None] & np.greater(p, q), dtype=np.bool_)
    fair_odds = 1.0 / np.where(backed, p, 1.0)
    clv = np.where(backed, closing_line_value(fair_odds, np.where(backed, c, 0.0)), np.nan)
    return ShadowBets(backed=backed, clv=clv)


def bets_needed(mean: float, sd: float) -> int | None:
    """``ceil((1.96 · sd / mean)^2)``: bets for a 95% interval of half-width ``|mean|``.

    None when the mean is zero (no edge to prove) or the spread is unknown.
    """
    if mean == 0 or not math.isfinite(mean) or not math.isfinite(sd):
        return None
    return max(1, math.ceil((Z_975 * sd / mean) ** 2 - 1e-9))


def summarise(clv: npt.ArrayLike) -> ShadowClv:
    """Mean, 95% t-interval and bets needed of some bets' CLVs (NaNs are not bets)."""
    values = np.asarray(clv, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return ShadowClv(0, None, None, None, None)
    mean = float(values.mean())
    if n < 2:
        return ShadowClv(n, mean, None, None, None)
    interval = mean_interval([Decimal(repr(float(v))) for v in values])
    assert interval is not None  # two values or more always have one
    sd = float(values.std(ddof=1))
    return ShadowClv(
        n_bets=n,
        mean=mean,
        ci95_low=float(interval.low),
        ci95_high=float(interval.high),
        bets_needed=bets_needed(mean, sd),
    )


def by_group(
    clv: npt.ArrayLike, labels: Mapping[str, Sequence[str] | npt.ArrayLike]
) -> list[tuple[dict[str, str], ShadowClv]]:
    """``summarise`` per distinct combination of labels, in sorted order of the labels.

    ``clv`` has shape (m,), one value per bet (NaN ones are dropped); each
    ``labels`` entry gives every bet's label on one dimension, such as
    ``{"league": [...], "market": [...], "bucket": [...]}``.
    """
    values = np.asarray(clv, dtype=np.float64).ravel()
    names = list(labels)
    columns = [np.asarray(labels[name], dtype=str).ravel() for name in names]
    for name, column in zip(names, columns, strict=True):
        if column.shape != values.shape:
            raise DataError(f"labels {name!r} has {column.shape[0]} values for {len(values)} bets")
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, key in enumerate(zip(*columns, strict=True)):
        groups.setdefault(tuple(key), []).append(i)
    order = {bucket: i for i, bucket in enumerate(TIME_BUCKETS)}
    return [
        (dict(zip(names, key, strict=True)), summarise(values[groups[key]]))
        for key in sorted(groups, key=lambda k: tuple((order.get(v, -1), v) for v in k))
    ]


def time_bucket(hours_before: npt.ArrayLike) -> npt.NDArray[np.str_]:
    """Each prediction's ``TIME_BUCKETS`` label from its hours before kick-off (>= 0).

    Raises
    ------
    DataError
        A negative or non-finite number of hours (a prediction made after kick-off
        is not a pre-match price and has no place here).
    """
    hours = np.asarray(hours_before, dtype=np.float64).ravel()
    if not (np.isfinite(hours) & (hours >= 0)).all():
        raise DataError("hours before kick-off must be finite and at least 0")
    index = (hours <= _BUCKET_EDGES_HOURS[0]).astype(int)
    index += hours <= _BUCKET_EDGES_HOURS[1]
    index += hours <= _BUCKET_EDGES_HOURS[2]
    labels: npt.NDArray[np.str_] = np.asarray(TIME_BUCKETS, dtype=str)[index]
    return labels
