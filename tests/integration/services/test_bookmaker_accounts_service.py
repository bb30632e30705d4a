"""Bookmaker accounts below the API: the stake sizer's hook, and migration 0007 over a book
that already holds bets, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Engine, select

from conftest import SAMPLE_DATA
from scoreline.domain.bookmaker_accounts import StakeLimit, clip_stake
from scoreline.domain.markets import Selection
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services import audit, bets, bookmaker_accounts, portfolios
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import current_revision, downgrade, upgrade
from scoreline.storage.tables import BetRow, OddsRow, UserRow
from scoreline.storage.unit_of_work import UnitOfWork

NOW = datetime(2026, 12, 3, tzinfo=UTC)


def _owner(unit_of_work: Callable[[], UnitOfWork]) -> int:
    with unit_of_work() as uow:
        row = UserRow(
            email="ann@example.com",
            password_hash="x",
            role="trader",
            is_active=True,
            created_at=datetime.now(UTC),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return row.id


def test_stake_limits_clip_suggestions_at_known_bookmakers(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    owner = _owner(unit_of_work)
    portfolio = portfolios.create(unit_of_work, owner_id=owner, name="main")
    with unit_of_work() as uow:
        uow.bookmakers.upsert_many(codes=["PS", "B365"])
        uow.commit()
    for name, limit in (("Pinnacle", 30_000), ("bet365", None), ("Dafabet", 10_000)):
        bookmaker_accounts.create(
            unit_of_work,
            owner_id=owner,
            portfolio_id=portfolio,
            change=bookmaker_accounts.AccountChange(name, 0, limit),
        )
    with unit_of_work() as uow:
        limits = bookmaker_accounts.stake_limits(uow, portfolio_id=portfolio)
    # Dafabet has a limit but no prices of ours to suggest at; bet365 has no known limit.
    assert limits == {"PS": StakeLimit("Pinnacle", 30_000)}
    assert clip_stake(34_844, limits["PS"].max_stake_minor) == 30_000
    assert clip_stake(34_844, None) == 34_844
    assert clip_stake(20_000, limits["PS"].max_stake_minor) == 20_000


def test_migration_0007_keeps_a_book_with_bets(
    engine: Engine, unit_of_work: Callable[[], UnitOfWork]
) -> None:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="m")).submit(
        [
            {
                "type": "odds",
                "provider": "replay",
                "competition": "E0",
                "home_team": "Arsenal",
                "away_team": "Chelsea",
                "kickoff": "2099-08-20T15:00:00Z",
                "bookmaker": "PS",
                "market": "1x2",
                "line": None,
                "prices": {"home": "2.10", "draw": "3.50", "away": "3.60"},
                "captured_at": "2099-08-19T10:00:00Z",
            }
        ]
    )
    owner = _owner(unit_of_work)
    portfolio = portfolios.create(unit_of_work, owner_id=owner, name="main")
    # 500.00 paid in: the 10.00 stake is within the per-bet cap (5% of equity, 25.00).
    portfolios.deposit(unit_of_work, owner_id=owner, portfolio_id=portfolio, amount_minor=50_000)
    with unit_of_work() as uow:
        snapshot = uow.session.scalar(select(OddsRow.id).where(OddsRow.captured_at > NOW))
    assert snapshot is not None
    bet_id = bets.place(
        unit_of_work,
        owner_id=owner,
        portfolio_id=portfolio,
        odds_snapshot_id=snapshot,
        selection=Selection.HOME,
        stake_minor=1_000,
        now=datetime(2099, 8, 19, 12, tzinfo=UTC),  # after the price, before kick-off
    )
    downgrade(engine, "0006")
    upgrade(engine)
    assert current_revision(engine) == "0010"
    with unit_of_work() as uow:
        row = uow.session.get(BetRow, bet_id)
        assert row is not None
        assert (row.odds_snapshot_id, row.stake_minor, row.bookmaker) == (snapshot, 1_000, None)
        assert uow.ledger.balance(portfolio_id=portfolio) == 49_000
    assert audit.verify_chain(unit_of_work).ok
