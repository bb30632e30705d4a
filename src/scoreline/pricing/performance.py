"""How a book's bets have done: profit, yield, CLV with its uncertainty, expected profit.

Everything works on settled bets (``SettledBet``), whose money is integer minor
units, as ``settlement.payout_minor`` pays it. Sums of money stay ints; ratios
are ``Decimal``::

    profit           = sum(payout - stake)                 (int, minor units)
    yield            = profit / sum(stake)                 (per unit staked)
    roi              = time-weighted return on the capital (``equity``; given by the caller)
    win_rate         = won / (won + lost)                  (pushes and voids left out)
    clv              = odds / closing_odds - 1, per bet    (mean, with a 95% t-interval)
    beat_close_share = share of bets with clv > 0          (with a 95% Wilson interval)
    expected_profit  = sum(stake * (p * odds - 1))         (p: our probability at placement)

Yield and ROI answer different questions. Yield is what each unit staked made,
whatever the size of the bank; ROI is what the capital made, chained over the
periods between deposits and withdrawals so that paying money in is not a
return (``pricing.equity``). A book staking 10% of its bank a week at a 5%
yield grows by about 0.5% a week; a deposit halfway changes the ROI's base, not
the yield. Expected profit beside profit tells skill from luck: over many bets
a real edge shows in both, a lucky run only in the second.

Ratios are Decimals worked out in one fixed context (28 significant digits,
half to even), so a caller's decimal context cannot change them. A ratio is
not money and a float would do, but the odds are Decimals already and Decimal
keeps what they say: 2.10 against a close of 2.00 is a CLV of exactly 0.05,
where floats give 0.050000000000000044, and a report checks to the digit.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Literal, get_args

from scoreline.errors import DataError
from scoreline.pricing import kelly
from scoreline.pricing.intervals import ConfidenceInterval, mean_interval, share_interval

__all__ = [
    "Dimension",
    "Performance",
    "SettledBet",
    "between",
    "by_dimension",
    "price_clv",
    "summary",
]

Dimension = Literal["competition", "market", "bookmaker"]

_RATIO = Context(prec=28, rounding=ROUND_HALF_EVEN)
_ZERO = Decimal(0)


def price_clv(odds: Decimal, closing_odds: Decimal) -> Decimal:
    """Closing line value against the raw close: ``odds / closing_odds - 1``, in the fixed
    ratio context; the one formula the performance report and the bet history share."""
    with localcontext(_RATIO):
        return odds / closing_odds - 1


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
    probability : float or None
        Our probability of the selection when the bet was placed (the audit
        snapshot's prediction); None when it is not on record.

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
    probability: float | None = None

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
        return None if self.closing_odds is None else price_clv(self.odds, self.closing_odds)

    @property
    def expected_profit(self) -> Decimal | None:
        """``stake * (p * odds - 1)`` in minor units, unrounded: what the bet was worth
        when placed, by our own probability; None without one."""
        if self.probability is None:
            return None
        with localcontext(_RATIO):
            return self.stake_minor * kelly.money_edge(self.probability, self.odds)


@dataclass(frozen=True, slots=True)
class Performance:
    """A book's results over some bets.

    Attributes
    ----------
    n_bets : int
    staked_minor, profit_minor : int
        Turnover and net profit, in minor units.
    yield_ : Decimal or None
        ``profit / staked``, per unit staked. None when nothing was staked.
    roi : Decimal or None
        The time-weighted return on the book's capital over the same range
        (``equity.time_weighted_return``), given by a caller that has the book's
        cash flows; None for a group of bets (a competition has no capital of
        its own) or when the book had no capital.
    bankroll_return : Decimal or None
        ``profit / initial bankroll``, a simple return on the money put in that
        ignores when it was put in; None unless the bankroll was given.
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
    clv_ci95 : ConfidenceInterval or None
        95% t-interval of that mean; None with fewer than two closes.
    beat_close_share : Decimal or None
        Share of those bets with odds above the close; a tie does not beat it.
    beat_close_ci95 : ConfidenceInterval or None
        95% Wilson interval of that share; None without closes.
    n_with_edge : int
        Bets whose probability at placement is on record.
    expected_profit_minor, profit_with_edge_minor : int
        Over those bets: the sum of ``stake * edge`` at placement, rounded to
        the minor unit, and the profit they actually made, so the two compare
        like with like.
    """

    n_bets: int
    staked_minor: int
    profit_minor: int
    yield_: Decimal | None
    roi: Decimal | None
    bankroll_return: Decimal | None
    n_won: int
    n_lost: int
    n_returned: int
    win_rate: Decimal | None
    n_with_close: int
    clv_mean: Decimal | None
    clv_ci95: ConfidenceInterval | None
    beat_close_share: Decimal | None
    beat_close_ci95: ConfidenceInterval | None
    n_with_edge: int
    expected_profit_minor: int
    profit_with_edge_minor: int


def summary(
    bets: Iterable[SettledBet],
    *,
    initial_bankroll_minor: int | None = None,
    roi: Decimal | None = None,
) -> Performance:
    """Totals and ratios of a set of settled bets.

    Parameters
    ----------
    bets : iterable of SettledBet
    initial_bankroll_minor : int, optional
        The bankroll the bets were made from, above 0; gives ``bankroll_return``.
    roi : Decimal, optional
        The book's time-weighted return over the same range, passed through: it
        depends on the cash flows and open stakes, which bets alone do not know.

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
    beating = sum(clv > 0 for clv in clvs)
    valued = [(bet, worth) for bet in bets if (worth := bet.expected_profit) is not None]
    with localcontext(_RATIO):  # the sums too, or a caller's context would round them
        clv_total = sum(clvs, _ZERO)
        expected = sum((worth for _, worth in valued), _ZERO)
    return Performance(
        n_bets=len(bets),
        staked_minor=staked,
        profit_minor=profit,
        yield_=_ratio(profit, staked),
        roi=roi,
        bankroll_return=None if initial is None else _ratio(profit, initial),
        n_won=n_won,
        n_lost=n_lost,
        n_returned=len(bets) - n_won - n_lost,
        win_rate=_ratio(n_won, n_won + n_lost),
        n_with_close=len(clvs),
        clv_mean=_ratio(clv_total, len(clvs)),
        clv_ci95=mean_interval(clvs),
        beat_close_share=_ratio(beating, len(clvs)),
        beat_close_ci95=share_interval(beating, len(clvs)),
        n_with_edge=len(valued),
        expected_profit_minor=int(expected.to_integral_value(ROUND_HALF_EVEN)),
        profit_with_edge_minor=sum(bet.profit_minor for bet, _ in valued),
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
