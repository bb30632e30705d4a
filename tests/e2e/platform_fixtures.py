"""A real platform for the browser: PostgreSQL, Redis, the ML worker and the gateway serving
the built dashboard, driven by Debian's Chromium through Playwright.

The platform runs in this process (uvicorn and the worker on threads) so a test
can inject ticks and results into the pipeline exactly as a feed would, then
watch the page. Screenshots of every page, at desktop and phone widths, go to
``var/e2e`` (CI keeps them as artifacts), or to the folder ``SCORELINE_SHOTS`` names.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, ConsoleMessage, Page, ViewportSize, sync_playwright
from pydantic import SecretStr
from sqlalchemy import select, text, update

from scoreline.api.server import build_server
from scoreline.config import Settings
from scoreline.messaging.names import Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.settlement import SettlementConsumer
from scoreline.pipeline.worker import Worker, WorkerConfig
from scoreline.services import model_versions
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.services.predicting import predict_fixtures
from scoreline.storage.db import make_engine, unit_of_work_factory
from scoreline.storage.tables import Base, FixtureRow, TeamRow
from scoreline.storage.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DATA = ROOT / "data" / "sample" / "football-data"
CHROMIUM = Path(os.environ.get("SCORELINE_CHROMIUM", "/usr/bin/chromium"))
WEB_DIST = ROOT / "web" / "dist"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# SCORELINE_SHOTS sends the screenshots elsewhere (a reviewer's folder); CI keeps var/e2e.
ARTIFACTS = Path(os.environ.get("SCORELINE_SHOTS") or ROOT / "var" / "e2e")
PASSWORD = "correct horse battery staple"
SEASON = SAMPLE_DATA / "E0" / "2022-2023.csv"
FIT_AS_OF = datetime(2023, 3, 1, tzinfo=UTC)
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Platform:
    """The running platform and ways to feed it."""

    base_url: str
    unit_of_work: Callable[[], UnitOfWork]
    engine: IngestionEngine
    worker: Worker
    kickoff: datetime
    fixtures: list[tuple[str, str]] = field(default_factory=list)
    last_captured: datetime | None = None

    def captured_now(self) -> datetime:
        """The capture time of the next tick: now to the second, and always after the last
        one sent. A feed's natural key holds the capture second, so two ticks of one fixture
        within a second would otherwise meet as a duplicate and the second be dropped."""
        moment = datetime.now(UTC).replace(microsecond=0)
        if self.last_captured is not None and moment <= self.last_captured:
            moment = self.last_captured + timedelta(seconds=1)
        self.last_captured = moment
        return moment

    def tick(
        self,
        home: str,
        away: str,
        prices: tuple[str, str, str],
        *,
        bookmaker: str = "PS",
        kind: str = "prematch",
    ) -> None:
        """An odds tick for an upcoming fixture, as a feed sends it."""
        summary = self.engine.submit(
            [
                {
                    "type": "odds",
                    "provider": "e2e",
                    "competition": "E0",
                    "home_team": home,
                    "away_team": away,
                    "kickoff": _iso(self.kickoff),
                    "bookmaker": bookmaker,
                    "market": "1x2",
                    "line": None,
                    "prices": dict(zip(("home", "draw", "away"), prices, strict=True)),
                    "captured_at": _iso(self.captured_now()),
                    "kind": kind,
                }
            ]
        )
        assert summary.stored == 1, summary

    def result(self, home: str, away: str, home_goals: int, away_goals: int) -> None:
        """The match is played (its kick-off moves two hours back: a result before kick-off
        is refused), then its final score arrives as a feed sends it."""
        played = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
        with self.unit_of_work() as uow:
            fixture_id = uow.session.scalars(
                select(FixtureRow.id).where(
                    FixtureRow.home_team_id
                    == select(TeamRow.id).where(TeamRow.name == home).scalar_subquery(),
                    FixtureRow.away_team_id
                    == select(TeamRow.id).where(TeamRow.name == away).scalar_subquery(),
                    FixtureRow.match_date == self.kickoff.date(),
                )
            ).one()
            uow.session.execute(
                update(FixtureRow)
                .where(FixtureRow.id == fixture_id)
                .values(kickoff_utc=played, match_date=played.date())
            )
            uow.commit()
        summary = self.engine.submit(
            [
                {
                    "type": "result",
                    "provider": "e2e",
                    "competition": "E0",
                    "home_team": home,
                    "away_team": away,
                    "kickoff": _iso(played),
                    "home_goals": home_goals,
                    "away_goals": away_goals,
                }
            ]
        )
        assert summary.results == 1, summary


def _require_tools() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not (WEB_DIST / "index.html").exists():
        missing.append(f"{WEB_DIST} (scripts/web.sh builds it)")
    if not AXE.exists():
        missing.append(f"{AXE} (npm ci in web/)")
    if missing:
        message = "browser tests need " + ", ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def platform(
    postgres_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Platform]:
    """E0 2022-23 loaded, Dixon-Coles fitted and active, every match after the fit
    predicted (model health has data), three upcoming fixtures priced by the feed."""
    _require_tools()
    folder = tmp_path_factory.mktemp("platform")
    database = make_engine(postgres_url)
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with database.begin() as connection:  # the session's database, emptied of other suites'
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    unit_of_work = unit_of_work_factory(database)
    ingest_football_data(unit_of_work, [SEASON])
    fit_dixon_coles(unit_of_work, artifacts_dir=folder / "models", as_of=FIT_AS_OF)
    predict_fixtures(unit_of_work, artifacts_dir=folder / "models", start=FIT_AS_OF, days=120)
    prefix = f"e2e:{uuid.uuid4().hex[:8]}"
    settings = Settings(
        database_url=postgres_url,
        redis_url=redis_url,
        stream_prefix=prefix,
        jwt_secret=SecretStr("e" * 48),
        data_dir=folder,
        web_dir=WEB_DIST,
    )
    streams = Streams(prefix=prefix)
    bus = RedisBus(redis_url)
    worker = Worker(
        bus,
        unit_of_work,
        model_versions.loader(unit_of_work, artifacts_dir=folder / "models"),
        config=WorkerConfig(streams=streams, block_ms=20, consumer="e2e-worker"),
    )
    working = threading.Thread(target=worker.run, name="e2e-worker", daemon=True)
    working.start()
    engine = IngestionEngine(bus, unit_of_work, streams=streams)
    settling = SettlementConsumer(bus, unit_of_work, streams=streams)
    server = build_server(settings, unit_of_work, bus=bus, streams=streams, background=[settling])
    port = _free_port()
    http = uvicorn.Server(
        uvicorn.Config(server.asgi, host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=http.run, name="e2e-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not http.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert http.started, "the API did not start"
    made = Platform(
        f"http://127.0.0.1:{port}",
        unit_of_work,
        engine,
        worker,
        kickoff=datetime.now(UTC).replace(microsecond=0) + timedelta(days=2),
        fixtures=[("Arsenal", "Chelsea"), ("Liverpool", "Everton"), ("Brighton", "Fulham")],
    )
    for home, away in made.fixtures:
        made.tick(home, away, ("2.10", "3.40", "3.70"))
    _wait_for_predictions(made, len(made.fixtures))
    yield made
    http.should_exit = True
    thread.join(timeout=10)
    worker.stop()
    working.join(timeout=10)
    for key in bus.client.scan_iter(match=f"{prefix}:*"):
        bus.client.delete(key)
    bus.close()
    database.dispose()


def _wait_for_predictions(platform: Platform, count: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if platform.worker.status.predictions >= count:
            return
        time.sleep(0.05)
    pytest.fail(f"the worker made {platform.worker.status.predictions} of {count} predictions")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless."""
    _require_tools()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield launched
        launched.close()


@dataclass
class Watched:
    """A page and every console error and failed request seen on it."""

    page: Page
    errors: list[str]


@pytest.fixture
def watched(browser: Browser, platform: Platform) -> Iterator[Watched]:
    """A fresh browser context (its own cookies) on the platform, errors collected."""
    context = browser.new_context(base_url=platform.base_url, viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    yield Watched(page, errors)
    context.close()


def screenshot(page: Page, name: str) -> None:
    """Save the page at desktop and phone widths under var/e2e."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or DESKTOP
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(150)
        page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)


def csrf_headers(page: Page) -> dict[str, str]:
    """The CSRF header a cookie session's writes carry (from the ``scoreline_csrf`` cookie)."""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return {"X-CSRF-Token": cookies["scoreline_csrf"]}


def api_url(platform: Platform, path: str) -> str:
    """The gateway's URL of an API ``path`` (``/portfolios``...)."""
    return f"{platform.base_url}/api/v1{path}"


def funded_portfolio(page: Page, platform: Platform, name: str, amount_minor: int) -> int:
    """A portfolio of the signed-in trader with ``amount_minor`` paid in; its id."""
    made = page.request.post(
        api_url(platform, "/portfolios"), data={"name": name}, headers=csrf_headers(page)
    )
    assert made.ok, made.text()
    portfolio = int(made.json()["id"])
    paid = page.request.post(
        api_url(platform, f"/portfolios/{portfolio}/deposits"),
        data={"amount_minor": amount_minor},
        headers=csrf_headers(page),
    )
    assert paid.ok, paid.text()
    return portfolio


def assert_fits(page: Page, label: str) -> None:
    """No sideways page scroll once the page has settled (``scrollWidth <= innerWidth``)."""
    page.wait_for_load_state("networkidle")
    fits = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert fits[0] <= fits[1], f"{label}: the page scrolls sideways ({fits[0]} > {fits[1]})"


def sign_in_trader(page: Page, platform: Platform, email: str) -> None:
    """The admin bootstrapped (if not yet), a trader ``email`` made by it and signed in
    with a cookie session, as the dashboard is."""
    request = page.request
    api = f"{platform.base_url}/api/v1"
    request.post(f"{api}/auth/bootstrap", data={"email": "admin@example.com", "password": PASSWORD})
    token = request.post(
        f"{api}/auth/login", data={"email": "admin@example.com", "password": PASSWORD}
    ).json()["access_token"]
    request.post(
        f"{api}/admin/users",
        data={"email": email, "password": PASSWORD, "role": "trader"},
        headers={"Authorization": f"Bearer {token}"},
    )
    answer = request.post(f"{api}/auth/session", data={"email": email, "password": PASSWORD})
    assert answer.ok, answer.text()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical accessibility violations on the page."""
    # Evaluated through the DevTools protocol: our CSP rightly refuses an injected script tag.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in found
        if v.get("impact") in {"serious", "critical"}
    ]


def clean_artifacts() -> None:
    """Start each run with an empty artifacts folder."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
