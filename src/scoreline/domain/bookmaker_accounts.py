"""Bookmaker accounts: where a professional's money actually sits, and what each will take.

A portfolio keeps one account per bookmaker it bets with. The balance is what
the user last read off the bookmaker's site (we do not see their books), in
minor units of the account's currency; the known maximum stake is the largest
single stake the account has lately been allowed, the binding constraint once
a bookmaker limits a winning account. Limitation events are the record of each
refusal or cut, which is how a professional sees an account's life running out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["BookmakerAccountRecord", "LimitationEventRecord", "StakeLimit", "clip_stake"]


@dataclass(frozen=True, slots=True)
class BookmakerAccountRecord:
    """A stored bookmaker account of a portfolio."""

    id: int
    portfolio_id: int
    name: str
    currency: str
    balance_minor: int
    max_stake_minor: int | None
    bookmaker_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LimitationEventRecord:
    """An account refusing a stake or cutting its limit, on ``occurred_on``."""

    id: int
    account_id: int
    occurred_on: date
    market: str | None
    refused: str
    max_stake_minor: int | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StakeLimit:
    """What one account will take in a single stake, with the account's name so that a
    clipped suggestion can say whose limit clipped it."""

    account_name: str
    max_stake_minor: int


def clip_stake(stake_minor: int, max_stake_minor: int | None) -> int:
    """A suggested stake cut to what the account will take (unchanged when no maximum is
    known): the one rule the stake sizer and the board apply."""
    return stake_minor if max_stake_minor is None else min(stake_minor, max_stake_minor)
