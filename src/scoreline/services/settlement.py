"""Settlement: a finished fixture's open bets paid by their result, exactly once.

A bet moves from open to settled with a conditional UPDATE (``WHERE status =
'open'``), so two settlements racing on the same bet pay once; the payout and
an audit snapshot are written in the same transaction. The fixture's open bets
are locked together, in id order, before anything is written, and the audit
tail last (``services.lock_order``), so a void or another settlement racing
this one waits its turn instead of deadlocking; a transaction rolled back by a
lost lock race anyway is run again. ``pipeline.settlement``
calls this for each result on the ``results`` stream, and sweeps now and then
for fixtures whose result came in while nothing was listening.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from scoreline.domain import Market, Selection
from scoreline.domain.betting import AuditKind, BetRecord, LedgerKind
from scoreline.domain.fixtures import result_refusal
from scoreline.pricing.settlement import payout_minor, settle
from scoreline.services import audit, lock_order
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["SettlementNotice", "fixtures_to_settle", "notices", "settle_fixture"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SettlementNotice:
    """What a bet's owner is told when it settles (``bet:settled``)."""

    owner_id: int
    bet_id: int
    portfolio_id: int
    fixture_id: int
    outcome: str | None
    payout_minor: int | None
    profit_minor: int


def _now() -> datetime:
    return datetime.now(UTC)


def settle_fixture(unit_of_work: UnitOfWorkFactory, *, fixture_id: int) -> list[int]:
    """Settle every open bet on a finished fixture; the ids this call settled.

    Safe to run concurrently and repeatedly: a bet another settlement got to
    first is skipped, so nothing is paid twice. A fixture that has not kicked off
    is never settled, whatever result is stored (the last line of defence behind
    the ingest paths, which refuse such results).
    """
    return lock_order.retried(
        lambda: _settle_fixture(unit_of_work, fixture_id, _now()),
        what=f"settling fixture {fixture_id}",
    )


def _settle_fixture(unit_of_work: UnitOfWorkFactory, fixture_id: int, now: datetime) -> list[int]:
    """One run of ``settle_fixture``'s transaction."""
    with unit_of_work() as uow:
        fixture = uow.fixtures.get(fixture_id)
        if fixture is None or fixture.home_goals is None or fixture.away_goals is None:
            return []
        if (early := result_refusal(fixture.kickoff, now=now)) is not None:
            logger.error("fixture %d %s: its bets stay open", fixture_id, early)
            return []
        score = (fixture.home_goals, fixture.away_goals)
        open_bets = uow.bets.lock_open(fixture_id=fixture_id)  # lock_order: 2, all at once
        settled = [bet.id for bet in open_bets if _settle_bet(uow, bet, score, now)]
        uow.commit()
    return settled


def _settle_bet(uow: UnitOfWork, bet: BetRecord, score: tuple[int, int], now: datetime) -> bool:
    """Pay one bet by the score, with its ledger entry and audit snapshot; False when another
    settlement got there first."""
    outcome = settle(Market(bet.market), Selection(bet.selection), bet.line, *score)
    paid = payout_minor(bet.stake_minor, bet.odds, outcome)
    if not uow.bets.settle_if_open(
        bet_id=bet.id, outcome=outcome.value, payout_minor=paid, settled_at=now
    ):
        return False
    if paid:
        uow.ledger.add(
            portfolio_id=bet.portfolio_id,
            kind=LedgerKind.PAYOUT,
            amount_minor=paid,
            bet_id=bet.id,
            created_at=now,
        )
    payload = {
        "bet_id": bet.id,
        "score": list(score),
        "outcome": outcome.value,
        "payout_minor": paid,
        "profit_minor": paid - bet.stake_minor,
        "at": now,
    }
    # lock_order: 3, taken by the first bet's link and held to the commit
    audit.append_snapshot(uow, bet_id=bet.id, kind=AuditKind.SETTLED, payload=payload, now=now)
    return True


def fixtures_to_settle(unit_of_work: UnitOfWorkFactory) -> list[int]:
    """Finished fixtures that still have open bets (their result came in unheard)."""
    with unit_of_work() as uow:
        return uow.bets.fixtures_awaiting_settlement()


def notices(unit_of_work: UnitOfWorkFactory, bet_ids: list[int]) -> list[SettlementNotice]:
    """What to tell the owners of these settled bets."""
    with unit_of_work() as uow:
        owned = uow.bets.list_with_owners(bet_ids=bet_ids)
    return [
        SettlementNotice(
            owner_id=owner,
            bet_id=bet.id,
            portfolio_id=bet.portfolio_id,
            fixture_id=bet.fixture_id,
            outcome=bet.outcome,
            payout_minor=bet.payout_minor,
            profit_minor=bet.profit_minor,
        )
        for bet, owner in owned
    ]
