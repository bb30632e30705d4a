"""Bets settle themselves when their result arrives on the stream, once, and each settled bet
is announced on ``settlements`` for its owner; on SQLite and PostgreSQL, memory and Redis."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.domain import Selection
from scoreline.domain.betting import PortfolioSettings
from scoreline.messaging.bus import Bus
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import SETTLEMENT_GROUP, Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.settlement import SettlementConsumer
from scoreline.services import bets, portfolios
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import LedgerEntryRow, UserRow
from scoreline.storage.unit_of_work import UnitOfWork

# Played yesterday: the bet goes on before kick-off (``place`` takes the time), and the
# result, which is refused before kick-off, arrives after it by the wall clock.
KICKOFF = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=1)
MATCH = {
    "provider": "replay",
    "competition": "E0",
    "home_team": "Arsenal",
    "away_team": "Chelsea",
    "kickoff": KICKOFF.isoformat(),
}
TOTALS = MATCH | {
    "type": "odds",
    "bookmaker": "PS",
    "market": "over_under",
    "line": "2.25",
    "prices": {"over": "1.95", "under": "1.90"},
    "captured_at": (KICKOFF - timedelta(hours=2)).isoformat(),
}
RESULT = MATCH | {"type": "result", "home_goals": 2, "away_goals": 0}

UNCAPPED = PortfolioSettings(
    max_stake_fraction=Decimal(1), max_fixture_fraction=Decimal(1), max_day_fraction=Decimal(1)
)
"""Caps that never bind: the bets here are about settlement, not the book's caps."""


@dataclass
class Book:
    """A fixture scheduled by a live tick, and one open bet on it (over 2.25 at 1.95)."""

    unit_of_work: Callable[[], UnitOfWork]
    owner_id: int
    portfolio_id: int
    bet_id: int


def open_bet(unit_of_work: Callable[[], UnitOfWork], engine: IngestionEngine, bus: Bus) -> Book:
    assert engine.submit([TOTALS]).stored == 1
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
    portfolio = portfolios.create(unit_of_work, owner_id=owner_id, name="main", settings=UNCAPPED)
    portfolios.deposit(unit_of_work, owner_id=owner_id, portfolio_id=portfolio, amount_minor=10_000)
    entry = bus.tail(engine.streams.odds, after="0", count=1, block_ms=0)[0]
    bet_id = bets.place(
        unit_of_work,
        owner_id=owner_id,
        portfolio_id=portfolio,
        odds_snapshot_id=int(json.loads(entry.payload)["odds_id"]),
        selection=Selection.OVER,
        stake_minor=1_000,
        now=KICKOFF - timedelta(hours=28),  # an hour after the price was captured
    )
    return Book(unit_of_work, owner_id, portfolio, bet_id)


@pytest.fixture
def book(unit_of_work: Callable[[], UnitOfWork], bus: Bus, streams: Streams) -> Book:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    return open_bet(unit_of_work, IngestionEngine(bus, unit_of_work, streams=streams), bus)


@pytest.fixture
def consumer(book: Book, bus: Bus, streams: Streams) -> Iterator[SettlementConsumer]:
    made = SettlementConsumer(bus, book.unit_of_work, streams=streams, block_ms=20)
    yield made
    made.stop()


def announced(bus: Bus, streams: Streams) -> list[dict[str, Any]]:
    return [
        json.loads(e.payload)
        for e in bus.tail(streams.settlements, after="0", count=100, block_ms=0)
    ]


def payouts(book: Book) -> list[int]:
    with book.unit_of_work() as uow:
        return list(
            uow.session.scalars(
                select(LedgerEntryRow.amount_minor).where(LedgerEntryRow.kind == "payout")
            )
        )


def drain(consumer: SettlementConsumer, rounds: int = 20) -> None:
    for _ in range(rounds):
        if consumer.loop.step() == 0:
            return


def test_a_result_on_the_stream_settles_open_bets_once_and_announces_them(
    book: Book, bus: Bus, streams: Streams, consumer: SettlementConsumer
) -> None:
    engine = IngestionEngine(bus, book.unit_of_work, streams=streams)
    assert engine.submit([RESULT]).results == 1
    # A redelivered entry (as after a crash) must not pay again.
    first = bus.tail(streams.results, after="0", count=1, block_ms=0)[0]
    bus.publish(streams.results, [first.payload])
    drain(consumer)
    # Over 2.25 on 2-0: half on over 2 (push), half on over 2.5 (lost) -> half lost.
    assert announced(bus, streams) == [
        {
            "owner_id": book.owner_id,
            "bet_id": book.bet_id,
            "portfolio_id": book.portfolio_id,
            "fixture_id": json.loads(first.payload)["fixture_id"],
            "outcome": "half_lost",
            "payout_minor": 500,
            "profit_minor": -500,
        }
    ]
    assert payouts(book) == [500]
    with book.unit_of_work() as uow:
        assert uow.ledger.balance(portfolio_id=book.portfolio_id) == 10_000 - 500
    info = bus.group_info(streams.results, SETTLEMENT_GROUP)
    assert (info.lag, info.pending) == (0, 0)


def test_an_unusable_results_entry_is_dead_lettered_and_the_rest_settle(
    book: Book, bus: Bus, streams: Streams, consumer: SettlementConsumer
) -> None:
    bus.publish(streams.results, [b"\xff not json", b'{"home_goals": 1}'])
    engine = IngestionEngine(bus, book.unit_of_work, streams=streams)
    assert engine.submit([RESULT]).results == 1
    drain(consumer)
    letters = [
        json.loads(e.payload)
        for e in bus.tail(streams.dead_letter, after="0", count=10, block_ms=0)
    ]
    assert [(d["stage"], d["reason"]) for d in letters] == [
        (SETTLEMENT_GROUP, "not_json"),
        (SETTLEMENT_GROUP, "missing_field"),
    ]
    assert [n["bet_id"] for n in announced(bus, streams)] == [book.bet_id]
    assert bus.group_info(streams.results, SETTLEMENT_GROUP).pending == 0


def test_the_sweep_settles_a_result_nobody_heard(
    book: Book, bus: Bus, streams: Streams, consumer: SettlementConsumer
) -> None:
    # The result is stored while its announcement goes to a bus nobody reads.
    unheard = IngestionEngine(MemoryBus(), book.unit_of_work, streams=streams)
    assert unheard.submit([RESULT]).results == 1
    assert bus.length(streams.results) == 0
    consumer.loop.step()  # the first round sweeps
    assert [n["bet_id"] for n in announced(bus, streams)] == [book.bet_id]
    assert consumer.sweep() == []  # nothing is left open, nothing is paid twice
    assert payouts(book) == [500]


def test_the_consumer_runs_on_its_own_thread_and_stops(
    book: Book, bus: Bus, streams: Streams, consumer: SettlementConsumer
) -> None:
    consumer.start()
    engine = IngestionEngine(bus, book.unit_of_work, streams=streams)
    assert engine.submit([RESULT]).results == 1
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not announced(bus, streams):
        time.sleep(0.02)
    assert [n["bet_id"] for n in announced(bus, streams)] == [book.bet_id]
    assert consumer.is_alive()
    consumer.stop()
    assert consumer.loop.join(5)
    assert not consumer.is_alive()


def test_every_consumer_gets_a_name_of_its_own(
    unit_of_work: Callable[[], UnitOfWork], streams: Streams
) -> None:
    bus = MemoryBus()
    names = {
        SettlementConsumer(bus, unit_of_work, streams=streams).loop.config.consumer
        for _ in range(5)
    }
    assert len(names) == 5
