"""The range of a decimal price: one rule for season files, live feeds and the API.

A price is usable from ``MIN_PRICE`` to ``MAX_PRICE``, both included:

- 1.01 to 1,000 is Betfair's exchange ladder, the widest range any market we
  read quotes in (a bookmaker's book is narrower);
- the 324 football-data.co.uk files of 2005-2023 hold 5.9 million prices that
  pass the parser's checks, from 1.01 (1X2 favourites at William Hill,
  Interwetten, Stan James and the market aggregates) to 201 (a market maximum,
  G1 2015-2016): none is refused, and there is room to spare for longshots;
- the stored column (``storage.types.Price``, NUMERIC(10, 4)) holds any of them
  exactly; 1e30 would overflow it.

What a caller does with a refusal depends on where the price came from (a
file's cell is dropped or its file refused, a feed's tick dead-lettered), but
the range and the reason given are the same everywhere.
"""

from __future__ import annotations

import enum
from decimal import Decimal

__all__ = ["MAX_PRICE", "MIN_PRICE", "PriceFault", "price_fault"]

MIN_PRICE = Decimal("1.01")
MAX_PRICE = Decimal(1000)


class PriceFault(enum.StrEnum):
    """Why a number is not a usable decimal price; the value is a reason people read."""

    NOT_A_NUMBER = "not a number"
    BELOW_MINIMUM = f"below the minimum decimal price {MIN_PRICE}"
    ABOVE_MAXIMUM = f"above the maximum decimal price {MAX_PRICE:,}"


def price_fault(price: Decimal) -> PriceFault | None:
    """Why ``price`` cannot be a decimal price, or None when it is in range."""
    if not price.is_finite():
        return PriceFault.NOT_A_NUMBER
    if price < MIN_PRICE:
        return PriceFault.BELOW_MINIMUM
    if price > MAX_PRICE:
        return PriceFault.ABOVE_MAXIMUM
    return None
