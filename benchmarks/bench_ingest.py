"""Load every football-data.co.uk file of ../shared/data into SQLite and PostgreSQL.

Reports seconds, matches/s and prices/s per backend, every skipped row with its
reason, and, as the baselines measured in the same run, the time Python's csv
module takes just to read the same files (the ratio says what parsing, domain
records and the database cost on top of reading) and, for PostgreSQL, the
SQLite load of the same files (an embedded database: no round trips, no server).
PostgreSQL loads with ``--workers`` processes (default 2); ``--compare-serial``
also loads it serially in the same run, as the baseline of that speed-up.
The goal for PostgreSQL is under 30 s for the 324 files (issue 17). Other work
on the machine counts: the load average before and after is printed.

    .venv/bin/python benchmarks/bench_ingest.py [--data ../shared/data/football-data]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--json out.json]
        [--skip-postgres] [--workers 2] [--compare-serial]

The data (``../shared/data`` beside the repository) is not part of it: without
it the benchmark says so and measures nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from scoreline.providers.football_data import find_season_files
from scoreline.services import ingest as ingest_service
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "football-data"


def read_only(files: list[Path]) -> float:
    """Seconds to read every row of every file with the csv module: the floor."""
    started = time.perf_counter()
    rows = 0
    for path in files:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows += sum(1 for _ in csv.reader(handle))
    return time.perf_counter() - started


def load(url: str, data: Path, workers: int = 1) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    report = ingest_service.ingest_football_data(
        unit_of_work_factory(engine), [data], workers=workers
    )
    seconds = time.perf_counter() - started
    again_started = time.perf_counter()
    again = ingest_service.ingest_football_data(
        unit_of_work_factory(engine), [data], workers=workers
    )
    again_seconds = time.perf_counter() - again_started
    engine.dispose()
    reasons = Counter(problem.split(": ", 1)[1].rsplit(";", 1)[0] for problem in report.problems)
    return {
        "workers": workers,
        "files": len(report.files),
        "rejected_files": [f.error for f in report.rejected],
        "matches": report.matches,
        "prices": report.odds_written,
        "seconds": round(seconds, 2),
        "matches_per_second": round(report.matches / seconds),
        "prices_per_second": round(report.odds_written / seconds),
        "skipped_rows": len(report.problems),
        "skipped_by_reason": dict(reasons.most_common()),
        "problems": report.problems,
        "padding_rows": sum(f.padding_rows for f in report.files),
        "reload_seconds": round(again_seconds, 2),
        "reload_unchanged_files": sum(f.status == "unchanged" for f in again.files),
    }


def load_postgres(server: str, data: Path, workers: int) -> dict[str, Any]:
    """``load`` into a fresh database of ``server``, dropped afterwards."""
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    name = f"scoreline_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
        return load(url, data, workers)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="PostgreSQL loader processes")
    parser.add_argument(
        "--compare-serial", action="store_true", help="also load PostgreSQL with one process"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not args.data.exists():
        print(
            f"{args.data} is absent: nothing to benchmark (needs ../shared/data beside the"
            " repository, or --data FOLDER)"
        )
        return 0
    files = find_season_files([args.data])
    load_before = os.getloadavg()
    baseline = read_only(files)
    results: dict[str, Any] = {"files": len(files), "csv_read_seconds": round(baseline, 3)}
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = load(f"sqlite:///{folder}/bench.db", args.data)
    if not args.skip_postgres:
        runs = [("postgresql", args.workers)]
        if args.compare_serial:
            runs.append(("postgresql_serial", 1))
        for backend, workers in runs:
            results[backend] = load_postgres(args.postgres, args.data, workers)
    load_after = os.getloadavg()
    print(f"{len(files)} files; csv module alone reads them in {baseline:.2f}s (baseline)")
    print(
        f"load average (1/5/15 min) before {' '.join(f'{x:.2f}' for x in load_before)},"
        f" after {' '.join(f'{x:.2f}' for x in load_after)} on {os.cpu_count()} cores"
    )
    results["load_average"] = {"before": load_before, "after": load_after}
    for backend in ("sqlite", "postgresql", "postgresql_serial"):
        if backend not in results:
            continue
        r = results[backend]
        print(
            f"{backend:>10} ({r['workers']} process(es)): {r['seconds']:6.2f}s"
            f"  {r['matches']:,} matches "
            f"({r['matches_per_second']:,}/s)  {r['prices']:,} prices "
            f"({r['prices_per_second']:,}/s)"
            f"  {r['seconds'] / baseline:5.1f}x the csv read;  reload unchanged "
            f"{r['reload_seconds']:.2f}s;  rejected files {len(r['rejected_files'])}"
        )
        print(f"{'':>12}skipped rows {r['skipped_rows']}, padding rows {r['padding_rows']}")
        for reason, count in r["skipped_by_reason"].items():
            print(f"{'':>14}{count:4d} x {reason}")
    if "sqlite" in results and "postgresql" in results:
        ratio = results["postgresql"]["seconds"] / results["sqlite"]["seconds"]
        print(f"postgresql takes {ratio:.2f}x the sqlite time of the same run (goal: under 30 s)")
    if "postgresql_serial" in results and "postgresql" in results:
        speedup = results["postgresql_serial"]["seconds"] / results["postgresql"]["seconds"]
        print(f"postgresql with {args.workers} processes: {speedup:.2f}x faster than serially")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
