"""Ticks through the ingestion engine and the worker, on SQLite and PostgreSQL, memory and Redis."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import Loaded
from scoreline.errors import BusUnavailableError
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.worker import Worker, WorkerConfig
from scoreline.services import model_versions
from scoreline.services.fitting import fit_dixon_coles
from scoreline.storage.tables import OddsOutboxRow, OddsRow, PredictionRow
from scoreline.storage.unit_of_work import UnitOfWork


def tick(
    home: str = "Arsenal",
    away: str = "Everton",
    *,
    kickoff: str = "2022-05-22T15:00:00Z",
    bookmaker: str = "PS",
    prices: tuple[str, str, str] = ("1.50", "4.50", "6.50"),
    captured_at: str = "2022-05-21T09:00:00Z",
    **extra: Any,
) -> dict[str, Any]:
    """An odds tick for a real E0 2021-22 fixture (Arsenal 5-1 Everton, 22 May 2022)."""
    body: dict[str, Any] = {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": home,
        "away_team": away,
        "kickoff": kickoff,
        "bookmaker": bookmaker,
        "market": "1x2",
        "line": None,
        "prices": dict(zip(("home", "draw", "away"), prices, strict=True)),
        "captured_at": captured_at,
    }
    body.update(extra)
    return body


def moving_ticks(n: int) -> list[dict[str, Any]]:
    """``n`` distinct price moves on one fixture, a minute apart."""
    start = datetime(2022, 5, 20, 9, tzinfo=UTC)
    return [
        tick(
            prices=(f"{1.40 + 0.01 * i:.2f}", "4.50", "7.00"),
            captured_at=(start + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
        )
        for i in range(n)
    ]


def make_worker(loaded: Loaded, bus: Bus, streams: Streams, **config: Any) -> Worker:
    def loader() -> model_versions.LoadedModel:
        return model_versions.load_active(loaded.unit_of_work, artifacts_dir=loaded.artifacts)

    settings: dict[str, Any] = {"streams": streams, "block_ms": 10, "consumer": "w1"} | config
    return Worker(bus, loaded.unit_of_work, loader, config=WorkerConfig(**settings))


def drain(worker: Worker, rounds: int = 50) -> None:
    for _ in range(rounds):
        if worker.step() == 0:
            return


def count(unit_of_work: Callable[[], UnitOfWork], column: Any) -> int:
    with unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count(column))) or 0)


def test_each_tick_becomes_one_stored_and_published_prediction(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    odds_before = count(loaded.unit_of_work, OddsRow.id)
    summary = engine.submit(moving_ticks(20))
    assert (summary.stored, summary.dead_lettered) == (20, 0)
    assert count(loaded.unit_of_work, OddsRow.id) == odds_before + 20
    # Published entries leave the outbox with the next batch, or on a flush.
    assert engine.flush_outbox() == 0
    assert count(loaded.unit_of_work, OddsOutboxRow.odds_snapshot_id) == 0
    worker = make_worker(loaded, bus, streams)
    drain(worker)
    with loaded.unit_of_work() as uow:
        rows = uow.session.scalars(select(PredictionRow).order_by(PredictionRow.id)).all()
        assert len(rows) == 20
        assert len({r.trigger for r in rows}) == 20
        assert all(r.odds_snapshot_id is not None and r.markets for r in rows)
        first, last = rows[0], rows[-1]
        assert abs(first.p_home + first.p_draw + first.p_away - 1) < 1e-9
        # Dixon-Coles serves alone here, so the market does not move it; the grid
        # still prices every market consistently with the 1X2.
        assert first.markets is not None
        assert first.markets["1x2"][0] == pytest.approx(first.p_home, abs=1e-6)
        assert set(first.markets["over_under"]) >= {"2.5"}
        assert len(first.feature_hash or "") == 64
        assert last.trigger == f"odds:{last.odds_snapshot_id}"
        fixture_id = first.fixture_id
    published = bus.tail(streams.predictions, after="0", count=100, block_ms=0)
    assert len(published) == 20
    body = json.loads(published[0].payload)
    assert body["fixture_id"] == fixture_id
    assert body["version"] == worker.model.version
    info = bus.group_info(streams.odds, "workers")
    assert (info.lag, info.pending) == (0, 0)


def test_duplicates_and_unchanged_prices_are_dropped_not_stored_twice(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    first = engine.submit([tick(), tick()])  # the same tick twice in a batch
    assert (first.stored, first.unchanged) == (1, 1)
    again = IngestionEngine(bus, loaded.unit_of_work, streams=streams)  # a fresh process
    second = again.submit([tick()])
    assert (second.stored, second.duplicate) == (0, 1)
    moved = again.submit([tick(prices=("1.52", "4.40", "6.40"))])
    assert moved.stored == 0
    assert moved.unchanged == 0
    assert moved.duplicate == 1
    later = again.submit(
        [tick(prices=("1.52", "4.40", "6.40"), captured_at="2022-05-21T10:00:00Z")]
    )
    assert later.stored == 1
    # Two snapshots on the stream; a fresh engine republishes what the previous one
    # published but had not yet cleared from the outbox (at least once).
    entries = bus.tail(streams.odds, after="0", count=10, block_ms=0)
    assert len({json.loads(e.payload)["odds_id"] for e in entries}) == 2


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (tick(home="Arsenal FC"), "unknown_team"),
        (tick(prices=("-1.5", "4.5", "6.5")), "bad_price"),
        (tick(prices=("0", "4.5", "6.5")), "bad_price"),
        (tick(market="corners"), "unknown_market"),
        (tick(competition="XX9"), "unknown_competition"),
        (b"\xff\xfe garbage \x00", "not_json"),
        (b"[1, 2]", "not_json"),
        (tick(kickoff="tomorrow"), "bad_time"),
    ],
)
def test_malformed_ticks_are_dead_lettered_with_their_reason(
    loaded: Loaded, bus: Bus, streams: Streams, bad: Any, reason: str
) -> None:
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    summary = engine.submit([bad, *moving_ticks(2)])
    assert summary.dead_lettered == 1
    assert summary.reasons == {reason: 1}
    assert summary.stored == 2  # the good ones in the same batch still go through
    letters = bus.tail(streams.dead_letter, after="0", count=10, block_ms=0)
    assert [json.loads(e.payload)["reason"] for e in letters] == [reason]
    assert json.loads(letters[0].payload)["stage"] == "ingestion"


def test_the_worker_dead_letters_garbage_on_the_odds_stream_and_keeps_going(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    bus.publish(streams.odds, [b"\x00\x01 not json", b'{"odds_id": "x"}', b'{"odds_id": 1}'])
    bus.publish(streams.odds, [b'{"odds_id": 999999999, "fixture_id": 999999999}'])
    engine.submit(moving_ticks(3))
    worker = make_worker(loaded, bus, streams)
    drain(worker)
    reasons = [
        json.loads(e.payload)["reason"]
        for e in bus.tail(streams.dead_letter, after="0", count=10, block_ms=0)
    ]
    assert reasons == ["not_json", "bad_id", "missing_field", "unknown_fixture"]
    assert count(loaded.unit_of_work, PredictionRow.id) == 3
    assert bus.group_info(streams.odds, "workers").pending == 0


def test_redelivery_never_duplicates_a_prediction(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    engine.submit(moving_ticks(5))
    worker = make_worker(loaded, bus, streams)
    drain(worker)
    # Replay the same entries as a redelivery would (a worker died after commit).
    entries = bus.tail(streams.odds, after="0", count=10, block_ms=0)
    bus.publish(streams.odds, [e.payload for e in entries])
    drain(worker)
    assert count(loaded.unit_of_work, PredictionRow.id) == 5


def test_a_stale_pending_batch_is_claimed_by_another_worker(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    engine.submit(moving_ticks(6))
    bus.ensure_group(streams.odds, "workers")
    taken = bus.read(streams.odds, "workers", "dead-worker", count=4, block_ms=0)
    assert len(taken) == 4  # read and never acknowledged: the consumer died
    worker = make_worker(loaded, bus, streams, claim_idle_ms=0, claim_every_s=0.0)
    drain(worker)
    assert count(loaded.unit_of_work, PredictionRow.id) == 6
    assert bus.group_info(streams.odds, "workers").pending == 0


def test_a_poison_entry_is_dead_lettered_after_max_deliveries(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    bus.ensure_group(streams.odds, "workers")
    bus.publish(streams.odds, [b'{"odds_id": 1, "fixture_id": 1}'])
    for _ in range(3):  # three consumers died holding it
        bus.claim_stale(streams.odds, "workers", "x", min_idle_ms=0, count=10) or bus.read(
            streams.odds, "workers", "x", count=10, block_ms=0
        )
    worker = make_worker(loaded, bus, streams, claim_idle_ms=0, claim_every_s=0.0, max_deliveries=2)
    drain(worker)
    letters = bus.tail(streams.dead_letter, after="0", count=10, block_ms=0)
    assert [json.loads(e.payload)["reason"] for e in letters] == ["too_many_deliveries"]
    assert bus.group_info(streams.odds, "workers").pending == 0


def test_results_are_stored_once_and_a_conflicting_score_is_dead_lettered(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    result = {
        "type": "result",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Everton",
        "kickoff": "2022-05-22T15:00:00Z",
        "home_goals": 5,
        "away_goals": 1,
    }
    same = engine.submit([result])
    assert (same.results, same.dead_lettered) == (1, 0)
    wrong = engine.submit([result | {"home_goals": 4}])
    assert wrong.reasons == {"result_conflict": 1}


class FlakyBus:
    """A bus whose odds publishes fail while ``down`` is set, as Redis does when it dies."""

    def __init__(self, bus: Bus, odds_stream: str) -> None:
        self.bus, self.odds_stream, self.down = bus, odds_stream, True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.bus, name)

    def publish(self, stream: str, payloads: Any, *, maxlen: int | None = None) -> list[str]:
        if self.down and stream == self.odds_stream:
            raise BusUnavailableError("the test took the bus down")
        return self.bus.publish(stream, payloads, maxlen=maxlen)


def test_a_crash_between_commit_and_publish_is_repaired_from_the_outbox(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    flaky = FlakyBus(bus, streams.odds)
    dying = IngestionEngine(flaky, loaded.unit_of_work, streams=streams)
    with pytest.raises(BusUnavailableError):
        dying.submit(moving_ticks(7))
    # Stored, not published: the process "dies" here. Its outbox holds all seven.
    assert count(loaded.unit_of_work, OddsOutboxRow.odds_snapshot_id) == 7
    assert bus.length(streams.odds) == 0
    restarted = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    assert restarted.flush_outbox() == 7
    assert count(loaded.unit_of_work, OddsOutboxRow.odds_snapshot_id) == 0
    worker = make_worker(loaded, bus, streams)
    drain(worker)
    assert count(loaded.unit_of_work, PredictionRow.id) == 7
    published = [
        json.loads(e.payload) for e in bus.tail(streams.odds, after="0", count=20, block_ms=0)
    ]
    assert sorted(p["odds_id"] for p in published) == sorted({p["odds_id"] for p in published})


def test_a_worker_follows_the_active_model_when_another_process_switches_it(
    loaded: Loaded, bus: Bus, streams: Streams
) -> None:
    worker = make_worker(loaded, bus, streams, follow_every_s=0.0)
    before = worker.model.version
    # What a refit over the API does, from another process: fit, register, activate.
    refit = fit_dixon_coles(loaded.unit_of_work, artifacts_dir=loaded.artifacts)
    assert refit.version != before
    worker.step()
    assert worker.model.version == refit.version
    engine = IngestionEngine(bus, loaded.unit_of_work, streams=streams)
    assert engine.submit(moving_ticks(2)).stored == 2
    drain(worker)
    with loaded.unit_of_work() as uow:
        served = uow.session.scalars(select(PredictionRow.model_version_id)).all()
        sources = set(uow.session.scalars(select(OddsRow.source).where(OddsRow.source != "file")))
    assert served
    assert len(set(served)) == 1
    assert sources == {"live"}  # ticks are marked, so a file reload leaves them alone
