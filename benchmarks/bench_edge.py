"""Authenticated reads at the edge: API keys against tokens, a bet list, reads under a login flood.

One ``scoreline api`` process (one uvicorn worker) on a fresh PostgreSQL database
and the local Redis, loaded with ``wrk`` (Debian's package), measures in one run:

1. **keys**: ``GET /api/v1/predictions?competition=E0`` (the cached read) with
   ``X-API-Key`` against the same with ``Authorization: Bearer`` (the baseline);
   the goal is the key at the token's rate;
2. **bets**: ``GET /api/v1/portfolios/{id}/bets`` of a portfolio holding 103 bets
   (the first page of 100), with a bearer token, against the cached read above;
3. **flood**: the cached read's p99 with nobody signing in (the baseline), then
   again while 16 threads sign in as fast as they can (argon2, 64 MiB a hash), and
   the API process's peak resident memory (``VmHWM``) after each; the logins'
   answers are counted (200, or 429 when the hashing queue is full).

Setup: E0 2021-22 and 2022-23 from the sample, a Dixon-Coles fit before 2022-23
and one prediction per 2022-23 fixture (380), as ``bench_api.py`` does; the
bets are stored rows (the book's placement rules are not what is measured).

    .venv/bin/python benchmarks/bench_edge.py [--seconds 10] [--connections 16]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--redis redis://127.0.0.1:6379/12] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench_api import PASSWORD, load_predictions, post, running_api, wrk, wrk_arguments
from bench_support import database
from scoreline.storage.db import make_engine
from scoreline.storage.tables import BetRow, OddsRow

SCORELINE = Path(sys.executable).with_name("scoreline")
EMAIL = "bench@example.com"
BETS = 103
LOGIN_THREADS = 16


def _get(url: str, headers: dict[str, str]) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        return bytes(r.read())


def _store_bets(url: str, portfolio_id: int) -> None:
    """``BETS`` open bets in the portfolio, on the first stored 1X2 snapshots."""
    engine = make_engine(url)
    with engine.begin() as connection:
        snapshots = connection.execute(
            select(OddsRow.id, OddsRow.fixture_id, OddsRow.home)
            .where(OddsRow.market == "1x2", OddsRow.home.is_not(None))
            .order_by(OddsRow.id)
            .limit(BETS)
        ).all()
        placed = datetime.now(UTC)
        connection.execute(
            insert(BetRow),
            [
                {
                    "portfolio_id": portfolio_id,
                    "fixture_id": fixture_id,
                    "odds_snapshot_id": snapshot_id,
                    "prediction_id": None,
                    "market": "1x2",
                    "selection": "home",
                    "line_quarters": 0,
                    "odds": Decimal(str(price)),
                    "stake_minor": 100,
                    "status": "open",
                    "placed_at": placed,
                }
                for snapshot_id, fixture_id, price in snapshots
            ],
        )
    engine.dispose()


def _peak_rss_mib(pid: int) -> float:
    """The process's peak resident set so far (``VmHWM``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak_rss(pid: int) -> None:
    """Start the peak over from the current size (Linux: ``5`` to ``clear_refs``)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def _flood(base: str, stop: threading.Event, answers: Counter[int]) -> None:
    """Sign in again and again until told to stop, counting the answers by status."""
    body = json.dumps({"email": EMAIL, "password": PASSWORD}).encode()
    while not stop.is_set():
        request = urllib.request.Request(
            f"{base}/api/v1/auth/login", data=body, headers={"content-type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                answers[answer.status] += 1
        except urllib.error.HTTPError as error:
            answers[error.code] += 1
        except OSError:
            answers[0] += 1


def _wrk(url: str, seconds: int, connections: int, header: str) -> dict[str, float]:
    return wrk(url, seconds=seconds, connections=connections, token=None, header=header)


def _measure(base: str, pid: int, url: str, args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {}
    token = post(f"{base}/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD})[
        "access_token"
    ]
    bearer = {"Authorization": f"Bearer {token}"}
    key = post_auth(f"{base}/api/v1/keys", {"name": "bench"}, bearer)["secret"]
    portfolio = post_auth(f"{base}/api/v1/portfolios", {"name": "bench"}, bearer)["id"]
    _store_bets(url, portfolio)
    reads = f"{base}/api/v1/predictions?competition=E0"
    bets = f"{base}/api/v1/portfolios/{portfolio}/bets"
    listed = json.loads(_get(bets, bearer))
    report["bets_listed"], report["bets_total"] = len(listed["items"]), listed["total"]
    _get(reads, {"X-API-Key": key})
    seconds, connections = args.seconds, args.connections
    as_token, as_key = f"Authorization: Bearer {token}", f"X-API-Key: {key}"
    for header in (as_token, as_key):
        _wrk(reads, 2, connections, header)  # warm up
    report["token_reads"] = _wrk(reads, seconds, connections, as_token)
    report["key_reads"] = _wrk(reads, seconds, connections, as_key)
    report["bet_list"] = _wrk(bets, seconds, connections, as_token)
    _reset_peak_rss(pid)
    report["reads_quiet"] = _wrk(reads, seconds, connections, as_token)
    report["peak_rss_quiet_mib"] = _peak_rss_mib(pid)
    stop, answers = threading.Event(), Counter[int]()
    threads = [
        threading.Thread(target=_flood, args=(base, stop, answers)) for _ in range(LOGIN_THREADS)
    ]
    for thread in threads:
        thread.start()
    try:
        report["reads_flood"] = _wrk(reads, seconds, connections, as_token)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    report["peak_rss_flood_mib"] = _peak_rss_mib(pid)
    report["flood_logins"] = {str(k): v for k, v in sorted(answers.items())}
    return report


def post_auth(url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"content-type": "application/json", **headers},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def _print(report: dict[str, Any]) -> None:
    def line(name: str, r: dict[str, float]) -> str:
        return (
            f"{name:26s} {r['requests_per_second']:8,.0f} req/s  p50 {r.get('p50_ms', 0):7.1f} ms"
            f"  p99 {r.get('p99_ms', 0):7.1f} ms  non-2xx {r['non_2xx']:.0f}"
        )

    print(f"predictions {report['predictions']}, bets {report['bets_total']}")
    print(line("cached read, token", report["token_reads"]))
    print(line("cached read, API key", report["key_reads"]))
    ratio = (
        report["key_reads"]["requests_per_second"] / report["token_reads"]["requests_per_second"]
    )
    print(f"API key as a share of token: {ratio:.1%} (goal ~100%)")
    print(line(f"bet list ({report['bets_listed']} of 103)", report["bet_list"]))
    print(line("cached read, quiet", report["reads_quiet"]))
    print(line(f"cached read, {LOGIN_THREADS} logins", report["reads_flood"]))
    print(
        f"peak RSS quiet {report['peak_rss_quiet_mib']:.0f} MiB, "
        f"under the flood {report['peak_rss_flood_mib']:.0f} MiB; "
        f"logins by status {report['flood_logins']}"
    )


def main() -> None:
    args = wrk_arguments((__doc__ or "").splitlines()[0], connections=16)
    with tempfile.TemporaryDirectory() as tmp, database(args.postgres) as url:
        folder = Path(tmp)
        report: dict[str, Any] = {"seconds": args.seconds, "connections": args.connections}
        report["predictions"] = load_predictions(url, folder)
        with running_api(url, args.redis, folder) as (base, pid):
            post(f"{base}/api/v1/auth/bootstrap", {"email": EMAIL, "password": PASSWORD})
            report |= _measure(base, pid, url, args)
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
