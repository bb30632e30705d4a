"""Ticks in against predictions out with poison entries among them (issue 17, item 1).

One ML worker (in this process, on a thread) on the local Redis and a throwaway
PostgreSQL database holding E0 2021-22 and a Dixon-Coles fit. Two runs, each
on streams of its own:

1. **clean**: ``--ticks`` valid odds ticks stored by the ingestion engine;
2. **poisoned**: as many valid ticks with ``--poison`` poison entries appended by
   XADD among them (the probes of issue 17: an odds id no snapshot has, ``1e400``,
   ids past BIGINT, negative ids, NUL bytes, nested garbage).

For each: the wall time from starting the worker to its group having nothing
left (lag and pending 0), predictions stored, dead letters and their reasons.
The figure is the poisoned run's time as a ratio of the mean of two clean runs,
one before it and one after.

    .venv/bin/python benchmarks/bench_poison.py [--ticks 1000 --poison 10]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--redis redis://127.0.0.1:6379/14]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench_support import database
from scoreline.messaging.names import WORKER_GROUP, Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.worker import Worker, WorkerConfig
from scoreline.services import model_versions
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade
from scoreline.storage.tables import PredictionRow
from scoreline.storage.unit_of_work import UnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[1]
SEASON = ROOT / "data" / "sample" / "football-data" / "E0" / "2021-2022.csv"
FIXTURES = [
    ("Arsenal", "Everton"),
    ("Brentford", "Leeds"),
    ("Chelsea", "Watford"),
    ("Liverpool", "Wolves"),
    ("Man City", "Aston Villa"),
]


def ticks(n: int, offset: int) -> list[dict[str, Any]]:
    start = datetime(2022, 5, 1, tzinfo=UTC)
    out = []
    for i in range(offset, offset + n):
        home, away = FIXTURES[i % len(FIXTURES)]
        out.append(
            {
                "type": "odds",
                "provider": "replay",
                "competition": "E0",
                "home_team": home,
                "away_team": away,
                "kickoff": "2022-05-22T15:00:00Z",
                "bookmaker": "PS",
                "market": "1x2",
                "line": None,
                "prices": {"home": f"{1.5 + (i % 97) / 100:.2f}", "draw": "4.2", "away": "6.0"},
                "captured_at": (start + timedelta(minutes=i)).isoformat().replace("+00:00", "Z"),
            }
        )
    return out


def poison(fixture_id: int) -> list[bytes]:
    return [
        b'{"odds_id": 999999999, "fixture_id": %d}' % fixture_id,
        b'{"odds_id": 1e400, "fixture_id": %d}' % fixture_id,
        b'{"odds_id": %d, "fixture_id": %d}' % (2**64, fixture_id),
        b'{"odds_id": -5, "fixture_id": %d}' % fixture_id,
        b'{"odds_id": 7, "fixture_id": %d}' % 2**40,
        b'{"odds_id": 1, "fixture_id": 1}\x00',
        b'{"odds_id": {"$ne": [1]}, "fixture_id": 2}',
        b"[" * 50_000 + b"]" * 50_000,
        b"\xff\xfe",
        b'{"fixture_id": %d}' % fixture_id,
    ]


def run(
    unit_of_work: UnitOfWorkFactory,
    artifacts: Path,
    redis_url: str,
    n: int,
    n_poison: int,
    *,
    offset: int,
) -> dict[str, Any]:
    """One run on streams of its own; ticks ``offset``.. are new prices (none unchanged)."""
    bus = RedisBus(redis_url)
    streams = Streams(prefix=f"bench:{uuid.uuid4().hex[:8]}")
    engine = IngestionEngine(bus, unit_of_work, streams=streams)
    chunk = max(1, n // (n_poison + 1))
    sent, bad = 0, 0
    first_fixture: int | None = None
    while sent < n:
        size = min(chunk, n - sent)
        engine.submit(ticks(size, offset=offset + sent))
        sent += size
        if first_fixture is None:
            entry = bus.tail(streams.odds, after="0", count=1, block_ms=0)[0]
            first_fixture = int(json.loads(entry.payload)["fixture_id"])
        if bad < n_poison:
            bus.publish(streams.odds, [poison(first_fixture)[bad % 10]])
            bad += 1

    # Published snapshots leave the outbox with the engine's next write; flushing now does
    # that write, so the next run's engine does not publish this run's ticks again.
    engine.flush_outbox()

    def loader() -> model_versions.LoadedModel:
        return model_versions.load_active(unit_of_work, artifacts_dir=artifacts)

    before = predictions(unit_of_work)
    worker = Worker(bus, unit_of_work, loader, config=WorkerConfig(streams=streams, block_ms=50))
    started = time.perf_counter()
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    while True:
        info = bus.group_info(streams.odds, WORKER_GROUP)
        if info.lag == 0 and info.pending == 0:
            break
        time.sleep(0.005)
    wall = time.perf_counter() - started
    alive = worker.is_alive()
    worker.stop()
    thread.join(10)
    letters = bus.tail(streams.dead_letter, after="0", count=10_000, block_ms=0)
    reasons = Counter(json.loads(e.payload)["reason"] for e in letters)
    for key in bus.client.scan_iter(match=f"{streams.prefix}:*"):
        bus.client.delete(key)
    bus.close()
    return {
        "ticks_in": n,
        "poison_in": bad,
        "predictions_out": predictions(unit_of_work) - before,
        "dead_letters": sum(reasons.values()),
        "reasons": dict(reasons),
        "wall_seconds": round(wall, 3),
        "worker_alive_at_end": alive,
    }


def predictions(unit_of_work: UnitOfWorkFactory) -> int:
    with unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count(PredictionRow.id))) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=1000)
    parser.add_argument("--poison", type=int, default=10)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    args = parser.parse_args()
    with database(args.postgres) as url, tempfile.TemporaryDirectory() as folder:
        engine = make_engine(url)
        upgrade(engine)
        unit_of_work = unit_of_work_factory(engine)
        ingest_football_data(unit_of_work, [SEASON])
        artifacts = Path(folder) / "models"
        fit_dixon_coles(
            unit_of_work, artifacts_dir=artifacts, as_of=datetime(2022, 5, 1, tzinfo=UTC)
        )
        n = args.ticks
        # Clean runs before and after, so warming up favours neither side.
        clean = run(unit_of_work, artifacts, args.redis, n, 0, offset=0)
        poisoned = run(unit_of_work, artifacts, args.redis, n, args.poison, offset=n)
        again = run(unit_of_work, artifacts, args.redis, n, 0, offset=2 * n)
        engine.dispose()
    baseline = (clean["wall_seconds"] + again["wall_seconds"]) / 2
    ratio = round(poisoned["wall_seconds"] / baseline, 2)
    report = {"clean": clean, "poisoned": poisoned, "clean_again": again, "wall_ratio": ratio}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
