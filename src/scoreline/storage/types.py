"""Column types that keep money, prices and instants exact on SQLite and PostgreSQL.

SQLite has no decimal and no timezone-aware timestamp, so:

* :class:`Price` is ``NUMERIC(10, 4)`` on PostgreSQL and an integer count of
  ten-thousandths on SQLite; Python always sees a ``Decimal``.
* :class:`UTCDateTime` stores naive UTC and hands back aware UTC datetimes, and
  refuses naive input rather than guessing its zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = ["PRICE_QUANTUM", "PRICE_SCALE", "Price", "UTCDateTime"]

PRICE_SCALE = 10_000
PRICE_QUANTUM = Decimal("0.0001")


class Price(TypeDecorator[Decimal]):
    """A decimal price with four places, exact on every backend."""

    impl = Numeric(10, 4)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Integer())
        return dialect.type_descriptor(Numeric(10, 4, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"prices are Decimal, not {type(value).__name__}")
        if dialect.name == "sqlite":
            return int((value * PRICE_SCALE).to_integral_exact())
        return value.quantize(PRICE_QUANTUM)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / PRICE_SCALE).quantize(PRICE_QUANTUM)
        return Decimal(value).quantize(PRICE_QUANTUM)


class UTCDateTime(TypeDecorator[datetime]):
    """An instant in UTC; naive datetimes are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} has no time zone; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
