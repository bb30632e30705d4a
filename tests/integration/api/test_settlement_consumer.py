"""Bets settle themselves when their result arrives on the stream, once, and owners hear of it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.api.settlement_consumer import SettlementConsumer
from scoreline.domain import Selection
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services import book
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import LedgerEntryRow, UserRow
from scoreline.storage.unit_of_work import UnitOfWork

KICKOFF = datetime(2099, 8, 20, 15, tzinfo=UTC)


class Heard:
    """Records notifications as the realtime server would send them."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, dict[str, Any]]] = []

    async def bet_settled(self, user_id: int, payload: dict[str, Any]) -> None:
        self.messages.append((user_id, payload))


def test_a_result_on_the_stream_settles_open_bets_once(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    bus, streams = MemoryBus(), Streams(prefix="t")
    engine = IngestionEngine(bus, unit_of_work, streams=streams)
    tick = {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": "2099-08-20T15:00:00Z",
        "bookmaker": "PS",
        "market": "over_under",
        "line": "2.25",
        "prices": {"over": "1.95", "under": "1.90"},
        "captured_at": "2099-08-19T10:00:00Z",
    }
    assert engine.submit([tick]).stored == 1
    with unit_of_work() as uow:
        owner = UserRow(
            email="a@example.com",
            password_hash="x",
            role="trader",
            is_active=True,
            created_at=datetime.now(UTC),
        )
        uow.session.add(owner)
        uow.session.flush()
        owner_id = owner.id
        uow.commit()
    portfolio = book.create_portfolio(unit_of_work, owner_id=owner_id, name="main")
    book.deposit(unit_of_work, owner_id=owner_id, portfolio_id=portfolio, amount_minor=10_000)
    odds_id = int(
        json.loads(bus.tail(streams.odds, after="0", count=1, block_ms=0)[0].payload)["odds_id"]
    )
    bet_id = book.place_bet(
        unit_of_work,
        owner_id=owner_id,
        portfolio_id=portfolio,
        odds_snapshot_id=odds_id,
        selection=Selection.OVER,
        stake_minor=1_000,
        now=KICKOFF - timedelta(hours=1),
    )
    heard = Heard()

    async def scenario() -> None:
        consumer = SettlementConsumer(unit_of_work, bus=bus, streams=streams, notify=heard)
        consumer.start()
        try:
            result = {
                "type": "result",
                "provider": "replay",
                "competition": "E0",
                "home_team": "Arsenal",
                "away_team": "Chelsea",
                "kickoff": "2099-08-20T15:00:00Z",
                "home_goals": 2,
                "away_goals": 0,
            }
            assert engine.submit([result]).results == 1
            # A redelivered entry (as after a crash) must not pay again.
            bus.publish(
                streams.results,
                [bus.tail(streams.results, after="0", count=1, block_ms=0)[0].payload],
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not heard.messages:
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.3)
        finally:
            consumer.stop()

    asyncio.run(scenario())
    # Over 2.25 on 2-0: half on over 2 (push), half on over 2.5 (lost) → half lost.
    assert heard.messages == [
        (
            owner_id,
            {
                "bet_id": bet_id,
                "portfolio_id": portfolio,
                "fixture_id": heard.messages[0][1]["fixture_id"],
                "outcome": "half_lost",
                "payout_minor": 500,
                "profit_minor": -500,
            },
        )
    ]
    with unit_of_work() as uow:
        payouts = uow.session.scalars(
            select(LedgerEntryRow.amount_minor).where(LedgerEntryRow.kind == "payout")
        ).all()
        assert payouts == [500]
        assert book.bankroll_minor(uow.session, portfolio) == 10_000 - 500
