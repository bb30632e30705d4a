"""A bankroll betting through time: day by day, in whole minor units.

``simulate`` walks the candidate bets date by date::

    for each date, in order:
        stakes  = kelly.stakes(that day's bets, bankroll at the start of the day)
        profit  = stake * (price - 1) rounded down if won, else -stake
        bankroll += sum(profit)

All money (bankroll, stakes, profit) is integer minor units (cents). Prices
are read to four decimal places (bookmakers quote two or three), so a win pays
``stake * (price_e4 - 10000) // 10000`` exactly, in Python integers: the
fraction of a cent is dropped, as a bookmaker paying whole cents would.
Ratios (ROI, drawdown fraction, CLV) are floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from scoreline.errors import DataError
from scoreline.pricing import kelly
from scoreline.pricing._rows import check_rows

__all__ = ["BankrollResult", "BetCandidates", "BetTable", "Drawdown", "max_drawdown", "simulate"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_PRICE_SCALE = 10_000  # prices are read to 4 decimal places


@dataclass(frozen=True, slots=True, eq=False)
class BetCandidates:
    """Candidate value bets, one per row; every array of shape (m,).

    Build from array-likes with ``from_columns``; the constructor takes arrays.

    Attributes
    ----------
    match_id : array
        The fixture; rows of one fixture are outcomes of one market.
    date : array
        The day the bet is placed and settled; datetimes are cut to the day.
    outcome : array of int
        Outcome index in the market (for 1X2: 0 home, 1 draw, 2 away).
    probability : array of float
        Our probability of the outcome.
    price : array of float
        Decimal price taken, above 1.
    closing_probability : array of float
        De-margined closing probability of the outcome; NaN where unknown.
    won : array of bool
        Whether the outcome happened.

    Raises
    ------
    DataError
        On arrays of different lengths, bad values (rows named), or a
        (match_id, outcome) pair given twice.
    """

    match_id: npt.NDArray[Any]
    date: npt.NDArray[Any]
    outcome: IntArray
    probability: FloatArray
    price: FloatArray
    closing_probability: FloatArray
    won: BoolArray

    @classmethod
    def from_columns(cls, columns: Mapping[str, npt.ArrayLike]) -> BetCandidates:
        """Candidates from a mapping of column name to values (e.g. a frame's columns)."""
        missing = [f.name for f in fields(cls) if f.name not in columns]
        if missing:
            raise DataError(f"bet candidates are missing column(s) {missing}")
        date = np.asarray(columns["date"])
        if np.issubdtype(date.dtype, np.datetime64):
            date = date.astype("datetime64[D]")
        outcome = np.asarray(columns["outcome"])  # an empty list arrives as float
        won = np.asarray(columns["won"])
        if won.dtype != np.bool_ and np.isin(won, [0, 1]).all():
            won = won.astype(np.bool_)
        return cls(
            match_id=np.asarray(columns["match_id"]),
            date=date,
            outcome=outcome.astype(np.int64) if outcome.size == 0 else outcome,
            probability=np.asarray(columns["probability"], dtype=np.float64),
            price=np.asarray(columns["price"], dtype=np.float64),
            closing_probability=np.asarray(columns["closing_probability"], dtype=np.float64),
            won=won,
        )

    def __post_init__(self) -> None:
        shapes = {f.name: np.shape(getattr(self, f.name)) for f in fields(self)}
        if len(set(shapes.values())) != 1 or len(shapes["date"]) != 1:
            raise DataError(f"bet candidate columns must be 1-D of one length, got {shapes}")
        if not np.issubdtype(self.outcome.dtype, np.integer):
            raise DataError(f"outcome must be integer indices, got {self.outcome.dtype}")
        if self.won.dtype != np.bool_:
            raise DataError(f"won must be booleans, got {self.won.dtype}")
        p, close = self.probability, self.closing_probability
        check_rows(~((p >= 0) & (p <= 1)), "has a probability outside [0, 1] or NaN")
        check_rows(~(np.isfinite(self.price) & (self.price > 1)), "has a price not above 1")
        check_rows(~(np.isnan(close) | ((close >= 0) & (close <= 1))), "has a bad closing p")
        pairs = set(zip(self.match_id.tolist(), self.outcome.tolist(), strict=True))
        if len(pairs) != len(self.outcome):
            raise DataError("a (match_id, outcome) pair is given twice; one row per bet")


@dataclass(frozen=True, slots=True, eq=False)
class BetTable:
    """Every candidate's fate, aligned with the input rows; arrays of shape (m,).

    ``stake_minor`` is 0 where nothing was bet (no edge, capped to under a
    cent, or a bust bankroll); then ``profit_minor`` is 0 too. ``clv`` is
    ``price * closing_probability - 1`` for every row, NaN where the close is unknown.
    """

    stake_minor: IntArray
    profit_minor: IntArray
    clv: FloatArray


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The largest falls of a bankroll from a running peak.

    ``amount_minor`` is the largest fall in minor units and ``fraction`` the
    largest fall as a share of its peak; they can come from different peaks
    (a small early bankroll loses a larger share of less money).
    """

    amount_minor: int
    fraction: float


@dataclass(frozen=True, slots=True, eq=False)
class BankrollResult:
    """What a staking policy did to a bankroll.

    Attributes
    ----------
    n_bets, staked_minor, profit_minor : int
        Bets placed (stake > 0), their total stake and total profit.
    final_bankroll_minor : int
    roi : float
        ``profit / staked`` (the "yield" of tipsters); NaN when nothing was staked.
    roi_ci95 : tuple of float
        Bootstrap 95% percentile interval of the ROI (bets resampled with
        replacement); NaNs when nothing was staked.
    bankroll_return : float
        ``profit / initial bankroll``, the growth of the bankroll.
    max_drawdown : Drawdown
    dates : array of shape (n_days,)
        Each date with candidates, ascending.
    bankroll_minor, drawdown_minor : int arrays of shape (n_days,)
        Bankroll at the end of each date, and its fall below the running peak
        (the initial bankroll counts as the first peak).
    drawdown_fraction : float array of shape (n_days,)
        The fall as a share of the running peak.
    bets : BetTable
    clv_mean, clv_positive_share : float
        Mean CLV of the bets placed, and the share of them with CLV > 0, over
        bets with a known close; NaN when there are none.
    """

    n_bets: int
    staked_minor: int
    profit_minor: int
    final_bankroll_minor: int
    roi: float
    roi_ci95: tuple[float, float]
    bankroll_return: float
    max_drawdown: Drawdown
    dates: npt.NDArray[Any]
    bankroll_minor: IntArray
    drawdown_minor: IntArray
    drawdown_fraction: FloatArray
    bets: BetTable
    clv_mean: float
    clv_positive_share: float


def simulate(
    bets: BetCandidates,
    *,
    initial_bankroll_minor: int,
    policy: kelly.StakingPolicy,
    n_resamples: int = 2000,
    seed: int | np.random.Generator = 0,
) -> BankrollResult:
    """Bet the candidates date by date under ``policy`` and account for every cent.

    Parameters
    ----------
    bets : BetCandidates
    initial_bankroll_minor : int
        Starting bankroll in minor units, above 0.
    policy : StakingPolicy
        Stakes of a date all come from the bankroll at its start, so the
        exposure cap covers the whole date.
    n_resamples : int, default 2000
        Bootstrap resamples for ``roi_ci95``.
    seed : int or numpy Generator, default 0
        Seeds the bootstrap; the same seed gives the same interval.

    Raises
    ------
    DataError
        A bankroll that is not a whole number of minor units above 0, or fewer
        than one resample.
    """
    if isinstance(initial_bankroll_minor, bool) or not isinstance(
        initial_bankroll_minor, int | np.integer
    ):
        raise DataError(
            f"initial_bankroll_minor must be whole minor units, got {initial_bankroll_minor!r}"
        )
    if initial_bankroll_minor <= 0:
        raise DataError(f"initial_bankroll_minor must be above 0, got {initial_bankroll_minor}")
    if n_resamples < 1:
        raise DataError(f"n_resamples must be at least 1, got {n_resamples}")

    dates, day = np.unique(bets.date, return_inverse=True)
    day = day.ravel()
    price_e4 = np.rint(bets.price * _PRICE_SCALE).astype(np.int64)
    stake = np.zeros(len(day), dtype=np.int64)
    profit = np.zeros(len(day), dtype=np.int64)
    bankroll = np.zeros(len(dates), dtype=np.int64)
    current = int(initial_bankroll_minor)
    by_day = np.split(np.argsort(day, kind="stable"), np.cumsum(np.bincount(day))[:-1])
    if len(dates) == 0:
        by_day = []  # np.split of nothing still gives one (empty) piece
    for index, rows in enumerate(by_day):
        stake[rows] = kelly.stakes(
            bets.probability[rows],
            bets.price[rows],
            fixture_ids=bets.match_id[rows],
            bankroll_minor=current,
            policy=policy,
        )
        profit[rows] = _settle(stake[rows], price_e4[rows], bets.won[rows])
        current += int(profit[rows].sum())
        bankroll[index] = current

    clv = kelly.closing_line_value(bets.price, bets.closing_probability)
    return _summarise(
        BetTable(stake, profit, clv),
        dates,
        bankroll,
        initial_bankroll_minor=int(initial_bankroll_minor),
        rng=np.random.default_rng(seed),
        n_resamples=n_resamples,
    )


def _settle(stake: IntArray, price_e4: IntArray, won: BoolArray) -> list[int]:
    """Profit of each bet in minor units: winnings rounded down, or the stake lost."""
    return [
        s * (q - _PRICE_SCALE) // _PRICE_SCALE if w else -s
        for s, q, w in zip(stake.tolist(), price_e4.tolist(), won.tolist(), strict=True)
    ]


def _summarise(
    table: BetTable,
    dates: npt.NDArray[Any],
    bankroll: IntArray,
    *,
    initial_bankroll_minor: int,
    rng: np.random.Generator,
    n_resamples: int,
) -> BankrollResult:
    placed = table.stake_minor > 0
    staked = int(table.stake_minor.sum())
    profit = int(table.profit_minor.sum())
    path = np.concatenate([[initial_bankroll_minor], bankroll])
    peak = np.maximum.accumulate(path)[1:]
    clv = table.clv[placed & ~np.isnan(table.clv)]
    return BankrollResult(
        n_bets=int(placed.sum()),
        staked_minor=staked,
        profit_minor=profit,
        final_bankroll_minor=int(path[-1]),
        roi=profit / staked if staked else float("nan"),
        roi_ci95=_roi_interval(
            table.stake_minor[placed], table.profit_minor[placed], rng, n_resamples
        ),
        bankroll_return=profit / initial_bankroll_minor,
        max_drawdown=max_drawdown(path),
        dates=dates,
        bankroll_minor=bankroll,
        drawdown_minor=peak - bankroll,
        drawdown_fraction=(peak - bankroll) / peak,
        bets=table,
        clv_mean=float(clv.mean()) if len(clv) else float("nan"),
        clv_positive_share=float((clv > 0).mean()) if len(clv) else float("nan"),
    )


def _roi_interval(
    stake: IntArray, profit: IntArray, rng: np.random.Generator, n_resamples: int
) -> tuple[float, float]:
    """95% percentile interval of sum(profit) / sum(stake) over bootstrap resamples of bets."""
    m = len(stake)
    if m == 0:
        return (float("nan"), float("nan"))
    # Resample in chunks so memory stays near 16 MB however many bets there are.
    chunk = max(1, 2_000_000 // m)
    rois = np.empty(n_resamples)
    for start in range(0, n_resamples, chunk):
        stop = min(start + chunk, n_resamples)
        picks = rng.integers(0, m, size=(stop - start, m))
        rois[start:stop] = profit[picks].sum(axis=1) / stake[picks].sum(axis=1)
    low, high = np.percentile(rois, [2.5, 97.5])
    return (float(low), float(high))


def max_drawdown(series: npt.ArrayLike) -> Drawdown:
    """Largest peak-to-trough falls of a bankroll series in minor units.

    Parameters
    ----------
    series : array-like of int, shape (n,)
        Bankroll values in time order, in minor units. A peak at or below 0
        gives a fraction of 0.

    Raises
    ------
    DataError
        On a series that is not 1-D whole numbers.
    """
    values = np.asarray(series)
    if values.ndim != 1 or not np.issubdtype(values.dtype, np.integer):
        raise DataError(
            f"max_drawdown needs a 1-D series of whole minor units, got {values.dtype} "
            f"of shape {values.shape}"
        )
    if len(values) == 0:
        return Drawdown(0, 0.0)
    values = values.astype(np.int64)
    peak = np.maximum.accumulate(values)
    fall = peak - values
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(peak > 0, fall / peak, 0.0)
    return Drawdown(int(fall.max()), float(share.max()))
