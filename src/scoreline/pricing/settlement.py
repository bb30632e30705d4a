"""Settling a bet on the final score, and what the bookmaker pays back.

``settle`` reads every line bet as two half-stakes. A half or whole line puts
both halves on the same line; a quarter line puts one half on each neighbour
(``split_line``: over 2.25 is half on 2.0 and half on 2.5). Each half wins
(+1), is returned (0) or loses (-1) on the sign of its margin on line ``l``:

====================  ==========================  ==============================
market                selection                   margin of a half on line ``l``
====================  ==========================  ==============================
over/under            over                        ``home + away - l``
over/under            under                       ``l - (home + away)``
Asian handicap        home                        ``home - away + l``
Asian handicap        away                        ``away - home - l``
====================  ==========================  ==============================

The handicap line is the home side's (``markets`` module), so a bet on away at
line ``l`` carries the handicap ``-l``. The two halves add up to the outcome::

    +2 won    +1 half_won    0 push    -1 half_lost    -2 lost

A win and a loss never meet: the two halves' margins are half a goal apart and
one of them is a whole number, so where their signs differ one of them is 0.

``payout_minor`` is the total handed back, stake included, for a stake ``s`` in
minor units at decimal odds ``o``:

==============  =====================
outcome         payout
==============  =====================
won             ``s * o``
half_won        ``s/2 * o + s/2``
push, void      ``s``
half_lost       ``s/2``
lost            ``0``
==============  =====================

The payout is worked out exactly and rounded once, half to even, to a whole
minor unit; the profit is the payout less the stake, with no rounding of its
own, so payout and profit can never disagree by a cent.
"""

from __future__ import annotations

import enum
import operator
from decimal import (
    MAX_EMAX,
    MAX_PREC,
    MIN_EMIN,
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    Inexact,
    InvalidOperation,
    localcontext,
)

from scoreline.domain.markets import SELECTIONS, Line, Market, Selection, parse_line, split_line
from scoreline.errors import DataError

__all__ = ["BetOutcome", "payout_minor", "profit_minor", "settle"]


class BetOutcome(enum.StrEnum):
    """How a bet ended.

    ``void`` is a bet the bookmaker cancels (a match abandoned or not played in
    time); ``settle`` needs a score, so it never returns it, and the caller
    records it. It pays back like a push.
    """

    WON = "won"
    HALF_WON = "half_won"
    PUSH = "push"
    HALF_LOST = "half_lost"
    LOST = "lost"
    VOID = "void"


# The two half-stakes' results (+1 won, 0 returned, -1 lost), summed.
_BY_HALVES: dict[int, BetOutcome] = {
    2: BetOutcome.WON,
    1: BetOutcome.HALF_WON,
    0: BetOutcome.PUSH,
    -1: BetOutcome.HALF_LOST,
    -2: BetOutcome.LOST,
}

# Additions and multiplications are exact under this context, whatever the
# number of digits (the decimal documentation's recipe for exact arithmetic);
# Inexact is trapped so that a rounding before the one we intend would raise.
# The one intended rounding runs under _ROUNDING, which lets it be inexact.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, Inexact])
_ROUNDING = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation])
_HALF = Decimal("0.5")
_ONE = Decimal(1)


def settle(
    market: Market,
    selection: Selection,
    line: Line | None,
    home_goals: int,
    away_goals: int,
) -> BetOutcome:
    """The outcome of a bet on ``selection`` in ``market`` at the final score.

    Parameters
    ----------
    market : Market
    selection : Selection
        One of the market's selections: home, draw or away for 1X2; over or
        under; home or away for the Asian handicap.
    line : Decimal or None
        None for 1X2. For over/under the goal line, at least 0. For the Asian
        handicap the home side's handicap, also for a bet on away (which gets
        ``-line``). On the quarter-goal grid; quarter lines split the stake.
    home_goals, away_goals : int
        The final score (of the period the market settles on), at least 0.

    Returns
    -------
    BetOutcome
        Never ``void``: that is decided off the pitch.

    Raises
    ------
    DataError
        A selection that is not the market's, a line given to 1X2 or missing
        from a line market, a line off the quarter grid (or a negative goal
        line), or goals that are not whole numbers at least 0.
    """
    market, selection = _market_selection(market, selection)
    home, away = _goals(home_goals, "home_goals"), _goals(away_goals, "away_goals")
    if market is Market.MATCH_ODDS:
        if line is not None:
            raise DataError(f"a 1x2 bet takes no line, got {line!r}; pass line=None")
        winner = (
            Selection.HOME if home > away else Selection.AWAY if away > home else Selection.DRAW
        )
        return BetOutcome.WON if selection is winner else BetOutcome.LOST

    parts = split_line(_line(market, line))
    with localcontext(_EXACT):  # a caller's context of few digits must not round a margin
        if market is Market.OVER_UNDER:
            side = 1 if selection is Selection.OVER else -1
            margins = [side * (home + away - part) for part in parts]
        else:
            side = 1 if selection is Selection.HOME else -1
            margins = [side * (home - away + part) for part in parts]
    # A half or whole line carries both halves of the stake.
    halves = sum((m > 0) - (m < 0) for m in margins) * (2 // len(margins))
    return _BY_HALVES[halves]


def payout_minor(stake_minor: int, odds: Decimal, outcome: BetOutcome) -> int:
    """The total paid back on a settled bet, stake included, in minor units.

    The exact amount (see the module table) is rounded once, ``ROUND_HALF_EVEN``,
    to a whole minor unit: half a cent goes to the even neighbour, so over many
    bets the roundings cancel instead of drifting one way. A half-lost stake of
    101 pays 50, one of 103 pays 52.

    Parameters
    ----------
    stake_minor : int
        The stake in minor units (cents), at least 1.
    odds : Decimal
        Decimal odds taken, above 1. A Decimal, not a float, so that 1.95 is
        1.95 and the payout is exact before its one rounding.
    outcome : BetOutcome

    Raises
    ------
    DataError
        A stake that is not a positive whole number, odds that are not a finite
        Decimal above 1, or an unknown outcome.
    """
    stake = Decimal(_stake(stake_minor))
    _check_odds(odds)
    outcome = _outcome(outcome)
    with localcontext(_EXACT):
        match outcome:
            case BetOutcome.WON:
                exact = stake * odds
            case BetOutcome.HALF_WON:
                exact = (stake * odds + stake) * _HALF
            case BetOutcome.PUSH | BetOutcome.VOID:
                exact = stake
            case BetOutcome.HALF_LOST:
                exact = stake * _HALF
            case BetOutcome.LOST:
                exact = Decimal(0)
    return int(exact.quantize(_ONE, rounding=ROUND_HALF_EVEN, context=_ROUNDING))


def profit_minor(stake_minor: int, odds: Decimal, outcome: BetOutcome) -> int:
    """Payout less stake, in minor units: negative for a loss, 0 for a push or void.

    Derived from ``payout_minor`` rather than rounded separately, so that
    ``stake + profit == payout`` always holds.
    """
    return payout_minor(stake_minor, odds, outcome) - _stake(stake_minor)


def _market_selection(market: Market, selection: Selection) -> tuple[Market, Selection]:
    try:
        market, selection = Market(market), Selection(selection)
    except ValueError as exc:
        raise DataError(
            f"unknown market or selection ({market!r}, {selection!r}); markets are "
            f"{[m.value for m in Market]}, selections {[s.value for s in Selection]}"
        ) from exc
    allowed = SELECTIONS[market]
    if selection not in allowed:
        raise DataError(
            f"selection {selection.value!r} does not belong to market {market.value!r}; "
            f"expected one of {[s.value for s in allowed]}"
        )
    return market, selection


def _goals(value: int, name: str) -> int:
    try:
        goals = operator.index(value)
    except TypeError as exc:
        raise DataError(f"{name} must be a whole number of goals, got {value!r}") from exc
    if isinstance(value, bool) or goals < 0:
        raise DataError(f"{name} must be a whole number of goals at least 0, got {value!r}")
    return goals


def _line(market: Market, line: Line | None) -> Line:
    if line is None:
        raise DataError(f"a {market.value} bet needs a line on the quarter-goal grid, got None")
    try:
        parsed = parse_line(line)
    except (ValueError, ArithmeticError) as exc:  # decimal.InvalidOperation included
        raise DataError(
            f"{market.value} line {line!r} is not on the quarter-goal grid (a multiple of 0.25)"
        ) from exc
    if market is Market.OVER_UNDER and parsed < 0:
        raise DataError(f"over_under line {line!r} is below 0; a goal line is at least 0")
    return parsed


def _stake(stake_minor: int) -> int:
    try:
        stake = operator.index(stake_minor)
    except TypeError as exc:
        raise DataError(f"stake_minor must be whole minor units, got {stake_minor!r}") from exc
    if isinstance(stake_minor, bool) or stake <= 0:
        raise DataError(f"stake_minor must be a whole number above 0, got {stake_minor!r}")
    return stake


def _check_odds(odds: Decimal) -> None:
    if not isinstance(odds, Decimal):
        raise DataError(
            f"odds must be a Decimal, got {type(odds).__name__} {odds!r}; "
            "pass Decimal(str(price)) to keep the quoted digits"
        )
    if not odds.is_finite() or odds <= 1:
        raise DataError(f"odds must be finite decimal odds above 1, got {odds}")


def _outcome(outcome: BetOutcome) -> BetOutcome:
    try:
        return BetOutcome(outcome)
    except ValueError as exc:
        raise DataError(
            f"unknown bet outcome {outcome!r}; expected one of {[o.value for o in BetOutcome]}"
        ) from exc
