"""Bets: placed at a bookmaker's current price before kick-off, voided by their owner
until kick-off.

A bet is placed against a stored odds snapshot at that snapshot's price, only
while the snapshot is its bookmaker's current price and fresh, before kick-off
and before any result (the rules: ``domain.placement``), and only within the
hard caps per bet, fixture and day and the cash (``domain.caps``; checked under
the portfolio's lock, so concurrent placements cannot jointly pass a cap);
its stake leaves the ledger and an audit snapshot records what it was placed on
(the price, the snapshot, the active model's prediction), all in one
transaction under the portfolio's lock. A void moves an open bet to void with a
conditional UPDATE under the bet's lock, so it refunds once. Locks follow the
book's one order (``services.lock_order``), and a transaction rolled back by a
lost lock race is run again. Settlement is ``services.settlement``'s.

Bets are found through their owner: someone else's bet is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from scoreline.domain import Market, Selection, caps, placement
from scoreline.domain.bet_history import BetFilter
from scoreline.domain.betting import AuditKind, BetRecord, BetStatus, LedgerKind
from scoreline.domain.fixtures import FixtureRecord
from scoreline.domain.markets import SELECTIONS
from scoreline.domain.odds import OddsRecord
from scoreline.domain.predictions import PredictionRecord
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.pricing.settlement import BetOutcome
from scoreline.services import audit, lock_order, portfolios
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["MAX_STAKE_MINOR", "get", "list_", "place", "void"]

MAX_STAKE_MINOR = 10**12
"""Ten billion in major units: beyond that a stake is a typo."""


def _now() -> datetime:
    return datetime.now(UTC)


def place(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    odds_snapshot_id: int,
    selection: Selection,
    stake_minor: int,
    now: datetime | None = None,
    max_price_age_seconds: int | None = None,
) -> int:
    """Stake on ``selection`` at the snapshot's price; the bet id.

    Refused (``DataError``/``ConflictError``, see ``domain.placement``) when the
    snapshot lacks that selection, is an aggregate, is no longer its bookmaker's
    current price or is older than ``max_price_age_seconds`` (default
    ``placement.MAX_PRICE_AGE``), when the fixture has a result or has kicked
    off; and (``DataError``, 422) above the room under the per-bet, per-fixture or
    per-day cap or the cash, naming the cap and the room left in money.
    """
    moment = now or _now()
    if isinstance(stake_minor, bool) or not isinstance(stake_minor, int):
        raise DataError(f"stake_minor must be a whole number of minor units, got {stake_minor!r}")
    if not 0 < stake_minor <= MAX_STAKE_MINOR:
        raise DataError(f"stake_minor must be in 1..{MAX_STAKE_MINOR}, got {stake_minor}")
    max_age = (
        placement.MAX_PRICE_AGE
        if max_price_age_seconds is None
        else timedelta(seconds=max_price_age_seconds)
    )
    return lock_order.retried(
        lambda: _place(
            unit_of_work,
            _Order(owner_id, portfolio_id, odds_snapshot_id, selection, stake_minor),
            now=moment,
            max_age=max_age,
        ),
        what="placing a bet",
    )


@dataclass(frozen=True, slots=True)
class _Order:
    """What a bettor asked for."""

    owner_id: int
    portfolio_id: int
    odds_snapshot_id: int
    selection: Selection
    stake_minor: int


def _place(
    unit_of_work: UnitOfWorkFactory, order: _Order, *, now: datetime, max_age: timedelta
) -> int:
    """One run of ``place``'s transaction."""
    with unit_of_work() as uow:
        portfolio = portfolios.owned(uow, owner_id=order.owner_id, portfolio_id=order.portfolio_id)
        snapshot, price, fixture = _quote(uow, order, now=now, max_age=max_age)
        uow.portfolios.lock(portfolio_id=portfolio.id)  # lock_order: 1
        # Read under the lock: a placement racing this one waits here, then sees our stake.
        caps.check_stake(
            order.stake_minor,
            portfolio.settings,
            _position(uow, portfolio.id, fixture),
            currency=portfolio.currency,
        )
        active = uow.model_versions.active()
        predictions = (
            []
            if active is None
            else uow.predictions.latest(
                fixture_ids=[snapshot.fixture_id], model_version_id=active.id
            )
        )
        prediction = predictions[0] if predictions else None
        line_quarters = _quarters(snapshot.line)
        bet_id = uow.bets.add(
            portfolio_id=portfolio.id,
            fixture_id=snapshot.fixture_id,
            odds_snapshot_id=snapshot.id,
            prediction_id=None if prediction is None else prediction.id,
            market=snapshot.market,
            selection=order.selection.value,
            line_quarters=line_quarters,
            odds=price,
            stake_minor=order.stake_minor,
            placed_at=now,
        )
        uow.ledger.add(
            portfolio_id=portfolio.id,
            kind=LedgerKind.STAKE,
            amount_minor=-order.stake_minor,
            bet_id=bet_id,
            created_at=now,
        )
        bet = {
            "id": bet_id,
            "portfolio_id": portfolio.id,
            "owner_id": order.owner_id,
            "selection": order.selection.value,
            "market": snapshot.market,
            "line": str(Decimal(line_quarters) / 4),
            "odds": price,
            "stake_minor": order.stake_minor,
            "currency": portfolio.currency,
            "placed_at": now,
        }
        payload = {
            "bet": bet,
            "odds_snapshot": _snapshot_record(snapshot, line_quarters),
            "prediction": None if prediction is None else _prediction_record(prediction),
        }
        # lock_order: 3, last
        audit.append_snapshot(uow, bet_id=bet_id, kind=AuditKind.PLACED, payload=payload, now=now)
        uow.commit()
        return bet_id


def _position(uow: UnitOfWork, portfolio_id: int, fixture: FixtureRecord) -> caps.Position:
    """The portfolio's cash and open stakes (all, on the fixture, on its kick-off day)."""
    open_stakes = uow.bets.list_open_stakes(portfolio_id=portfolio_id)
    day = fixture.kickoff.date()
    return caps.Position(
        cash_minor=uow.ledger.balance(portfolio_id=portfolio_id),
        open_minor=sum(s.stake_minor for s in open_stakes),
        open_on_fixture_minor=sum(s.stake_minor for s in open_stakes if s.fixture_id == fixture.id),
        open_on_day_minor=sum(s.stake_minor for s in open_stakes if s.kickoff.date() == day),
    )


def _quote(
    uow: UnitOfWork, order: _Order, *, now: datetime, max_age: timedelta
) -> tuple[OddsRecord, Decimal, FixtureRecord]:
    """The snapshot the order names and its price, once the time and price rules allow a
    bet at it."""
    snapshot = uow.odds.get(order.odds_snapshot_id)
    if snapshot is None:
        raise NotFoundError(f"odds snapshot {order.odds_snapshot_id} not found")
    price = _price(snapshot, order.selection)
    fixture = uow.fixtures.get(snapshot.fixture_id)
    if fixture is None:
        raise NotFoundError(f"fixture {snapshot.fixture_id} not found")
    placement.check_bettable(fixture, now=now)
    # A snapshot stamped ahead of our clock (a feed's clock, a test's) is judged as of its
    # own capture time: what was captured by then can supersede it, nothing later.
    current = uow.odds.get_current(
        odds_id=snapshot.id,
        selection=order.selection.value,
        as_of=max(now, snapshot.captured_at),
    )
    placement.check_current_price(snapshot, current, order.selection, now=now, max_age=max_age)
    return snapshot, price, fixture


def _price(snapshot: OddsRecord, selection: Selection) -> Decimal:
    """The snapshot's price for ``selection``; ``DataError`` if its market has no such side
    or the snapshot carries no price for it."""
    market = Market(snapshot.market)
    if selection not in SELECTIONS[market]:
        raise DataError(f"{selection.value} is not a selection of {market.value}")
    price = snapshot.prices.get(selection.value)
    if price is None:
        raise DataError(f"snapshot {snapshot.id} has no price for {selection.value}")
    return price


def _quarters(line: str | None) -> int:
    """A stored line in quarter goals (1X2 has none: 0)."""
    return 0 if line is None else int(Decimal(line) * 4)


def _snapshot_record(snapshot: OddsRecord, line_quarters: int) -> dict[str, Any]:
    """The snapshot as the audit records it."""
    return {
        "id": snapshot.id,
        "fixture_id": snapshot.fixture_id,
        "bookmaker": snapshot.bookmaker,
        "market": snapshot.market,
        "line_quarters": line_quarters,
        "kind": snapshot.kind,
        "captured_at": snapshot.captured_at,
        "prices": dict(snapshot.prices),
    }


def _prediction_record(prediction: PredictionRecord) -> dict[str, Any]:
    """The active model's prediction the bet was placed against, as the audit records it."""
    return {
        "id": prediction.id,
        "model": prediction.model,
        "version": prediction.version,
        "probabilities": list(prediction.probabilities),
        "feature_hash": prediction.feature_hash,
        "created_at": prediction.created_at,
    }


def void(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    bet_id: int,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Cancel an open bet of the owner's before its fixture kicks off, and refund its stake.

    ``ConflictError`` when the bet is no longer open (settled or voided) or its
    fixture has kicked off, naming the kick-off.
    """
    moment = now or _now()
    lock_order.retried(
        lambda: _void(unit_of_work, owner_id=owner_id, bet_id=bet_id, reason=reason, now=moment),
        what="voiding a bet",
    )


def _void(
    unit_of_work: UnitOfWorkFactory, *, owner_id: int, bet_id: int, reason: str, now: datetime
) -> None:
    """One run of ``void``'s transaction."""
    with unit_of_work() as uow:
        uow.bets.lock(bet_id=bet_id)  # lock_order: 2, before the bet is read
        bet = _owned(uow, owner_id=owner_id, bet_id=bet_id)
        if bet.status is not BetStatus.OPEN:
            raise ConflictError(
                f"bet {bet_id} is {bet.status.value}, not open; only open bets can be voided"
            )
        fixture = uow.fixtures.get(bet.fixture_id)
        if fixture is None:
            raise NotFoundError(f"fixture {bet.fixture_id} not found")
        placement.check_voidable(bet.id, fixture, now=now)
        voided = uow.bets.void_if_open(
            bet_id=bet.id,
            outcome=BetOutcome.VOID.value,
            refund_minor=bet.stake_minor,
            voided_at=now,
        )
        if not voided:  # SQLite: another writer got to it between the read and here
            raise ConflictError(f"bet {bet_id} is not open; only open bets can be voided")
        uow.ledger.add(
            portfolio_id=bet.portfolio_id,
            kind=LedgerKind.REFUND,
            amount_minor=bet.stake_minor,
            bet_id=bet.id,
            created_at=now,
        )
        payload = {
            "bet_id": bet.id,
            "reason": reason[:200],
            "refund_minor": bet.stake_minor,
            "at": now,
        }
        # lock_order: 3, last
        audit.append_snapshot(uow, bet_id=bet.id, kind=AuditKind.VOIDED, payload=payload, now=now)
        uow.commit()


def get(unit_of_work: UnitOfWorkFactory, *, owner_id: int, bet_id: int) -> BetRecord:
    """One of the owner's bets; ``NotFoundError`` for anyone else's."""
    with unit_of_work() as uow:
        return _owned(uow, owner_id=owner_id, bet_id=bet_id)


def list_(
    unit_of_work: UnitOfWorkFactory,
    *,
    owner_id: int,
    portfolio_id: int,
    status: BetStatus | None = None,
    limit: int,
    offset: int,
    matching: BetFilter | None = None,
) -> tuple[list[BetRecord], int]:
    """A page of one of the owner's portfolios' bets, newest first, of ``status`` or as
    ``matching`` narrows them; and how many."""
    with unit_of_work() as uow:
        portfolios.owned(uow, owner_id=owner_id, portfolio_id=portfolio_id)
        return uow.bets.list_(
            portfolio_id=portfolio_id, status=status, limit=limit, offset=offset, matching=matching
        )


def _owned(uow: UnitOfWork, *, owner_id: int, bet_id: int) -> BetRecord:
    bet = uow.bets.get(bet_id=bet_id, owner_id=owner_id)
    if bet is None:
        raise NotFoundError(f"bet {bet_id} not found")
    return bet
