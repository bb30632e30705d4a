"""The dashboard in Debian's Chromium: JavaScript shipped, first render, tick to screen.

One run builds a real platform in this process (PostgreSQL, Redis Streams, the
ML worker, the gateway serving ``web/dist``; run ``scripts/web.sh`` first) and
measures, each beside a baseline taken in the same run:

- JavaScript for the first page (sign-in and the live board), gzip bytes as
  sent, against all the JavaScript of the build (goal under 250 KB);
- time to first render of the live board: navigation to the first board row
  in the DOM, in a fresh browser context each time (no cache), against the same
  for a static page with one table row served by the same gateway (goal under 1 s);
- tick to screen: a tick handed to the ingestion engine until the new price is
  in the board's cell, against the same tick until a Socket.IO client in this
  process receives its ``odds:update`` (goal p95 under 250 ms).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import socketio  # type: ignore[import-untyped]
import uvicorn
from playwright.sync_api import Page, sync_playwright
from pydantic import SecretStr

from bench_support import database, free_port
from scoreline.api.server import build_server
from scoreline.config import Settings
from scoreline.messaging.names import Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.worker import Worker, WorkerConfig
from scoreline.services import model_versions
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade

ROOT = Path(__file__).resolve().parents[1]
SEASON = ROOT / "data" / "sample" / "football-data" / "E0" / "2022-2023.csv"
DIST = ROOT / "web" / "dist"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"
FIXTURES = [("Arsenal", "Chelsea"), ("Liverpool", "Everton"), ("Brighton", "Fulham")]
BASELINE_PAGE = "<!doctype html><title>baseline</title><table><tr data-row><td>1</td></tr></table>"
FIRST_ROW = """
window.__firstRow = null;
new MutationObserver((_, observer) => {
  if (document.querySelector('[data-testid="board-row"], [data-row]')) {
    window.__firstRow = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
WATCH_PRICES = """
(selector) => {
  window.__seen = {};
  const record = () => {
    for (const cell of document.querySelectorAll(selector)) {
      const text = cell.textContent || '';
      if (!(text in window.__seen)) window.__seen[text] = Date.now();
    }
  };
  new MutationObserver(record).observe(document.body,
    {childList: true, subtree: true, characterData: true});
  record();
}
"""


FIRST_SEEN = """
(price) => {
  for (const text in window.__seen) if (text.includes(price)) return window.__seen[text];
  return null;
}
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=15)
    parser.add_argument("--ticks", type=int, default=60)
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not (DIST / "index.html").exists():
        raise SystemExit(f"{DIST} is not built: run scripts/web.sh")
    report: dict[str, Any] = {}
    with database(args.postgres) as url:
        engine = make_engine(url)
        upgrade(engine)
        unit_of_work = unit_of_work_factory(engine)
        folder = Path(f"/tmp/scoreline-bench-web-{uuid.uuid4().hex[:8]}")
        ingest_football_data(unit_of_work, [SEASON])
        fit_dixon_coles(
            unit_of_work, artifacts_dir=folder / "models", as_of=datetime(2023, 6, 1, tzinfo=UTC)
        )
        (folder / "static").mkdir(parents=True)
        prefix = f"bench-web:{uuid.uuid4().hex[:8]}"
        settings = Settings(
            database_url=url,
            redis_url=args.redis,
            stream_prefix=prefix,
            jwt_secret=SecretStr("w" * 48),
            data_dir=folder,
            web_dir=DIST,
        )
        streams = Streams(prefix=prefix)
        bus = RedisBus(args.redis)
        worker = Worker(
            bus,
            unit_of_work,
            model_versions.loader(unit_of_work, artifacts_dir=folder / "models"),
            config=WorkerConfig(streams=streams, block_ms=20, consumer="bench"),
        )
        working = threading.Thread(target=worker.run, daemon=True)
        working.start()
        ingestion = IngestionEngine(bus, unit_of_work, streams=streams)
        kickoff = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")

        def tick(home: str, away: str, prices: tuple[str, str, str], bookmaker: str) -> None:
            ingestion.submit(
                [
                    {
                        "type": "odds",
                        "provider": "bench",
                        "competition": "E0",
                        "home_team": home,
                        "away_team": away,
                        "kickoff": kickoff,
                        "bookmaker": bookmaker,
                        "market": "1x2",
                        "line": None,
                        "prices": dict(zip(("home", "draw", "away"), prices, strict=True)),
                        "captured_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                    }
                ]
            )

        for home, away in FIXTURES:
            tick(home, away, ("2.10", "3.40", "3.70"), "PS")
        server = build_server(settings, unit_of_work, bus=bus, streams=streams)

        @server.app.get("/bench/baseline", include_in_schema=False)
        def baseline_page() -> Any:
            from fastapi.responses import HTMLResponse  # noqa: PLC0415

            return HTMLResponse(BASELINE_PAGE)

        server.app.router.routes.insert(0, server.app.router.routes.pop())  # before the SPA
        port = free_port()
        http = uvicorn.Server(
            uvicorn.Config(server.asgi, host="127.0.0.1", port=port, log_level="warning")
        )
        serving = threading.Thread(target=http.run, daemon=True)
        serving.start()
        while not http.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
                )
                request = playwright.request.new_context(base_url=base)
                request.post(
                    "/api/v1/auth/bootstrap", data={"email": "b@example.com", "password": PASSWORD}
                )
                cookies = _session(playwright, base)
                report["javascript"] = _javascript(browser, base, cookies)
                report["first_render"] = _first_render(browser, base, cookies, args.renders)
                report["tick_to_screen"] = _tick_to_screen(
                    browser, base, cookies, ticks=args.ticks, tick=tick
                )
                browser.close()
        finally:
            http.should_exit = True
            serving.join(timeout=15)  # the lifespan stops the bridge and invalidator readers
            worker.stop()
            working.join(timeout=10)
            for key in bus.client.scan_iter(match=f"{prefix}:*"):
                bus.client.delete(key)
            bus.close()
            engine.dispose()
    _print(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


def _session(playwright: Any, base: str) -> list[Any]:
    """The cookies of a signed-in browser session."""
    context = playwright.request.new_context(base_url=base)
    answer = context.post(
        "/api/v1/auth/session", data={"email": "b@example.com", "password": PASSWORD}
    )
    assert answer.ok, answer.text()
    cookies: list[Any] = context.storage_state()["cookies"]
    context.dispose()
    return cookies


def _javascript(browser: Any, base: str, cookies: list[Any]) -> dict[str, Any]:
    context = browser.new_context(base_url=base)
    context.add_cookies(cookies)
    page = context.new_page()
    sent: dict[str, int] = {}

    def on_response(response: Any) -> None:
        if response.request.resource_type == "script":
            headers = response.headers
            if headers.get("content-encoding") == "gzip":
                sent[response.url] = int(headers["content-length"])
            else:  # a build without the .gz copies: what gzip -9 would send
                sent[response.url] = len(gzip.compress(response.body(), 9))

    page.on("response", on_response)
    page.goto("/")
    page.get_by_test_id("board-row").first.wait_for()
    page.wait_for_load_state("networkidle")
    context.close()
    everything = sum(len(gzip.compress(p.read_bytes(), 9)) for p in (DIST / "assets").glob("*.js"))
    first = sum(sent.values())
    return {"first_page_gzip_bytes": first, "all_js_gzip_bytes": everything, "files": len(sent)}


def _first_render(browser: Any, base: str, cookies: list[Any], runs: int) -> dict[str, Any]:
    out: dict[str, list[float]] = {"board": [], "baseline": []}
    for _ in range(runs):
        for name, path in (("board", "/"), ("baseline", "/bench/baseline")):
            context = browser.new_context(base_url=base)
            context.add_cookies(cookies)
            page = context.new_page()
            page.add_init_script(FIRST_ROW)
            page.goto(path)
            page.wait_for_function("() => window.__firstRow !== null", timeout=10_000)
            out[name].append(float(page.evaluate("() => window.__firstRow")))
            context.close()
    return {
        name: {"p50_ms": statistics.median(v), "p95_ms": percentile(v, 0.95), "runs": len(v)}
        for name, v in out.items()
    }


def _tick_to_screen(
    browser: Any, base: str, cookies: list[Any], *, ticks: int, tick: Any
) -> dict[str, Any]:
    context = browser.new_context(base_url=base)
    context.add_cookies(cookies)
    page: Page = context.new_page()
    page.goto("/")
    page.get_by_test_id("live-status").filter(has_text="Live").wait_for(timeout=10_000)
    home, away = FIXTURES[0]
    fixture_id = _fixture_id(page, home, away)
    selector = f'[data-fixture-id="{fixture_id}"] [data-testid="price-1x2-away"]'
    page.evaluate(WATCH_PRICES, selector)
    received: dict[str, float] = {}
    client = socketio.Client()
    client.on(
        "odds:update",
        lambda data: received.setdefault(data["prices"].get("away", ""), time.time() * 1000),
    )
    client.connect(
        base,
        headers={"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in cookies)},
        transports=["websocket"],
    )
    client.call("subscribe", {"competition": "E0"})
    screen, socket_only = [], []
    for i in range(ticks):
        price = f"{3.80 + 0.01 * i:.2f}"
        sent = time.time() * 1000
        tick(home, away, ("2.10", "3.40", price), "B365")
        deadline = time.monotonic() + 5
        seen = None
        while time.monotonic() < deadline:
            seen = page.evaluate(FIRST_SEEN, price)
            if seen is not None:
                break
            time.sleep(0.005)
        if seen is None:
            raise SystemExit(f"tick {i} ({price}) never reached the screen")
        screen.append(float(seen) - sent)
        wire = received.get(f"{price}00") or received.get(price)
        if wire is not None:
            socket_only.append(wire - sent)
        time.sleep(0.05)
    client.disconnect()
    context.close()
    return {
        "screen": {"p50_ms": statistics.median(screen), "p95_ms": percentile(screen, 0.95)},
        "socket_client": {
            "p50_ms": statistics.median(socket_only),
            "p95_ms": percentile(socket_only, 0.95),
        },
        "ticks": ticks,
    }


def _fixture_id(page: Page, home: str, away: str) -> int:
    listed = page.request.get(
        "/api/v1/fixtures", params={"status": "scheduled", "limit": 500}
    ).json()
    return next(
        int(f["id"]) for f in listed["items"] if (f["home_team"], f["away_team"]) == (home, away)
    )


def _print(report: dict[str, Any]) -> None:
    js = report["javascript"]
    print(
        f"javascript, first page: {js['first_page_gzip_bytes'] / 1024:,.1f} KB gzip in"
        f" {js['files']} files; all of the build: {js['all_js_gzip_bytes'] / 1024:,.1f} KB"
        f" ({js['first_page_gzip_bytes'] / js['all_js_gzip_bytes']:.0%}); goal < 250 KB"
    )
    render = report["first_render"]
    board, base = render["board"], render["baseline"]
    print(
        f"first render of the live board: p50 {board['p50_ms']:.0f} ms,"
        f" p95 {board['p95_ms']:.0f} ms ({board['runs']} cold loads);"
        f" static one-row page: p50 {base['p50_ms']:.0f} ms"
        f" ({board['p50_ms'] / base['p50_ms']:.1f}x); goal < 1000 ms"
    )
    ticks = report["tick_to_screen"]
    screen, wire = ticks["screen"], ticks["socket_client"]
    print(
        f"tick to screen ({ticks['ticks']} ticks): p50 {screen['p50_ms']:.0f} ms, p95"
        f" {screen['p95_ms']:.0f} ms; tick to a Socket.IO client: p50 {wire['p50_ms']:.0f} ms,"
        f" p95 {wire['p95_ms']:.0f} ms; goal p95 < 250 ms"
    )


if __name__ == "__main__":
    main()
