"""The live pipeline at full speed on the local Redis and PostgreSQL.

Setup: a fresh PostgreSQL database holding the sample data up to ``--from``,
and an ensemble (Dixon-Coles + XGBoost + blend) trained on it by the
walk-forward and activated. The replay provider then turns ``--from``..``--to``
of the sample into odds ticks.

Measured in one run:

1. **ceiling**: the same stream payloads through bare Redis: pipelined ``XADD``
   in batches of 256, then ``XREADGROUP`` (256 a call) and ``XACK``, one client;
2. **ingestion**: the ingestion engine at full speed (batches of 500): resolve,
   store with the outbox, publish;
3. **one worker**, then **two workers** (``scoreline worker`` processes, warmed up
   and idle first): the time from handing them the whole backlog to the last
   prediction stored, as sustained ticks/s, and that as a share of the ceiling;
4. **latency at 500 ticks/s**: ticks fed to the ingestion engine every 10 ms at
   500 a second with one worker running; tick-to-prediction is from the tick
   entering the ingestion engine to its prediction arriving on the
   ``predictions`` stream, p50/p99.

    .venv/bin/python benchmarks/bench_pipeline.py [--from 2023-02-01 --to 2023-05-31]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--redis redis://127.0.0.1:6379/14] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import redis
from sqlalchemy import func, select, text

from bench_support import database, free_port
from scoreline.messaging.names import Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.providers.replay import replay_events
from scoreline.services import model_versions
from scoreline.services.backtesting import BacktestOptions, run_backtest
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade
from scoreline.storage.tables import PredictionRow
from scoreline.storage.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "football-data"
SCORELINE = Path(sys.executable).with_name("scoreline")


def predictions(unit_of_work: Callable[[], UnitOfWork]) -> int:
    with unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count(PredictionRow.id))) or 0)


def ceiling(client: redis.Redis, payloads: Sequence[bytes], prefix: str) -> float:
    """Ticks/s of the bare XADD, XREADGROUP and XACK round trip of the same payloads."""
    stream = f"{prefix}:ceiling"
    client.xgroup_create(stream, "g", id="0", mkstream=True)
    started = time.perf_counter()
    for i in range(0, len(payloads), 256):
        pipe = client.pipeline(transaction=False)
        for payload in payloads[i : i + 256]:
            pipe.xadd(stream, {b"d": payload}, maxlen=1_000_000, approximate=True)
        pipe.execute()
    done = 0
    while done < len(payloads):
        reply: Any = client.xreadgroup("g", "c", {stream: ">"}, count=256)
        ids = [entry_id for _, entries in reply for entry_id, _ in entries]
        client.xack(stream, "g", *ids)
        done += len(ids)
    seconds = time.perf_counter() - started
    client.delete(stream)
    return len(payloads) / seconds


class Workers:
    """``scoreline worker`` processes on one stream prefix."""

    def __init__(self, env: dict[str, str], n: int, folder: Path) -> None:
        self.ports = [free_port() for _ in range(n)]
        self.processes = []
        for i, port in enumerate(self.ports):
            with (folder / f"worker-{i}.log").open("wb") as log:
                self.processes.append(
                    subprocess.Popen(
                        [str(SCORELINE), "worker", "--consumer", f"bench-{i}", "--port", str(port)],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("workers did not start") from None
                    time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=60)


def sustained(
    *,
    env: dict[str, str],
    n_workers: int,
    client: redis.Redis,
    payloads: Sequence[bytes],
    prefix: str,
    unit_of_work: Callable[[], UnitOfWork],
    folder: Path,
) -> dict[str, Any]:
    """Ticks/s of ``n_workers`` draining the whole backlog, from hand-over to last row."""
    with unit_of_work() as uow:
        uow.session.execute(text("TRUNCATE predictions CASCADE"))
        uow.commit()
    workers = Workers(env | {"SCORELINE_STREAM_PREFIX": prefix}, n_workers, folder)
    try:
        workers.wait_ready()
        stream = Streams(prefix=prefix).odds
        started = time.perf_counter()
        for i in range(0, len(payloads), 1000):
            pipe = client.pipeline(transaction=False)
            for payload in payloads[i : i + 1000]:
                pipe.xadd(stream, {b"d": payload})
            pipe.execute()
        while predictions(unit_of_work) < len(payloads):
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    finally:
        workers.stop()
    return {"seconds": seconds, "ticks_per_second": len(payloads) / seconds}


def latency(
    *,
    env: dict[str, str],
    raws: Sequence[dict[str, Any]],
    unit_of_work: Callable[[], UnitOfWork],
    folder: Path,
    rate: float,
) -> dict[str, Any]:
    """Tick-to-prediction at ``rate`` ticks/s, through the ingestion engine and one worker."""
    prefix = f"bench:{uuid.uuid4().hex[:8]}"
    streams = Streams(prefix=prefix)
    workers = Workers(env | {"SCORELINE_STREAM_PREFIX": prefix}, 1, folder)
    # The watcher is a process of its own, so the feeding loop's GIL does not
    # delay its clock readings; it prints one latency (seconds) per line.
    watcher = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--watch",
            streams.predictions,
            "--redis",
            env["SCORELINE_REDIS_URL"],
            "--expect",
            str(len(raws)),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        workers.wait_ready()
        engine = IngestionEngine(
            RedisBus(env["SCORELINE_REDIS_URL"]), unit_of_work, streams=streams
        )
        time.sleep(1.0)  # the watcher is connected and blocking on the stream
        started = time.perf_counter()
        per_tick = 1.0 / rate
        sent = 0
        while sent < len(raws):
            due = min(len(raws), int((time.perf_counter() - started) / per_tick) + 1)
            if due > sent:
                engine.submit(raws[sent:due])
                sent = due
            time.sleep(0.005)
        feed_seconds = time.perf_counter() - started
        output, _ = watcher.communicate(timeout=120)
    finally:
        if watcher.poll() is None:
            watcher.kill()
        workers.stop()
    seen = [float(line) for line in output.decode().split()]
    values = np.array(seen) * 1000
    return {
        "ticks": len(raws),
        "observed": len(seen),
        "offered_rate": rate,
        "achieved_rate": len(raws) / feed_seconds,
        "p50_ms": float(np.percentile(values, 50)),
        "p95_ms": float(np.percentile(values, 95)),
        "p99_ms": float(np.percentile(values, 99)),
        "max_ms": float(values.max()),
        "arrival_order_ms": [round(v, 2) for v in values.tolist()],
    }


def watch(stream: str, url: str, expect: int) -> None:
    """Print the tick-to-prediction latency of the next ``expect`` predictions on ``stream``."""
    client = redis.Redis.from_url(url)
    last: Any = "$"
    latencies: list[float] = []
    deadline = time.monotonic() + 300
    while len(latencies) < expect and time.monotonic() < deadline:
        reply: Any = client.xread({stream: last}, count=1000, block=1000)
        now = time.time()
        for _, entries in reply or []:
            for entry_id, fields in entries:
                last = entry_id
                latencies.append(now - json.loads(fields[b"d"])["received_at"])
    # Printed at the end: a pipe nobody reads yet would block the watcher mid-run.
    print("\n".join(map(str, latencies)))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--watch":
        watch(sys.argv[2], sys.argv[4], int(sys.argv[6]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="start", default="2023-02-01")
    parser.add_argument("--to", dest="end", default="2023-05-31")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--latency-ticks", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    client = redis.Redis.from_url(args.redis)
    report: dict[str, Any] = {"from": args.start, "to": args.end}
    keep = os.environ.get("BENCH_KEEP_LOGS")
    with tempfile.TemporaryDirectory() as tmp, database(args.postgres) as url:
        folder = Path(tmp)
        engine = make_engine(url)
        upgrade(engine)
        unit_of_work = unit_of_work_factory(engine)
        t = time.perf_counter()
        ingest_football_data(
            unit_of_work, [SAMPLE], before=datetime.combine(start, datetime.min.time(), UTC)
        )
        # The walk-forward's last refit over the two months before --from is the model.
        outcome = run_backtest(
            [SAMPLE],
            BacktestOptions(
                start=start - timedelta(days=62),
                end=start - timedelta(days=1),
                refit_days=30,
                registry_dir=folder / "models",
            ),
        )
        version = outcome.report["model_version"]
        model_versions.activate(
            unit_of_work, artifacts_dir=folder / "models", name="ensemble", version=version
        )
        report["setup_seconds"] = time.perf_counter() - t
        report["model"] = f"ensemble {version}"
        events = replay_events([SAMPLE], start=start, end=end)
        raws = [e.payload for e in events if e.payload["type"] == "odds"]
        report["ticks"] = len(raws)

        # Ingestion at full speed, onto a staging stream; its entries are the backlog.
        staging = Streams(prefix=f"bench:{uuid.uuid4().hex[:8]}")
        ingestion = IngestionEngine(RedisBus(args.redis), unit_of_work, streams=staging)
        t = time.perf_counter()
        stored = 0
        for i in range(0, len(raws), 500):
            stored += ingestion.submit(raws[i : i + 500]).stored
        ingestion.flush_outbox()
        seconds = time.perf_counter() - t
        report["ingestion"] = {
            "stored": stored,
            "seconds": seconds,
            "ticks_per_second": stored / seconds,
        }
        entries: Any = client.xrange(staging.odds)
        payloads: list[bytes] = [fields[b"d"] for _, fields in entries]
        client.delete(staging.odds)

        report["ceiling_ticks_per_second"] = ceiling(client, payloads, staging.prefix)
        env = os.environ | {
            "SCORELINE_DATABASE_URL": url,
            "SCORELINE_REDIS_URL": args.redis,
            "SCORELINE_DATA_DIR": str(folder),
            "SCORELINE_LOG_LEVEL": "INFO",
            "OMP_NUM_THREADS": "1",
        }
        for n in (1, 2):
            result = sustained(
                env=env,
                n_workers=n,
                client=client,
                payloads=payloads,
                prefix=f"bench:{uuid.uuid4().hex[:8]}",
                unit_of_work=unit_of_work,
                folder=folder,
            )
            result["share_of_ceiling"] = (
                result["ticks_per_second"] / report["ceiling_ticks_per_second"]
            )
            report[f"workers_{n}"] = result

        # Fresh ticks for the latency run: the same moves a year later are new snapshots.
        with unit_of_work() as uow:
            uow.session.execute(text("TRUNCATE predictions CASCADE"))
            uow.commit()
        later = [dict(r, captured_at=r["captured_at"].replace("20", "21", 1)) for r in raws]
        report["latency"] = latency(
            env=env,
            raws=later[: args.latency_ticks],
            unit_of_work=unit_of_work,
            folder=folder,
            rate=args.rate,
        )
        engine.dispose()
        if keep:
            for log in folder.glob("*.log"):
                Path(keep).mkdir(parents=True, exist_ok=True)
                (Path(keep) / log.name).write_bytes(log.read_bytes())
    client.close()

    print(f"ticks: {report['ticks']:,} (sample {args.start}..{args.end}); model {report['model']}")
    print(f"ceiling (bare XADD+XREADGROUP+XACK): {report['ceiling_ticks_per_second']:,.0f} ticks/s")
    ing = report["ingestion"]
    print(f"ingestion engine: {ing['ticks_per_second']:,.0f} ticks/s ({ing['stored']:,} stored)")
    for n in (1, 2):
        w = report[f"workers_{n}"]
        print(
            f"{n} worker(s): {w['ticks_per_second']:,.0f} ticks/s sustained,"
            f" {w['share_of_ceiling']:.1%} of the ceiling"
        )
    lat = report["latency"]
    print(
        f"latency at {lat['offered_rate']:.0f} ticks/s offered"
        f" ({lat['achieved_rate']:.0f} achieved,"
        f" {lat['observed']}/{lat['ticks']} observed): p50 {lat['p50_ms']:.1f} ms,"
        f" p95 {lat['p95_ms']:.1f} ms, p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.1f} ms"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
