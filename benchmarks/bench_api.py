"""Latest predictions of a competition, served from the cache, beside a bare Starlette endpoint.

Both run as uvicorn processes on this machine, one worker each, and ``wrk``
(Debian's package) loads them in turn with the same connections and duration:

1. **ours**: ``GET /api/v1/predictions?competition=E0`` with a bearer token on
   ``scoreline api`` (authentication, the Redis cache, the JSON response);
2. **baseline**: a Starlette app whose one route returns the very bytes ours
   returned, with no authentication and no cache lookup.

Setup: a fresh PostgreSQL database with E0 2021-22 and 2022-23 from the sample,
a Dixon-Coles fit before 2022-23 and one prediction per 2022-23 fixture (380),
so the page is realistic. The goal is ours at 60% of the baseline's
requests/s or better.

    .venv/bin/python benchmarks/bench_api.py [--seconds 10] [--connections 32]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--redis redis://127.0.0.1:6379/12] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_support import database, free_port
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.services.predicting import predict_fixtures
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade

ROOT = Path(__file__).resolve().parents[1]
E0 = ROOT / "data" / "sample" / "football-data" / "E0"
SCORELINE = Path(sys.executable).with_name("scoreline")
PASSWORD = "benchmark passphrase 1"

BASELINE = """
import os
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

BODY = open(os.environ["BENCH_BODY"], "rb").read()

async def page(request):
    return Response(BODY, media_type="application/json")

app = Starlette(routes=[Route("/api/v1/predictions", page)])
"""


def wait_for(url: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up") from None
            time.sleep(0.2)


def post(url: str, body: dict[str, Any]) -> Any:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def wrk(
    url: str, *, seconds: int, connections: int, token: str | None, header: str | None = None
) -> dict[str, float]:
    """Requests/s and latency percentiles from one wrk run (2 threads), sending the bearer
    ``token`` or any other one ``header`` (``"X-API-Key: ..."``)."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        header = f"Authorization: Bearer {token}"
    if header:
        command[1:1] = ["-H", header]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    out = {"requests_per_second": rate, "non_2xx": float(errors.group(1)) if errors else 0.0}
    for percentile in ("50", "99"):
        found = re.search(rf"\s{percentile}%\s+([\d.]+)(us|ms|s)", output)
        if found:
            value, unit = float(found.group(1)), found.group(2)
            out[f"p{percentile}_ms"] = value * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
    return out


def load_predictions(url: str, folder: Path) -> int:
    """E0 2021-22 and 2022-23, a Dixon-Coles fit before 2022-23 and one prediction per
    2022-23 fixture in the database at ``url``; how many predictions."""
    engine = make_engine(url)
    upgrade(engine)
    unit_of_work = unit_of_work_factory(engine)
    ingest_football_data(unit_of_work, [E0 / "2021-2022.csv", E0 / "2022-2023.csv"])
    as_of = datetime(2022, 8, 1, tzinfo=UTC)
    fit_dixon_coles(unit_of_work, artifacts_dir=folder / "models", as_of=as_of)
    predicted = predict_fixtures(
        unit_of_work, artifacts_dir=folder / "models", start=as_of, days=330
    )
    engine.dispose()
    return len(predicted)


@contextmanager
def running_api(url: str, redis_url: str, folder: Path) -> Iterator[tuple[str, int]]:
    """``scoreline api`` (one uvicorn worker) on the database and Redis, live; its base URL
    and process id. Stopped on exit."""
    port = free_port()
    env = os.environ | {
        "SCORELINE_DATABASE_URL": url,
        "SCORELINE_REDIS_URL": redis_url,
        "SCORELINE_DATA_DIR": str(folder),
        "SCORELINE_JWT_SECRET": "b" * 48,
        "SCORELINE_STREAM_PREFIX": f"bench:{uuid.uuid4().hex[:8]}",
        "SCORELINE_LOG_LEVEL": "WARNING",
    }
    api = subprocess.Popen(
        [str(SCORELINE), "api", "--port", str(port)], env=env, stdout=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(f"{base}/health/live")
        yield base, api.pid
    finally:
        api.terminate()
        api.wait(timeout=30)


def wrk_arguments(description: str, *, connections: int) -> argparse.Namespace:
    """The options every wrk benchmark takes, parsed; exits when wrk is missing."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=connections)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install -y wrk")
    return args


def main() -> None:
    args = wrk_arguments(__doc__.splitlines()[0], connections=32)
    report: dict[str, Any] = {"seconds": args.seconds, "connections": args.connections}
    with tempfile.TemporaryDirectory() as tmp, database(args.postgres) as url:
        folder = Path(tmp)
        report["predictions"] = load_predictions(url, folder)
        with running_api(url, args.redis, folder) as (base, _):
            post(f"{base}/api/v1/auth/bootstrap", {"email": "b@example.com", "password": PASSWORD})
            token = post(
                f"{base}/api/v1/auth/login", {"email": "b@example.com", "password": PASSWORD}
            )["access_token"]
            target = f"{base}/api/v1/predictions?competition=E0"
            request = urllib.request.Request(target, headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=10) as answer:
                body = answer.read()
            report["response_bytes"] = len(body)
            (folder / "body.json").write_bytes(body)
            wrk(target, seconds=2, connections=args.connections, token=token)  # warm up
            report["ours"] = wrk(
                target, seconds=args.seconds, connections=args.connections, token=token
            )
        (folder / "baseline.py").write_text(BASELINE)
        port = free_port()
        baseline = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(folder),
                "baseline:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=os.environ | {"PYTHONPATH": str(folder), "BENCH_BODY": str(folder / "body.json")},
            stdout=subprocess.DEVNULL,
        )
        try:
            target = f"http://127.0.0.1:{port}/api/v1/predictions"
            wait_for(target)
            wrk(target, seconds=2, connections=args.connections, token=None)
            report["baseline"] = wrk(
                target, seconds=args.seconds, connections=args.connections, token=None
            )
        finally:
            baseline.terminate()
            baseline.wait(timeout=30)
    ours, base_ = report["ours"], report["baseline"]
    report["share_of_baseline"] = ours["requests_per_second"] / base_["requests_per_second"]
    print(f"page: {report['predictions']} predictions, {report['response_bytes']:,} bytes")
    for name in ("ours", "baseline"):
        r = report[name]
        print(
            f"{name:8s} {r['requests_per_second']:8,.0f} req/s"
            f"  p50 {r.get('p50_ms', float('nan')):.1f} ms"
            f"  p99 {r.get('p99_ms', float('nan')):.1f} ms  non-2xx {r['non_2xx']:.0f}"
        )
    print(f"ours as a share of the bare endpoint: {report['share_of_baseline']:.1%} (goal >= 60%)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
