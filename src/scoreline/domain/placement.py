"""When the book takes a bet or lets one go: its time rules and its price rules.

- No bet on a fixture that has a result or has kicked off (kick-off <= now),
  and no void once it has kicked off: either would be an option on a match
  whose course is already known.
- A bet is taken only at the current price: the newest snapshot of its
  bookmaker, market and line that prices the selection, captured no longer
  ago than the freshness window, and never at a market-wide figure (``MAX``,
  ``AVG``: ``domain.bookmakers``), which no one offers.

Each check raises what a client can act on: ``ConflictError`` (409) when the
world moved on (a newer price, a kick-off), naming what is current so the
client can retry at it; ``DataError`` (422) when the request can never succeed
(an aggregate row). The service finds the records; the rules live here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from scoreline.domain import bookmakers
from scoreline.domain.fixtures import FixtureRecord, has_kicked_off, iso
from scoreline.domain.markets import Selection
from scoreline.domain.odds import OddsRecord
from scoreline.errors import ConflictError, DataError

__all__ = ["MAX_PRICE_AGE", "check_bettable", "check_current_price", "check_voidable", "is_stale"]

MAX_PRICE_AGE = timedelta(hours=24)
"""How long ago the current price may have been captured, unless the settings say otherwise
(``bet_price_max_age_seconds``). Feeds store a price again only when it changes, so a price
on offer all day keeps the capture time it first had: the window is a day, long enough for
a quiet market, short enough to refuse a feed that went silent."""


def _name(fixture: FixtureRecord) -> str:
    return f"fixture {fixture.id} ({fixture.home_team} v {fixture.away_team})"


def check_bettable(fixture: FixtureRecord, *, now: datetime) -> None:
    """Refuse a bet on a fixture that has a result or has kicked off (``ConflictError``)."""
    if fixture.home_goals is not None and fixture.away_goals is not None:
        raise ConflictError(
            f"{_name(fixture)} has a result, {fixture.home_goals}-{fixture.away_goals}; "
            "no more bets on it"
        )
    if has_kicked_off(fixture.kickoff, now=now):
        raise ConflictError(
            f"{_name(fixture)} kicked off at {iso(fixture.kickoff)}; no more bets on it"
        )


def check_voidable(bet_id: int, fixture: FixtureRecord, *, now: datetime) -> None:
    """Refuse to void a bet once its fixture has kicked off (``ConflictError``).

    The kick-off alone decides: a result comes after it, and the bet's own status
    (open, or settled by that result) is the service's to check under the bet's lock.
    """
    if has_kicked_off(fixture.kickoff, now=now):
        raise ConflictError(
            f"bet {bet_id} can no longer be voided: {_name(fixture)} kicked off at "
            f"{iso(fixture.kickoff)}"
        )


def is_stale(captured_at: datetime, *, now: datetime, max_age: timedelta) -> bool:
    """Whether a price captured at ``captured_at`` is too old to bet at by ``now``: the
    board marks it so, and placement refuses it."""
    return now - captured_at > max_age


def check_current_price(
    named: OddsRecord,
    current: OddsRecord | None,
    selection: Selection,
    *,
    now: datetime,
    max_age: timedelta,
) -> None:
    """Refuse a bet at ``named`` unless it is ``current`` and fresh.

    ``current`` is the newest snapshot of ``named``'s bookmaker, market and line
    pricing ``selection``, captured by now (``uow.odds.get_current``).

    Raises
    ------
    DataError
        ``named`` is a market-wide figure, not a bookmaker's price.
    ConflictError
        A newer price superseded ``named`` (naming it and its snapshot id), or
        the current price was captured more than ``max_age`` before ``now``.
    """
    if not bookmakers.is_bookmaker(named.bookmaker):
        raise DataError(
            f"snapshot {named.id} is the market-wide {named.bookmaker} figure, not a "
            "bookmaker's price; bet at a bookmaker's snapshot"
        )
    side = selection.value
    if current is None:
        raise ConflictError(f"{named.bookmaker} has no current price for {side}; bet refused")
    if current.id != named.id:
        raise ConflictError(
            f"snapshot {named.id} ({named.bookmaker} {side} {named.prices.get(side)}) is no "
            f"longer the price: the current one is {current.prices.get(side)}, snapshot "
            f"{current.id}, captured {iso(current.captured_at)}; bet at that snapshot"
        )
    if is_stale(current.captured_at, now=now, max_age=max_age):
        raise ConflictError(
            f"the {current.bookmaker} {side} price {current.prices.get(side)} (snapshot "
            f"{current.id}) was captured at {iso(current.captured_at)}, more than "
            f"{_span(max_age)} ago; no bet until a fresh price arrives"
        )


def _span(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{seconds} seconds"
