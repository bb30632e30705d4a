"""The betting book: portfolios, their ledger, bets, settlement and voids.

Money is integer minor units end to end and prices are ``Decimal``. A
portfolio's bankroll is the sum of its ledger (deposits, withdrawals, stakes,
payouts, refunds), which is append-only, so "bankroll = deposits + settled
P&L - open stakes" holds by construction and can be checked at any time.

Every call takes the acting user's id and finds rows *through* that owner: a
portfolio or bet of someone else is "not found", exactly like one that does
not exist, so the API can answer 404 and leak nothing.

A bet is placed against a stored odds snapshot at that snapshot's price, before
kick-off, within the bankroll; the placement, the settlement and a void each
append an audit snapshot (``services.audit``) in the same transaction.
Settlement moves a bet from open to settled with a conditional UPDATE (``WHERE
status = 'open'``), so two settlements racing on the same bet pay once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from scoreline.domain import Market, Selection
from scoreline.domain.markets import SELECTIONS
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.pricing.settlement import BetOutcome
from scoreline.services.audit import append_snapshot
from scoreline.storage.tables import (
    BetRow,
    Bookmaker,
    FixtureRow,
    LedgerEntryRow,
    ModelVersion,
    OddsRow,
    PortfolioRow,
    PredictionRow,
)
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = [
    "PortfolioSettings",
    "bankroll_minor",
    "create_portfolio",
    "deposit",
    "owned_portfolio",
    "place_bet",
    "void_bet",
]

_MAX_STAKE_MINOR = 10**12  # ten billion in major units: beyond that it is a typo


@dataclass(frozen=True, slots=True)
class PortfolioSettings:
    """Staking settings: a fraction of full Kelly, the smallest edge bet, and three caps.

    The caps are shares of the bankroll: one suggested stake, what is open on one
    fixture, and what is open on one kick-off day (``services.stake_sizing``). They
    must nest (bet ≤ fixture ≤ day), or the larger one could never bind.
    """

    kelly_fraction: Decimal = Decimal("0.25")
    max_stake_fraction: Decimal = Decimal("0.05")
    min_edge: Decimal = Decimal("0.02")
    max_fixture_fraction: Decimal = Decimal("0.10")
    max_day_fraction: Decimal = Decimal("0.25")

    def __post_init__(self) -> None:
        for name in (
            "kelly_fraction",
            "max_stake_fraction",
            "max_fixture_fraction",
            "max_day_fraction",
        ):
            value = getattr(self, name)
            if not isinstance(value, Decimal) or not Decimal(0) < value <= 1:
                raise DataError(f"{name} must be a Decimal in (0, 1], got {value!r}")
        if not isinstance(self.min_edge, Decimal) or not Decimal(0) <= self.min_edge < 1:
            raise DataError(f"min_edge must be a Decimal in [0, 1), got {self.min_edge!r}")
        if not self.max_stake_fraction <= self.max_fixture_fraction <= self.max_day_fraction:
            raise DataError(
                "the caps must nest: max_stake_fraction "
                f"{self.max_stake_fraction} ≤ max_fixture_fraction {self.max_fixture_fraction}"
                f" ≤ max_day_fraction {self.max_day_fraction}"
            )


def _now() -> datetime:
    return datetime.now(UTC)


def create_portfolio(
    unit_of_work: Callable[[], UnitOfWork],
    *,
    owner_id: int,
    name: str,
    currency: str = "EUR",
    settings: PortfolioSettings | None = None,
) -> int:
    """A new, empty portfolio of ``owner_id``; ``ConflictError`` if the name is taken."""
    settings = settings or PortfolioSettings()
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise DataError("a portfolio name has 1 to 80 characters")
    if len(currency) != 3 or not currency.isalpha():
        raise DataError(f"currency {currency!r} is not an ISO 4217 code such as EUR")
    with unit_of_work() as uow:
        taken = uow.session.scalar(
            select(PortfolioRow.id).where(
                PortfolioRow.owner_id == owner_id, PortfolioRow.name == name
            )
        )
        if taken is not None:
            raise ConflictError(f"you already have a portfolio named {name!r}")
        row = PortfolioRow(
            owner_id=owner_id,
            name=name,
            currency=currency.upper(),
            kelly_fraction=settings.kelly_fraction,
            max_stake_fraction=settings.max_stake_fraction,
            max_fixture_fraction=settings.max_fixture_fraction,
            max_day_fraction=settings.max_day_fraction,
            min_edge=settings.min_edge,
            created_at=_now(),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return row.id


def owned_portfolio(session: Session, *, owner_id: int, portfolio_id: int) -> PortfolioRow:
    """The portfolio if ``owner_id`` owns it, else ``NotFoundError`` (as if it did not exist)."""
    row = session.scalar(
        select(PortfolioRow).where(
            PortfolioRow.id == portfolio_id, PortfolioRow.owner_id == owner_id
        )
    )
    if row is None:
        raise NotFoundError(f"portfolio {portfolio_id} not found")
    return row


def bankroll_minor(session: Session, portfolio_id: int) -> int:
    """The sum of the portfolio's ledger."""
    total = session.scalar(
        select(func.coalesce(func.sum(LedgerEntryRow.amount_minor), 0)).where(
            LedgerEntryRow.portfolio_id == portfolio_id
        )
    )
    return int(total or 0)


def deposit(
    unit_of_work: Callable[[], UnitOfWork], *, owner_id: int, portfolio_id: int, amount_minor: int
) -> int:
    """Add money (negative: withdraw, never below zero); the new bankroll."""
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor == 0:
        raise DataError(f"amount_minor must be a non-zero whole number, got {amount_minor!r}")
    with unit_of_work() as uow:
        owned_portfolio(uow.session, owner_id=owner_id, portfolio_id=portfolio_id)
        _lock_portfolio(uow.session, portfolio_id)
        balance = bankroll_minor(uow.session, portfolio_id)
        if balance + amount_minor < 0:
            raise ConflictError(
                f"withdrawing {-amount_minor} would leave {balance + amount_minor}: not allowed"
            )
        kind = "deposit" if amount_minor > 0 else "withdrawal"
        uow.session.add(
            LedgerEntryRow(
                portfolio_id=portfolio_id, kind=kind, amount_minor=amount_minor, created_at=_now()
            )
        )
        uow.commit()
        return balance + amount_minor


def _lock_portfolio(session: Session, portfolio_id: int) -> None:
    """Serialise money movements of one portfolio (PostgreSQL row lock; SQLite has one writer)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(PortfolioRow.id).where(PortfolioRow.id == portfolio_id).with_for_update()
        )


def place_bet(
    unit_of_work: Callable[[], UnitOfWork],
    *,
    owner_id: int,
    portfolio_id: int,
    odds_snapshot_id: int,
    selection: Selection,
    stake_minor: int,
    now: datetime | None = None,
) -> int:
    """Stake on ``selection`` at the snapshot's price; the bet id.

    Refused (``DataError``/``ConflictError``) when the snapshot lacks that
    selection, the fixture has kicked off, or the bankroll is short.
    """
    now = now or _now()
    if isinstance(stake_minor, bool) or not isinstance(stake_minor, int):
        raise DataError(f"stake_minor must be a whole number of minor units, got {stake_minor!r}")
    if not 0 < stake_minor <= _MAX_STAKE_MINOR:
        raise DataError(f"stake_minor must be in 1..{_MAX_STAKE_MINOR}, got {stake_minor}")
    with unit_of_work() as uow:
        session = uow.session
        portfolio = owned_portfolio(session, owner_id=owner_id, portfolio_id=portfolio_id)
        snapshot = session.get(OddsRow, odds_snapshot_id)
        if snapshot is None:
            raise NotFoundError(f"odds snapshot {odds_snapshot_id} not found")
        market = Market(snapshot.market)
        if selection not in SELECTIONS[market]:
            raise DataError(f"{selection.value} is not a selection of {market.value}")
        price = getattr(snapshot, selection.value)
        if price is None:
            raise DataError(f"snapshot {odds_snapshot_id} has no price for {selection.value}")
        fixture = session.get(FixtureRow, snapshot.fixture_id)
        if fixture is None or fixture.kickoff_utc <= now:
            raise ConflictError(f"fixture {snapshot.fixture_id} has kicked off; no more bets")
        _lock_portfolio(session, portfolio.id)
        balance = bankroll_minor(session, portfolio.id)
        if stake_minor > balance:
            raise ConflictError(f"stake {stake_minor} exceeds the bankroll {balance}")
        prediction = _latest_prediction(session, snapshot.fixture_id)
        bet = BetRow(
            portfolio_id=portfolio.id,
            fixture_id=snapshot.fixture_id,
            odds_snapshot_id=snapshot.id,
            prediction_id=None if prediction is None else prediction["id"],
            market=market.value,
            selection=selection.value,
            line_quarters=snapshot.line_quarters,
            odds=price,
            stake_minor=stake_minor,
            status="open",
            placed_at=now,
        )
        session.add(bet)
        session.flush()
        session.add(
            LedgerEntryRow(
                portfolio_id=portfolio.id,
                kind="stake",
                amount_minor=-stake_minor,
                bet_id=bet.id,
                created_at=now,
            )
        )
        append_snapshot(
            session,
            bet_id=bet.id,
            kind="placed",
            payload={
                "bet": {
                    "id": bet.id,
                    "portfolio_id": portfolio.id,
                    "owner_id": owner_id,
                    "selection": selection.value,
                    "market": market.value,
                    "line": str(Decimal(snapshot.line_quarters) / 4),
                    "odds": price,
                    "stake_minor": stake_minor,
                    "currency": portfolio.currency,
                    "placed_at": now,
                },
                "odds_snapshot": _snapshot_record(session, snapshot),
                "prediction": prediction,
            },
            now=now,
        )
        uow.commit()
        return bet.id


def void_bet(
    unit_of_work: Callable[[], UnitOfWork], *, owner_id: int, bet_id: int, reason: str
) -> None:
    """Cancel an open bet of the owner's and refund its stake; settled bets stay as they are."""
    now = _now()
    with unit_of_work() as uow:
        session = uow.session
        bet = _owned_bet(session, owner_id=owner_id, bet_id=bet_id)
        moved = session.execute(
            update(BetRow)
            .where(BetRow.id == bet.id, BetRow.status == "open")
            .values(
                status="void",
                outcome=BetOutcome.VOID.value,
                payout_minor=bet.stake_minor,
                settled_at=now,
            )
        )
        if getattr(moved, "rowcount", 0) != 1:
            raise ConflictError(f"bet {bet_id} is not open; only open bets can be voided")
        session.add(
            LedgerEntryRow(
                portfolio_id=bet.portfolio_id,
                kind="refund",
                amount_minor=bet.stake_minor,
                bet_id=bet.id,
                created_at=now,
            )
        )
        append_snapshot(
            session,
            bet_id=bet.id,
            kind="voided",
            payload={
                "bet_id": bet.id,
                "reason": reason[:200],
                "refund_minor": bet.stake_minor,
                "at": now,
            },
            now=now,
        )
        uow.commit()


def _owned_bet(session: Session, *, owner_id: int, bet_id: int) -> BetRow:
    bet = session.scalar(
        select(BetRow)
        .join(PortfolioRow, PortfolioRow.id == BetRow.portfolio_id)
        .where(BetRow.id == bet_id, PortfolioRow.owner_id == owner_id)
    )
    if bet is None:
        raise NotFoundError(f"bet {bet_id} not found")
    return bet


def _latest_prediction(session: Session, fixture_id: int) -> dict[str, Any] | None:
    """The fixture's newest prediction by the active model, as the audit records it."""
    row = session.execute(
        select(PredictionRow, ModelVersion.name, ModelVersion.version)
        .join(ModelVersion, ModelVersion.id == PredictionRow.model_version_id)
        .where(PredictionRow.fixture_id == fixture_id, ModelVersion.is_active.is_(True))
        .order_by(PredictionRow.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    prediction, name, version = row
    return {
        "id": prediction.id,
        "model": name,
        "version": version,
        "probabilities": [prediction.p_home, prediction.p_draw, prediction.p_away],
        "feature_hash": prediction.feature_hash,
        "created_at": prediction.created_at,
    }


def _snapshot_record(session: Session, snapshot: OddsRow) -> dict[str, Any]:
    bookmaker = session.get(Bookmaker, snapshot.bookmaker_id)
    return {
        "id": snapshot.id,
        "fixture_id": snapshot.fixture_id,
        "bookmaker": None if bookmaker is None else bookmaker.code,
        "market": snapshot.market,
        "line_quarters": snapshot.line_quarters,
        "kind": snapshot.kind,
        "captured_at": snapshot.captured_at,
        "prices": {
            s.value: getattr(snapshot, s.value)
            for s in Selection
            if getattr(snapshot, s.value) is not None
        },
    }
