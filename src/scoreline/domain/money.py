"""Money as people read it: a currency code and two decimals.

The book stores money as integer minor units (cents), which is right for sums
and wrong for people: "withdrawing 99999900 would leave -98772233" reads as
almost a hundred million. Every message and export that shows an amount goes
through ``format_money``, so a reader always sees ``EUR 999,999.00``.

Every currency the book takes has two decimal places (the dashboard and the
API read minor units as hundredths too), so one rule serves them all.
"""

from __future__ import annotations

import operator

__all__ = ["MINOR_PER_UNIT", "format_amount", "format_money"]

MINOR_PER_UNIT = 100
"""Minor units in one unit of any currency the book takes."""


def format_money(amount_minor: int, currency: str) -> str:
    """``123456`` of EUR as ``"EUR 1,234.56"``; a negative amount as ``"EUR -1,234.56"``.

    The code comes first and the sign stays next to the digits, so a column of
    amounts lines up and a spreadsheet can still read the number after the code.

    Raises
    ------
    TypeError
        ``amount_minor`` is not a whole number (a float would already have lost a cent).
    """
    sign, units, cents = _parts(amount_minor)
    return f"{currency} {sign}{units:,}.{cents:02d}"


def format_amount(amount_minor: int) -> str:
    """``123456`` as ``"1234.56"``: the number alone, two decimals, no grouping, for a
    column beside its currency code (a CSV export) that a spreadsheet reads as a number.

    Raises
    ------
    TypeError
        ``amount_minor`` is not a whole number.
    """
    sign, units, cents = _parts(amount_minor)
    return f"{sign}{units}.{cents:02d}"


def _parts(amount_minor: int) -> tuple[str, int, int]:
    """The sign (``"-"`` or ``""``), whole units and cents of an amount in minor units."""
    if isinstance(amount_minor, bool):
        raise TypeError(f"amount_minor must be whole minor units, got {amount_minor!r}")
    minor = operator.index(amount_minor)
    units, cents = divmod(abs(minor), MINOR_PER_UNIT)
    return ("-" if minor < 0 else ""), units, cents
