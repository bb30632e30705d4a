"""Issue 17, items 1, 2 and 11 (first half): poison on the streams and readiness that means it.

Poison entries are appended with XADD (``bus.publish`` is one XADD per entry, field ``d``)
among valid ticks and results, on SQLite and PostgreSQL, the in-process bus and Redis. Each
must be dead-lettered with its reason within ``max_deliveries``, without a crash, while every
valid tick is predicted and a real result settles its bet exactly once.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select, update

from conftest import SAMPLE_DATA, Loaded
from scoreline.api.server import build_server
from scoreline.config import Settings
from scoreline.domain import Selection
from scoreline.domain.betting import PortfolioSettings
from scoreline.messaging.bus import Bus
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import SETTLEMENT_GROUP, WORKER_GROUP, Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.pipeline.settlement import SettlementConsumer
from scoreline.pipeline.worker import Worker, WorkerConfig
from scoreline.pipeline.worker_app import create_worker_app
from scoreline.services import bets, model_versions, portfolios
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import FixtureRow, LedgerEntryRow, PredictionRow, UserRow
from scoreline.storage.unit_of_work import UnitOfWork

MAX_DELIVERIES = 3
DEEP = b'{"odds_id": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"

UNCAPPED = PortfolioSettings(
    max_stake_fraction=Decimal(1), max_fixture_fraction=Decimal(1), max_day_fraction=Decimal(1)
)
"""Caps that never bind: the bets here are about settlement, not the book's caps."""


def tick(i: int, *, home: str = "Arsenal", away: str = "Everton") -> dict[str, Any]:
    """The ``i``-th distinct 1X2 move on a real E0 2021-22 fixture (22 May 2022)."""
    at = datetime(2022, 5, 20, 9, tzinfo=UTC) + timedelta(minutes=i)
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": home,
        "away_team": away,
        "kickoff": "2022-05-22T15:00:00Z",
        "bookmaker": "PS",
        "market": "1x2",
        "line": None,
        "prices": {"home": f"{1.40 + 0.01 * i:.2f}", "draw": "4.50", "away": "7.00"},
        "captured_at": at.isoformat().replace("+00:00", "Z"),
    }


def odds_poison(fixture_id: int, other_odds_id: int) -> dict[bytes, str]:
    """Each poison odds entry and the reason it must be dead-lettered with."""
    return {
        # the probes of issue 17: an IntegrityError and an OverflowError before
        b'{"odds_id": 999999999, "fixture_id": %d}' % fixture_id: "unknown_odds",
        b'{"odds_id": 1e400, "fixture_id": %d}' % fixture_id: "bad_id",
        b'{"odds_id": %d, "fixture_id": %d}' % (2**64, fixture_id): "bad_id",
        b'{"odds_id": -5, "fixture_id": %d}' % fixture_id: "bad_id",
        b'{"odds_id": 7, "fixture_id": %d}' % 2**40: "bad_id",
        b'{"odds_id": 1, "fixture_id": 1}\x00': "not_json",
        b'{"odds_id": "1\\u0000", "fixture_id": %d}' % fixture_id: "bad_id",
        b'{"odds_id": {"$ne": [1, {"a": null}]}, "fixture_id": 2}': "bad_id",
        DEEP: "not_json",
        # a real snapshot named with another (real) fixture
        b'{"odds_id": %d, "fixture_id": %d}' % (other_odds_id, fixture_id): "unknown_odds",
    }


def dead_letters(bus: Bus, streams: Streams) -> list[dict[str, Any]]:
    entries = bus.tail(streams.dead_letter, after="0", count=10_000, block_ms=0)
    return [json.loads(e.payload) for e in entries]


def make_worker(loaded: Loaded, bus: Bus, streams: Streams) -> Worker:
    def loader() -> model_versions.LoadedModel:
        return model_versions.load_active(loaded.unit_of_work, artifacts_dir=loaded.artifacts)

    config = WorkerConfig(
        streams=streams,
        consumer="fault-worker",
        block_ms=10,
        claim_idle_ms=0,
        claim_every_s=0.0,
        max_deliveries=MAX_DELIVERIES,
        retry_sleep_s=0.01,
    )
    return Worker(bus, loaded.unit_of_work, loader, config=config, metrics=PipelineMetrics())


def stored_predictions(unit_of_work: Callable[[], UnitOfWork]) -> int:
    with unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count(PredictionRow.id))) or 0)


def test_poison_odds_among_valid_ticks_are_dead_lettered_and_every_tick_is_predicted(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    assert engine.submit([tick(0, home="Chelsea", away="Watford")]).stored == 1
    assert engine.submit([tick(0)]).stored == 1
    first, second = bus.tail(streams.odds, after="0", count=2, block_ms=0)
    other_odds = json.loads(first.payload)["odds_id"]
    fixture_id = json.loads(second.payload)["fixture_id"]
    poison = odds_poison(fixture_id, other_odds)
    for i, payload in enumerate(poison, start=1):  # interleaved with valid ticks
        bus.publish(streams.odds, [payload])
        assert engine.submit([tick(2 * i), tick(2 * i + 1)]).stored == 2
    valid = 2 + 2 * len(poison)
    worker = make_worker(loaded, bus, streams)
    running = threading.Thread(target=worker.run, daemon=True)
    running.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            info = bus.group_info(streams.odds, WORKER_GROUP)
            if info.lag == 0 and info.pending == 0:
                break
            time.sleep(0.02)
        assert worker.problems() == {}  # still running: nothing crashed it
    finally:
        worker.stop()
        running.join(10)
    assert stored_predictions(loaded.unit_of_work) == valid  # every valid tick, once
    letters = {letter["payload"].encode(): letter for letter in dead_letters(bus, streams)}
    assert {p: letters[p]["reason"] for p in poison} == poison
    assert all(letter["stage"] == WORKER_GROUP for letter in letters.values())
    assert all(letter["deliveries"] <= MAX_DELIVERIES for letter in letters.values())
    assert worker.loop.stats.dead_lettered == len(poison)
    assert worker.loop.stats.failures == 0  # refused at decoding, none had to crash first
    counted = worker.metrics.dead_letters.labels(stage=WORKER_GROUP, reason="bad_id")._value.get()
    assert counted == list(poison.values()).count("bad_id")


# -- settlement ---------------------------------------------------------------------------


def test_poison_results_are_dead_lettered_and_a_real_result_settles_its_bet_once(
    unit_of_work: Callable[[], UnitOfWork], bus: Bus, streams: Streams
) -> None:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    engine = IngestionEngine(bus, unit_of_work, streams=streams)
    now = datetime.now(UTC)
    kickoff = (now + timedelta(days=1)).replace(microsecond=0)
    match = {
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": kickoff.isoformat().replace("+00:00", "Z"),
    }
    odds = match | {
        "type": "odds",
        "bookmaker": "PS",
        "market": "1x2",
        "line": None,
        "prices": {"home": "2.10", "draw": "3.40", "away": "3.60"},
        "captured_at": (now - timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
    }
    assert engine.submit([odds]).stored == 1
    entry = json.loads(bus.tail(streams.odds, after="0", count=1, block_ms=0)[0].payload)
    owner_id = _user(unit_of_work)
    portfolio = portfolios.create(unit_of_work, owner_id=owner_id, name="main", settings=UNCAPPED)
    portfolios.deposit(unit_of_work, owner_id=owner_id, portfolio_id=portfolio, amount_minor=10_000)
    bet_id = bets.place(
        unit_of_work,
        owner_id=owner_id,
        portfolio_id=portfolio,
        odds_snapshot_id=entry["odds_id"],
        selection=Selection.HOME,
        stake_minor=1_000,
    )
    # The match is played: it kicked off three hours ago, and its result comes in.
    played = (now - timedelta(hours=3)).replace(microsecond=0)
    with unit_of_work() as uow:
        uow.session.execute(
            update(FixtureRow)
            .where(FixtureRow.id == entry["fixture_id"])
            .values(kickoff_utc=played, match_date=played.date())
        )
        uow.commit()
    poison = {
        b'{"fixture_id": 1e400, "home_goals": 2, "away_goals": 0}': "bad_id",
        b'{"fixture_id": %d, "home_goals": 2, "away_goals": 0}' % 2**64: "bad_id",
        b'{"fixture_id": -1, "home_goals": 2, "away_goals": 0}': "bad_id",
        b'{"fixture_id": "\\u0000", "home_goals": 2}': "bad_id",
        b"\x00\x00\x00": "not_json",
        b'{"fixture_id": [[[[{"x": 1e400}]]]]}': "bad_id",
        b'{"home_goals": 2, "away_goals": 0}': "missing_field",
    }
    bus.publish(streams.results, list(poison))
    result = match | {
        "type": "result",
        "kickoff": played.isoformat().replace("+00:00", "Z"),
        "home_goals": 2,
        "away_goals": 0,
    }
    assert engine.submit([result]).results == 1
    real = bus.tail(streams.results, after="0", count=100, block_ms=0)[-1]
    bus.publish(streams.results, [real.payload])  # redelivered, as after a crash
    counted: list[str] = []
    consumer = SettlementConsumer(
        bus,
        unit_of_work,
        streams=streams,
        block_ms=10,
        claim_idle_ms=0,
        retry_sleep_s=0.01,
        max_deliveries=MAX_DELIVERIES,
        on_dead_letter=counted.append,
    )
    for _ in range(50):
        if consumer.loop.step() == 0:
            break
    letters = {letter["payload"].encode(): letter for letter in dead_letters(bus, streams)}
    assert {p: letters[p]["reason"] for p in poison} == poison
    assert all(letter["stage"] == SETTLEMENT_GROUP for letter in letters.values())
    assert sorted(counted) == sorted(poison.values())
    notices = [
        json.loads(e.payload)
        for e in bus.tail(streams.settlements, after="0", count=10, block_ms=0)
    ]
    assert [(n["bet_id"], n["outcome"], n["payout_minor"]) for n in notices] == [
        (bet_id, "won", 2_100)
    ]
    with unit_of_work() as uow:
        payouts = list(
            uow.session.scalars(
                select(LedgerEntryRow.amount_minor).where(LedgerEntryRow.kind == "payout")
            )
        )
        balance = uow.ledger.balance(portfolio_id=portfolio)
    assert payouts == [2_100]  # exactly once
    assert balance == 10_000 - 1_000 + 2_100  # the bankroll is the ledger
    assert bus.group_info(streams.results, SETTLEMENT_GROUP).pending == 0


def _user(unit_of_work: Callable[[], UnitOfWork]) -> int:
    with unit_of_work() as uow:
        owner = UserRow(
            email="faults@example.com",
            password_hash="x",
            role="trader",
            is_active=True,
            created_at=datetime.now(UTC),
        )
        uow.session.add(owner)
        uow.session.flush()
        owner_id = owner.id
        uow.commit()
    return owner_id


# -- readiness ----------------------------------------------------------------------------

SETTINGS = Settings(jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db")


def test_readiness_is_503_naming_redis_when_redis_is_unreachable(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    closed = SETTINGS.model_copy(update={"redis_url": "redis://127.0.0.1:9/0"})
    server = build_server(closed, unit_of_work, bus=MemoryBus(), streams=Streams(prefix="r"))
    with TestClient(server.asgi) as client:
        answer = client.get("/health/ready")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "down"
    assert body["checks"]["redis"].startswith("down")
    assert body["checks"]["database"] == "ok"


def test_readiness_names_a_dead_consumer_and_is_200_with_each_check_when_all_run(
    unit_of_work: Callable[[], UnitOfWork], redis_url: str, streams: Streams
) -> None:
    settings = SETTINGS.model_copy(update={"redis_url": redis_url})
    bus = MemoryBus()
    settlement = SettlementConsumer(bus, unit_of_work, streams=streams, block_ms=20)
    server = build_server(settings, unit_of_work, bus=bus, streams=streams, background=[settlement])
    with TestClient(server.asgi) as client:
        ready = _wait_ready(client)
        assert ready.status_code == 200, ready.json()
        checks = ready.json()["checks"]
        assert {"database", "redis", "settlement", "realtime-bridge"} <= checks.keys()
        assert any(part.startswith("cache-invalidator:") for part in checks)
        assert set(checks.values()) == {"ok"}
        settlement.stop()  # the settlement thread dies
        answer = client.get("/health/ready")
        assert answer.status_code == 503
        assert answer.json()["checks"]["settlement"].startswith("down")
        assert answer.json()["checks"]["realtime-bridge"] == "ok"


def _wait_ready(client: TestClient, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        answer = client.get("/health/ready")
        if answer.status_code == 200 or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_the_worker_health_is_503_naming_the_bus_when_redis_goes_away(
    loaded: Loaded, streams: Streams
) -> None:
    worker = make_worker(loaded, RedisBus("redis://127.0.0.1:9/0", socket_timeout=0.5), streams)
    answer = TestClient(create_worker_app(worker)).get("/health")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["bus"].startswith("down")
    assert checks["database"] == "ok"
