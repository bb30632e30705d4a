"""The market's consensus 1X2 price: the one rule training features and live serving share.

A match's market view is read from the prices quoted for it, in this order:

1. the sharp book's (Pinnacle, ``domain.bookmakers.SHARP``) where its three
   prices are valid (finite and above 1);
2. else the market average ``AVG`` where valid;
3. else the mean of the valid prices of real bookmakers (``MAX`` and ``AVG``
   are market figures, not bookmakers, and stay out).

Its margin is removed by the power method. The market features are the three
de-margined probabilities, the overround ``sum(1 / price) - 1`` and whether
the sharp book's prices were used; NaN when nothing valid is quoted.

Steps 2 and 3 are ``average_price``, steps 1 and the de-margining are
``market_features``. Training reads the files (``services.history`` fills the
``ps_*`` and ``avg_*`` columns, ``models.features`` calls ``market_features``);
the live worker keeps each bookmaker's latest prices (``models.feature_table.
MarketBook``) and calls the same two functions, so a model is served the
features it was trained on.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from scoreline.domain.bookmakers import AVERAGE, is_bookmaker
from scoreline.pricing.devig import remove_margin

__all__ = [
    "MARKET_FEATURES",
    "Triple",
    "average_price",
    "is_valid",
    "line_probability",
    "market_features",
]

FloatArray = npt.NDArray[np.float64]
Triple = tuple[float, float, float]
"""Decimal 1X2 prices: home, draw, away."""

MARKET_FEATURES = (
    "market_home",
    "market_draw",
    "market_away",
    "market_overround",
    "market_is_pinnacle",
)
"""The columns ``market_features`` returns, in order."""


def is_valid(prices: Triple) -> bool:
    """Whether all three prices are finite decimal odds above 1 (a price one can bet at)."""
    return all(math.isfinite(p) and p > 1.0 for p in prices)


def average_price(books: Mapping[str, Triple]) -> Triple | None:
    """The market average of one match from each code's 1X2 prices: ``AVG`` where valid, else
    the mean of the bookmakers' valid prices; None when there are none.

    ``books`` maps a bookmaker code (``PS``, ``B365``, ``AVG``...) to its prices.
    """
    average = books.get(AVERAGE)
    if average is not None and is_valid(average):
        return average
    valid = [p for code, p in books.items() if is_bookmaker(code) and is_valid(p)]
    if not valid:
        return None
    n = len(valid)
    return (
        sum(p[0] for p in valid) / n,
        sum(p[1] for p in valid) / n,
        sum(p[2] for p in valid) / n,
    )


def market_features(sharp: npt.ArrayLike, average: npt.ArrayLike) -> FloatArray:
    """The market features of ``n`` matches, shape (n, 5), columns ``MARKET_FEATURES``.

    Parameters
    ----------
    sharp : array-like of shape (n, 3)
        The sharp book's prices; NaN where it quotes none.
    average : array-like of shape (n, 3)
        ``average_price`` of each match; NaN where there is none.

    Returns
    -------
    ndarray of shape (n, 5)
        Home, draw and away probabilities de-margined by the power method, the
        overround and 1.0 when the sharp prices were used (0.0 the average); the
        whole row NaN when neither is valid.
    """
    sharp_odds = np.asarray(sharp, dtype=np.float64).reshape(-1, 3)
    average_odds = np.asarray(average, dtype=np.float64).reshape(-1, 3)
    is_sharp = _valid_rows(sharp_odds)
    priced = is_sharp | _valid_rows(average_odds)
    out = np.full((len(sharp_odds), len(MARKET_FEATURES)), np.nan)
    if not priced.any():
        return out
    odds = np.where(is_sharp[:, None], sharp_odds, average_odds)[priced]
    out[priced, :3] = remove_margin(odds, method="power")
    out[priced, 3] = (1.0 / odds).sum(axis=1) - 1.0
    out[priced, 4] = is_sharp[priced].astype(np.float64)
    return out


def line_probability(sharp: npt.ArrayLike, average: npt.ArrayLike) -> FloatArray:
    """Side 0's de-margined probability (over, or home) of a two-way line market, shape (n,).

    The 1X2's rule on a pair of prices: the sharp book's two prices where both
    are valid, else the market average's, de-margined by the power method; NaN
    where neither pair is valid. ``sharp`` and ``average`` have shape (n, 2).
    """
    sharp_odds = np.asarray(sharp, dtype=np.float64).reshape(-1, 2)
    average_odds = np.asarray(average, dtype=np.float64).reshape(-1, 2)
    is_sharp = _valid_rows(sharp_odds)
    priced = is_sharp | _valid_rows(average_odds)
    out = np.full(len(sharp_odds), np.nan)
    if priced.any():
        odds = np.where(is_sharp[:, None], sharp_odds, average_odds)[priced]
        out[priced] = remove_margin(odds, method="power")[:, 0]
    return out


def _valid_rows(odds: FloatArray) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore"):
        return np.asarray(np.all(np.isfinite(odds) & (odds > 1.0), axis=1), dtype=np.bool_)
