"""Worker processes killed mid-batch and Redis restarted while ticks flow: nothing lost, nothing
doubled. Real processes (``scoreline worker``), the local PostgreSQL, and Redis servers."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, func, select

from conftest import FIT_BEFORE, SEASON, _truncate_all
from scoreline.errors import BusUnavailableError
from scoreline.messaging.names import Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import make_engine, unit_of_work_factory
from scoreline.storage.tables import PredictionRow
from scoreline.storage.unit_of_work import UnitOfWork

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

SCORELINE = Path(sys.executable).with_name("scoreline")
FIXTURES = [  # E0 2021-22 matches of its last month, all in the sample season file
    ("Arsenal", "Everton", "2022-05-22T15:00:00Z"),
    ("Brentford", "Leeds", "2022-05-22T15:00:00Z"),
    ("Chelsea", "Watford", "2022-05-22T15:00:00Z"),
    ("Liverpool", "Wolves", "2022-05-22T15:00:00Z"),
    ("Man City", "Aston Villa", "2022-05-22T15:00:00Z"),
]


def ticks(n: int, *, offset: int = 0) -> list[dict[str, Any]]:
    """``n`` distinct 1X2 moves spread over the fixtures, a minute apart."""
    start = datetime(2022, 5, 1, tzinfo=UTC)
    out = []
    for i in range(offset, offset + n):
        home, away, kickoff = FIXTURES[i % len(FIXTURES)]
        at = start + timedelta(minutes=i)
        out.append(
            {
                "type": "odds",
                "provider": "replay",
                "competition": "E0",
                "home_team": home,
                "away_team": away,
                "kickoff": kickoff,
                "bookmaker": "PS",
                "market": "1x2",
                "line": None,
                "prices": {"home": f"{1.5 + (i % 97) / 100:.2f}", "draw": "4.2", "away": "6.0"},
                "captured_at": at.isoformat().replace("+00:00", "Z"),
            }
        )
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Env:
    """A migrated PostgreSQL database with E0 2021-22 and a fit, and what processes need."""

    def __init__(self, postgres_url: str, redis_url: str, root: Path) -> None:
        self.engine: Engine = make_engine(postgres_url)
        _truncate_all(self.engine)
        self.unit_of_work: Callable[[], UnitOfWork] = unit_of_work_factory(self.engine)
        ingest_football_data(self.unit_of_work, [SEASON])
        self.data_dir = root / "data"
        fit_dixon_coles(self.unit_of_work, artifacts_dir=self.data_dir / "models", as_of=FIT_BEFORE)
        self.postgres_url, self.redis_url = postgres_url, redis_url
        self.streams = Streams(prefix=f"test:{uuid.uuid4().hex[:10]}")
        self.root = root

    def worker(
        self, name: str, *, redis_url: str | None = None, **options: Any
    ) -> subprocess.Popen[bytes]:
        env = os.environ | {
            "SCORELINE_DATABASE_URL": self.postgres_url,
            "SCORELINE_REDIS_URL": redis_url or self.redis_url,
            "SCORELINE_DATA_DIR": str(self.data_dir),
            "SCORELINE_STREAM_PREFIX": self.streams.prefix,
            "SCORELINE_LOG_LEVEL": "WARNING",
        }
        args = [str(SCORELINE), "worker", "--consumer", name, "--port", str(free_port())]
        for key, value in options.items():
            args += [f"--{key.replace('_', '-')}", str(value)]
        with (self.root / f"{name}.log").open("wb") as log:
            return subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)

    def predictions(self) -> tuple[int, int]:
        """(rows, distinct triggers) of stored predictions."""
        with self.unit_of_work() as uow:
            row = uow.session.execute(
                select(func.count(PredictionRow.id), func.count(PredictionRow.trigger.distinct()))
            ).one()
        return int(row[0]), int(row[1])

    def wait_for(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            time.sleep(0.05)
        logs = "\n".join(p.read_text()[-2000:] for p in self.root.glob("*.log"))
        pytest.fail(
            f"timed out after {timeout:.0f}s waiting for {what}; predictions "
            f"{self.predictions()}\n{logs}"
        )


@pytest.fixture
def env(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[Env]:
    made = Env(postgres_url, redis_url, tmp_path)
    yield made
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{made.streams.prefix}:*"):
        client.delete(key)
    client.close()
    made.engine.dispose()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _reached(env: Env, predictions: int) -> bool:
    return env.predictions()[0] >= predictions


def test_a_worker_killed_mid_batch_loses_nothing_and_doubles_nothing(env: Env) -> None:
    bus = RedisBus(env.redis_url)
    engine = IngestionEngine(bus, env.unit_of_work, streams=env.streams)
    total = 4000
    for start in range(0, total, 500):
        assert engine.submit(ticks(500, offset=start)).stored == 500
    doomed: list[subprocess.Popen[bytes]] = []
    try:
        # A kill can land between two batches (the worker then holds nothing, and there is
        # nothing to prove); each try lets a fresh worker do 400 more and kills it again.
        pending: list[dict[str, bytes | str | int]] = []
        for attempt in range(3):
            target, name = env.predictions()[0] + 400, f"doomed-{attempt}"
            doomed.append(env.worker(name, batch=50, claim_idle_ms=1000))
            env.wait_for(partial(_reached, env, target), 120, f"{name} to get going")
            doomed[-1].send_signal(signal.SIGKILL)
            doomed[-1].wait(timeout=10)
            pending = bus.client.xpending_range(
                env.streams.odds, "workers", min="-", max="+", count=10_000, consumername=name
            )
            if pending:
                break
        # Killed holding entries it had read and not acknowledged: in the middle of a batch.
        assert pending, "every worker was killed between batches; nothing to prove"
        done_when_killed = env.predictions()[0]
        assert done_when_killed < total
        second = env.worker("rescuer", batch=50, claim_idle_ms=1000)
        try:
            env.wait_for(lambda: env.predictions()[0] >= total, 120, "every tick's prediction")
            time.sleep(1.0)  # anything doubled would show up by now
            assert env.predictions() == (total, total)
            info = bus.group_info(env.streams.odds, "workers")
            assert (info.lag, info.pending) == (0, 0)
            published = {
                entry.payload
                for entry in bus.tail(
                    env.streams.predictions, after="0", count=10 * total, block_ms=0
                )
            }
            assert len(published) >= total  # at least once: a redelivery may publish again
        finally:
            stop(second)
    finally:
        for process in doomed:
            stop(process)
        bus.close()


def test_sigterm_finishes_the_batch_and_acknowledges_it(env: Env) -> None:
    bus = RedisBus(env.redis_url)
    engine = IngestionEngine(bus, env.unit_of_work, streams=env.streams)
    engine.submit(ticks(1500))
    worker = env.worker("polite", batch=100)
    try:
        env.wait_for(lambda: env.predictions()[0] >= 100, 120, "the worker to get going")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        pending = bus.client.xpending_range(
            env.streams.odds, "workers", min="-", max="+", count=10_000, consumername="polite"
        )
        assert pending == []  # its last batch was finished and acknowledged
        done = env.predictions()[0]
        info = bus.group_info(env.streams.odds, "workers")
        assert info.lag == 1500 - done  # what it had not read stays for the next worker
    finally:
        stop(worker)
        bus.close()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, Callable[[], None], Callable[[], None]]]:
    """A Redis server of the test's own (the shared one must not restart), persisting every
    write (append-only file, fsync always), with kill and start functions."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed (Debian package redis-server)")
    port = free_port()
    folder = tmp_path / "redis"
    folder.mkdir()
    args = [
        server,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--dir",
        str(folder),
        "--appendonly",
        "yes",
        "--appendfsync",
        "always",
        "--save",
        "",
    ]
    process: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        process.append(subprocess.Popen(args, stdout=subprocess.DEVNULL))
        client = redis.Redis(port=port)
        for _ in range(200):
            try:
                client.ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.025)
        pytest.fail("own redis-server did not start")

    def kill() -> None:
        process[-1].send_signal(signal.SIGKILL)
        process[-1].wait()

    start()
    yield f"redis://127.0.0.1:{port}/0", kill, start
    for p in process:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_restarting_redis_while_ticks_flow_loses_nothing(
    env: Env, own_redis: tuple[str, Callable[[], None], Callable[[], None]]
) -> None:
    url, kill, start = own_redis
    bus = RedisBus(url, socket_timeout=1.0)
    engine = IngestionEngine(bus, env.unit_of_work, streams=env.streams)
    total, batch = 2000, 25
    sent = threading.Event()
    errors: list[BaseException] = []

    def produce() -> None:
        try:
            for offset in range(0, total, batch):
                chunk = ticks(batch, offset=offset)
                while True:
                    try:
                        engine.submit(chunk)
                        break
                    except BusUnavailableError:
                        time.sleep(0.1)  # stored with its outbox entry; published when back
                time.sleep(0.01)
            while True:
                try:
                    engine.flush_outbox()
                    break
                except BusUnavailableError:
                    time.sleep(0.1)
        except BaseException as error:
            errors.append(error)
        finally:
            sent.set()

    worker = env.worker("survivor", redis_url=url, batch=50, claim_idle_ms=2000)
    producer = threading.Thread(target=produce)
    try:
        producer.start()
        env.wait_for(lambda: env.predictions()[0] >= 300, 120, "ticks to flow")
        kill()
        down_at = env.predictions()[0]
        time.sleep(1.5)
        start()
        env.wait_for(sent.is_set, 120, "the producer to finish")
        assert not errors, errors
        env.wait_for(lambda: env.predictions()[0] >= total, 120, "every tick's prediction")
        time.sleep(1.0)
        assert env.predictions() == (total, total)
        assert down_at < total  # the restart happened while ticks were flowing
        assert worker.poll() is None, "the worker died with Redis instead of waiting for it"
    finally:
        if producer.is_alive():
            producer.join(timeout=60)
        stop(worker)
        bus.close()
