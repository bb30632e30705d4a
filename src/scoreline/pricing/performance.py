"""How a betting book has done: returns, closing line value, bankroll and drawdown.

Everything works on settled bets (``SettledBet``), whose money is integer minor
units, as ``settlement.payout_minor`` pays it. Sums of money stay ints; ratios
are ``Decimal``::

    profit          = sum(payout - stake)                   (int, minor units)
    roi = yield     = profit / sum(stake)                   (per unit turned over)
    bankroll_return = profit / initial bankroll             (growth of the bank)
    win_rate        = won / (won + lost)                    (pushes and voids left out)
    clv             = odds / closing_odds - 1, per bet      (mean over bets with a close)
    drawdown        = (running peak - bankroll) / running peak

ROI and yield: in betting usage both mean profit over turnover, and so they are
the same number here (``Performance.yield_`` is ``roi``), as ``bankroll.py``'s
``roi`` is. What a fund would call return on investment, profit over the
money put up, is ``bankroll_return``, given when the starting bankroll is.

Ratios are Decimals worked out in one fixed context (28 significant digits,
half to even), so a caller's decimal context cannot change them. A ratio is
not money and a float would do, but the odds are Decimals already and Decimal
keeps what they say: 2.10 against a close of 2.00 is a CLV of exactly 0.05,
where floats give 0.050000000000000044, and a report checks to the digit.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Literal, get_args

from scoreline.errors import DataError

__all__ = [
    "BankrollPoint",
    "Dimension",
    "DrawdownPoint",
    "Performance",
    "SettledBet",
    "bankroll_series",
    "between",
    "by_dimension",
    "drawdown_series",
    "max_drawdown",
    "summary",
]

Dimension = Literal["competition", "market", "bookmaker"]
BankrollPoint = tuple[datetime, int]
DrawdownPoint = tuple[datetime, Decimal]

_RATIO = Context(prec=28, rounding=ROUND_HALF_EVEN)
_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SettledBet:
    """One settled bet, as the book stores it.

    Attributes
    ----------
    placed_at, settled_at : datetime
        Timezone-aware (UTC), ``placed_at <= settled_at``.
    stake_minor : int
        Stake in minor units, above 0.
    payout_minor : int
        Everything paid back, stake included (``settlement.payout_minor``), at least 0.
    odds : Decimal
        Decimal odds taken, above 1.
    closing_odds : Decimal or None
        The same selection's price at kick-off, from the same bookmaker or the
        book's reference one; None when it was not captured.
    competition, market, bookmaker : str
        Labels to group by (a market is a ``Market`` value, such as ``"1x2"``).

    Raises
    ------
    DataError
        On any value out of range, listing every problem.
    """

    placed_at: datetime
    settled_at: datetime
    stake_minor: int
    payout_minor: int
    odds: Decimal
    closing_odds: Decimal | None
    competition: str
    market: str
    bookmaker: str

    def __post_init__(self) -> None:
        problems = _problems(self)
        if not problems and self.settled_at < self.placed_at:
            problems.append(f"settled_at {self.settled_at} is before placed_at {self.placed_at}")
        if problems:
            raise DataError("SettledBet: " + "; ".join(problems))

    @property
    def profit_minor(self) -> int:
        """Payout less stake: negative for a loss, 0 for a push or void."""
        return self.payout_minor - self.stake_minor

    @property
    def clv(self) -> Decimal | None:
        """``odds / closing_odds - 1``; None without a closing price.

        Against the raw close, margin included, so a bet beating its own
        bookmaker's close is positive. ``kelly.closing_line_value`` measures
        against the de-margined close instead, which is stricter by the margin.
        """
        if self.closing_odds is None:
            return None
        with localcontext(_RATIO):
            return self.odds / self.closing_odds - 1


@dataclass(frozen=True, slots=True)
class Performance:
    """A book's results over some bets.

    Attributes
    ----------
    n_bets : int
    staked_minor, profit_minor : int
        Turnover and net profit, in minor units.
    roi : Decimal or None
        ``profit / staked``, per unit turned over; the same as ``yield_``. None
        when nothing was staked.
    bankroll_return : Decimal or None
        ``profit / initial bankroll``; None unless the initial bankroll was given.
    n_won, n_lost, n_returned : int
        Bets that made a profit (half wins included), made a loss (half losses
        included), and that gave the stake back (push or void).
    win_rate : Decimal or None
        ``n_won / (n_won + n_lost)``. A returned stake is neither, and counting
        it would make the rate depend on how many whole lines were bet. None
        when no bet was won or lost.
    n_with_close : int
        Bets with a closing price; the CLV figures are over these.
    clv_mean : Decimal or None
        Mean of ``odds / closing_odds - 1``, each bet weighted alike (CLV
        measures the price-taking, not the staking). None without closes.
    beat_close_share : Decimal or None
        Share of those bets with odds above the close; a tie does not beat it.
    """

    n_bets: int
    staked_minor: int
    profit_minor: int
    roi: Decimal | None
    bankroll_return: Decimal | None
    n_won: int
    n_lost: int
    n_returned: int
    win_rate: Decimal | None
    n_with_close: int
    clv_mean: Decimal | None
    beat_close_share: Decimal | None

    @property
    def yield_(self) -> Decimal | None:
        """Profit over turnover, the bettor's "yield": the same number as ``roi``."""
        return self.roi


def summary(
    bets: Iterable[SettledBet], *, initial_bankroll_minor: int | None = None
) -> Performance:
    """Totals and ratios of a set of settled bets.

    Parameters
    ----------
    bets : iterable of SettledBet
    initial_bankroll_minor : int, optional
        The bankroll the bets were made from, above 0; gives ``bankroll_return``.

    Raises
    ------
    DataError
        An initial bankroll that is not a whole number above 0.
    """
    bets = list(bets)
    initial = None
    if initial_bankroll_minor is not None:
        initial = _whole(initial_bankroll_minor, "initial_bankroll_minor", minimum=1)
    staked = sum(bet.stake_minor for bet in bets)
    profit = sum(bet.profit_minor for bet in bets)
    n_won = sum(bet.profit_minor > 0 for bet in bets)
    n_lost = sum(bet.profit_minor < 0 for bet in bets)
    clvs = [clv for bet in bets if (clv := bet.clv) is not None]
    with localcontext(_RATIO):  # the sum too, or a caller's context would round it
        clv_total = sum(clvs, _ZERO)
    return Performance(
        n_bets=len(bets),
        staked_minor=staked,
        profit_minor=profit,
        roi=_ratio(profit, staked),
        bankroll_return=None if initial is None else _ratio(profit, initial),
        n_won=n_won,
        n_lost=n_lost,
        n_returned=len(bets) - n_won - n_lost,
        win_rate=_ratio(n_won, n_won + n_lost),
        n_with_close=len(clvs),
        clv_mean=_ratio(clv_total, len(clvs)),
        beat_close_share=_ratio(sum(clv > 0 for clv in clvs), len(clvs)),
    )


def by_dimension(bets: Iterable[SettledBet], key: Dimension) -> dict[str, Performance]:
    """``summary`` of the bets of each competition, market or bookmaker, keys sorted.

    The groups partition the bets, so their counts, stakes and profits add up to
    the whole book's.

    Raises
    ------
    DataError
        An unknown ``key``.
    """
    if key not in get_args(Dimension):
        raise DataError(f"cannot group bets by {key!r}; expected one of {get_args(Dimension)}")
    groups: dict[str, list[SettledBet]] = {}
    for bet in bets:
        groups.setdefault(getattr(bet, key), []).append(bet)
    return {label: summary(groups[label]) for label in sorted(groups)}


def between(
    bets: Iterable[SettledBet], start: datetime | None, end: datetime | None
) -> list[SettledBet]:
    """The bets settled in ``[start, end)``, in their given order; None leaves a side open.

    Half-open, so consecutive periods (months, seasons) share no bet.

    Raises
    ------
    DataError
        A naive bound, or ``start`` after ``end``.
    """
    for name, bound in (("start", start), ("end", end)):
        if bound is not None and bound.tzinfo is None:
            raise DataError(f"{name} must be timezone-aware (UTC), got {bound}")
    if start is not None and end is not None and start > end:
        raise DataError(f"start {start} is after end {end}")
    return [
        bet
        for bet in bets
        if (start is None or bet.settled_at >= start) and (end is None or bet.settled_at < end)
    ]


def bankroll_series(
    bets: Iterable[SettledBet],
    initial_bankroll_minor: int,
    deposits: Sequence[tuple[datetime, int]] = (),
    *,
    opened_at: datetime | None = None,
) -> list[BankrollPoint]:
    """The settled bankroll through time: the opening balance, then after each instant.

    The first point is ``(opened_at, initial_bankroll_minor)``, the state before
    anything happened, so that a first bet lost counts as a drawdown. Then one
    point per distinct time at which bets settled or money moved, ascending,
    with everything at that instant applied: bets of one match often settle
    together, and their order within the instant means nothing.

    A bet moves the bankroll by its profit when it settles; an open stake is not
    taken off when placed, so with bets open the cash on hand is less than shown.

    Parameters
    ----------
    bets : iterable of SettledBet
    initial_bankroll_minor : int
        The bankroll at ``opened_at``, at least 0. For bets cut out with
        ``between``, pass the bankroll at the start of the period.
    deposits : sequence of (datetime, int)
        Money paid in (positive) or withdrawn (negative), in minor units, at
        timezone-aware times. They count towards drawdowns like results do;
        leave them out for the drawdown of the betting alone.
    opened_at : datetime, optional
        When the book opened; by default the earliest ``placed_at`` or deposit.

    Returns
    -------
    list of (datetime, int)
        Empty when there are no bets, no deposits and no ``opened_at``.

    Raises
    ------
    DataError
        A negative or non-whole initial bankroll, a deposit that is not
        ``(aware datetime, int)``, or an event before ``opened_at``.
    """
    bets = list(bets)
    initial = _whole(initial_bankroll_minor, "initial_bankroll_minor", minimum=0)
    moves = _deposits(deposits)
    events = [(bet.settled_at, bet.profit_minor) for bet in bets] + moves
    if opened_at is None:
        starts = [bet.placed_at for bet in bets] + [at for at, _ in moves]
        if not starts:
            return []
        opened_at = min(starts)
    elif opened_at.tzinfo is None:
        raise DataError(f"opened_at must be timezone-aware (UTC), got {opened_at}")
    early = [at for at, _ in events if at < opened_at]
    if early:
        raise DataError(
            f"{len(early)} bet(s) or deposit(s) before opened_at {opened_at}, "
            f"the first at {min(early)}"
        )
    series: list[BankrollPoint] = [(opened_at, initial)]
    balance = initial
    for at, group in itertools.groupby(sorted(events, key=_time), key=_time):
        balance += sum(change for _, change in group)
        series.append((at, balance))
    return series


def drawdown_series(series: Sequence[BankrollPoint]) -> list[DrawdownPoint]:
    """The fall below the running peak at each point, as a fraction of that peak.

    0 at a new high; 0.25 a quarter below the best so far; above 1 once a
    bankroll that had been positive is below 0. Where the peak is 0 or less the
    fraction has no meaning and is given as 0, as ``bankroll.max_drawdown`` does.
    """
    points: list[DrawdownPoint] = []
    peak: int | None = None
    for at, value in series:
        peak = value if peak is None else max(peak, value)
        points.append((at, _divide(peak - value, peak) if peak > 0 else _ZERO))
    return points


def max_drawdown(series: Sequence[BankrollPoint]) -> Decimal:
    """The largest fall below a running peak, as a fraction of it; 0 for an empty series."""
    return max((fraction for _, fraction in drawdown_series(series)), default=_ZERO)


def _time(event: tuple[datetime, int]) -> datetime:
    return event[0]


def _ratio(numerator: int | Decimal, denominator: int) -> Decimal | None:
    """``numerator / denominator``; None when dividing by 0 (nothing to measure)."""
    return None if denominator == 0 else _divide(numerator, denominator)


def _divide(numerator: int | Decimal, denominator: int) -> Decimal:
    with localcontext(_RATIO):
        return Decimal(numerator) / Decimal(denominator)


def _whole(value: int, name: str, *, minimum: int) -> int:
    try:
        number = operator.index(value)
    except TypeError as exc:
        raise DataError(f"{name} must be whole minor units, got {value!r}") from exc
    if isinstance(value, bool) or number < minimum:
        raise DataError(f"{name} must be a whole number at least {minimum}, got {value!r}")
    return number


def _deposits(deposits: Sequence[tuple[datetime, int]]) -> list[tuple[datetime, int]]:
    checked = []
    for i, (at, amount) in enumerate(deposits):
        if not isinstance(at, datetime) or at.tzinfo is None:
            raise DataError(f"deposit {i}: time must be a timezone-aware datetime, got {at!r}")
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise DataError(f"deposit {i}: amount must be whole minor units, got {amount!r}")
        checked.append((at, amount))
    return checked


def _problems(bet: SettledBet) -> list[str]:
    """Every out-of-range field of a bet, so one error lists them all."""
    problems = [
        f"{name} must be timezone-aware (UTC)"
        for name in ("placed_at", "settled_at")
        if getattr(bet, name).tzinfo is None
    ]
    for name, minimum in (("stake_minor", 1), ("payout_minor", 0)):
        value = getattr(bet, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            problems.append(f"{name} must be a whole number at least {minimum}, got {value!r}")
    for name in ("odds", "closing_odds"):
        odds = getattr(bet, name)
        if name == "closing_odds" and odds is None:
            continue
        if not isinstance(odds, Decimal) or not odds.is_finite() or odds <= 1:
            problems.append(f"{name} must be a finite Decimal above 1, got {odds!r}")
    return problems
