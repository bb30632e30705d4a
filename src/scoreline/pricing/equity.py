"""A book's money through time: cash, equity, the time-weighted return and drawdown.

Every bet and every deposit or withdrawal ("flow") happens at its real time::

    cash(t)    = flows - stakes placed + payouts and refunds, up to t   (the ledger's sum)
    equity(t)  = cash(t) + stakes still open at t                       (an open bet at its stake)

so a placement moves cash and not equity, a settlement moves equity by the
bet's profit, a void moves neither in the end, and a flow moves both. A flow
changes no point before its time.

Return on investment is **time-weighted** (the GIPS "true time-weighted
return"; C. Bacon, *Practical Portfolio Performance Measurement and
Attribution*, 2nd ed., 2008, section 2.3): the life of the book is cut at each
flow into sub-periods, each sub-period's return is ``equity at its end /
equity at its start - 1``, and the returns are chained::

    index(t) = product over sub-periods up to t of (1 + r_k)       (1 at the first point)
    roi      = index(end) / index(start) - 1

Because the equity is known exactly at every flow, nothing is approximated
(modified Dietz would be, between valuations). A deposit is capital, not a
return, so it changes neither the index nor the ROI. Yield, profit over the
money staked, is ``performance.summary``'s and is a different number.

Drawdown is measured on the same index, as a fund's is on its unit price
rather than its assets: ``1 - index / running peak of index``, a positive
share of the peak (0 at a new high, 0.25 a quarter below it, 1 when the book
was wiped out). A withdrawal is not a loss and a deposit does not hide one.

Ratios are Decimals in one fixed context (28 significant digits, half to even),
as ``pricing.performance``'s are.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from scoreline.errors import DataError

__all__ = [
    "BookBet",
    "BookPoint",
    "Flow",
    "book_series",
    "max_drawdown",
    "time_weighted_return",
    "window",
]

_RATIO = Context(prec=28, rounding=ROUND_HALF_EVEN)
_ZERO, _ONE = Decimal(0), Decimal(1)


@dataclass(frozen=True, slots=True)
class BookBet:
    """One bet's life as money: placed, then closed (settled or voided) or still open.

    ``returned_minor`` is what came back when it closed: the payout of a settled
    bet (0 for a loss) or the refund of a void; 0 while open.
    """

    placed_at: datetime
    stake_minor: int
    closed_at: datetime | None = None
    returned_minor: int = 0

    def __post_init__(self) -> None:
        problems = []
        if self.placed_at.tzinfo is None:
            problems.append("placed_at must be timezone-aware (UTC)")
        if self.closed_at is not None and self.closed_at.tzinfo is None:
            problems.append("closed_at must be timezone-aware (UTC)")
        elif self.closed_at is not None and self.closed_at < self.placed_at:
            problems.append(f"closed_at {self.closed_at} is before placed_at {self.placed_at}")
        if not _is_whole(self.stake_minor) or self.stake_minor < 1:
            problems.append(f"stake_minor must be a whole number above 0, got {self.stake_minor!r}")
        if not _is_whole(self.returned_minor) or self.returned_minor < 0:
            problems.append(f"returned_minor must be a whole number, got {self.returned_minor!r}")
        elif self.closed_at is None and self.returned_minor:
            problems.append("an open bet has returned nothing yet")
        if problems:
            raise DataError("BookBet: " + "; ".join(problems))


@dataclass(frozen=True, slots=True)
class Flow:
    """Money paid in (positive) or withdrawn (negative), in minor units, at its time."""

    at: datetime
    amount_minor: int

    def __post_init__(self) -> None:
        if not isinstance(self.at, datetime) or self.at.tzinfo is None:
            raise DataError(f"a flow's time must be a timezone-aware datetime, got {self.at!r}")
        if not _is_whole(self.amount_minor) or self.amount_minor == 0:
            raise DataError(f"a flow is a non-zero whole amount, got {self.amount_minor!r}")


@dataclass(frozen=True, slots=True)
class BookPoint:
    """The book after everything that happened at one instant.

    Attributes
    ----------
    at : datetime
    cash_minor, equity_minor : int
        Cash (the ledger's balance) and equity (cash plus open stakes).
    index : Decimal
        Time-weighted growth of one unit of capital since the first point.
    drawdown : Decimal
        ``1 - index / running peak of index``, in [0, 1].
    """

    at: datetime
    cash_minor: int
    equity_minor: int
    index: Decimal
    drawdown: Decimal

    @property
    def open_stakes_minor(self) -> int:
        """What open bets have staked at this point."""
        return self.equity_minor - self.cash_minor


def book_series(bets: Iterable[BookBet], flows: Iterable[Flow]) -> list[BookPoint]:
    """One point per distinct instant at which money moved, ascending.

    Everything at one instant is applied before its point: a match's bets often
    settle together and their order means nothing. Within an instant, results of
    bets placed earlier are the return of the capital there before any flow at
    that instant; then the flow starts the next sub-period; then come the results
    of bets placed and closed at that very instant, which only its flow can have
    funded.

    Empty when nothing ever happened.
    """
    # (time, cash change, equity change before the flow, flow, equity change after it)
    moves = [(flow.at, flow.amount_minor, 0, flow.amount_minor, 0) for flow in flows]
    for bet in bets:
        moves.append((bet.placed_at, -bet.stake_minor, 0, 0, 0))
        if bet.closed_at is not None:
            profit = bet.returned_minor - bet.stake_minor
            late = bet.closed_at == bet.placed_at
            moves.append(
                (bet.closed_at, bet.returned_minor, 0 if late else profit, 0, profit if late else 0)
            )
    points: list[BookPoint] = []
    cash = equity = 0
    base, base_index, peak = 0, _ONE, _ONE  # the sub-period's opening equity and index
    with localcontext(_RATIO):
        for at, group in itertools.groupby(sorted(moves, key=_time), key=_time):
            changes = list(group)
            cash += sum(change[1] for change in changes)
            equity += sum(change[2] for change in changes)
            index = _grown(base_index, equity, base)
            flow = sum(change[3] for change in changes)
            equity += flow
            if flow:
                base, base_index = equity, index
            after = sum(change[4] for change in changes)
            if after:
                equity += after
                index = _grown(base_index, equity, base)
            peak = max(peak, index)
            points.append(BookPoint(at, cash, equity, index, _ONE - index / peak))
    return points


def _grown(base_index: Decimal, equity: int, base: int) -> Decimal:
    """The index once the sub-period's opening equity ``base`` has become ``equity``.

    ``equity / base`` first, so that it is exactly 1 when nothing moved and a flow
    alone keeps the index; without capital there is nothing to earn a return on.
    """
    return base_index * (Decimal(equity) / base) if base > 0 else base_index


def window(
    points: Sequence[BookPoint], start: datetime | None, end: datetime | None
) -> list[BookPoint]:
    """The points in ``[start, end)``, opened by the book as it stood at ``start``.

    The opening point (dated ``start``) carries the last point before it, so
    the plotted range starts where the book was; drawdown is measured again
    from the range's own running peak, so the worst point plotted is the
    range's worst drawdown. None leaves a side open.

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
    inside = [p for p in points if (start is None or p.at >= start) and (end is None or p.at < end)]
    if start is not None:
        before = [p for p in points if p.at < start]
        if before and (not inside or inside[0].at > start):
            inside.insert(0, replace(before[-1], at=start))
    peak: Decimal | None = None
    redrawn = []
    with localcontext(_RATIO):
        for point in inside:
            peak = point.index if peak is None else max(peak, point.index)
            fall = _ONE - point.index / peak if peak > 0 else _ZERO
            redrawn.append(replace(point, drawdown=fall))
    return redrawn


def time_weighted_return(points: Sequence[BookPoint]) -> Decimal | None:
    """``index(last) / index(first) - 1``; None with fewer than one point or a first index of 0
    (a book wiped out before the range began has no return to measure)."""
    if not points or points[0].index == 0:
        return None
    with localcontext(_RATIO):
        return points[-1].index / points[0].index - 1


def max_drawdown(points: Sequence[BookPoint]) -> Decimal:
    """The headline "worst drawdown": the largest drawdown among the points; 0 when empty."""
    return max((point.drawdown for point in points), default=_ZERO)


def _time(move: tuple[datetime, int, int, int, int]) -> datetime:
    return move[0]


def _is_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
