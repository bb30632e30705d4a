"""OddsPoller: recorded Odds API answers in, ticks to the engine, credits to the gauges."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from scoreline.domain.ticks import OddsTick, parse_tick
from scoreline.pipeline.ingestion import IngestionEngine, IngestSummary
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.pipeline.odds_poller import OddsPoller
from scoreline.providers.odds_api import OddsApiClient, PollState, bookmaker_code, convert_odds

DATA = Path(__file__).resolve().parents[2] / "data" / "odds_api"
KEY = "0123456789abcdef0123456789abcdef"
ODDS_PATH = "/v4/sports/soccer_epl/odds"
EVENTS_PATH = "/v4/sports/soccer_epl/events"
ODDS_QUOTA = {"x-requests-remaining": "494", "x-requests-used": "6", "x-requests-last": "6"}
EVENTS_QUOTA = {"x-requests-remaining": "500", "x-requests-used": "0", "x-requests-last": "0"}
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # five hours before the first kick-off
KICKOFFS = [
    datetime(2026, 11, 28, 15, 0, tzinfo=UTC),
    datetime(2026, 11, 28, 17, 30, tzinfo=UTC),
    datetime(2026, 11, 29, 16, 30, tzinfo=UTC),
]
PROVIDER = {"provider": "the-odds-api"}


def recorded(name: str) -> Any:
    return json.loads((DATA / name).read_text())


class Clock:
    """A fake ``now``: fixed, or a minute later at every call."""

    def __init__(self, start: datetime, *, step: timedelta = timedelta(0)) -> None:
        self.current, self.step = start, step

    def __call__(self) -> datetime:
        now = self.current
        self.current += self.step
        return now


class Server:
    """Serves the recorded files by path and remembers when each request came."""

    def __init__(self, clock: Clock, odds_headers: Mapping[str, str] = ODDS_QUOTA) -> None:
        self.clock, self.odds_headers = clock, dict(odds_headers)
        self.requests: list[tuple[str, datetime]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.url.path, self.clock.current))
        if request.url.path == ODDS_PATH:
            body = (DATA / "odds_soccer_epl.json").read_bytes()
            return httpx.Response(200, content=body, headers=self.odds_headers)
        if request.url.path == EVENTS_PATH:
            body = (DATA / "events_soccer_epl.json").read_bytes()
            return httpx.Response(200, content=body, headers=EVENTS_QUOTA)
        return httpx.Response(404, json={"message": "unknown path"})

    @property
    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


class FakeEngine:
    """Records what is submitted; may set a stop event once it has been fed."""

    def __init__(self, stop: threading.Event | None = None) -> None:
        self.metrics = PipelineMetrics()
        self.submitted: list[list[Any]] = []
        self.stop = stop

    def submit(self, raws: Sequence[Any]) -> IngestSummary:
        self.submitted.append(list(raws))
        if self.stop is not None:
            self.stop.set()
        return IngestSummary(stored=len(raws))

    def gauge(self, name: str) -> float | None:
        value: float | None = self.metrics.registry.get_sample_value(name, PROVIDER)
        return value


def poller_of(
    clock: Clock, engine: FakeEngine, *, credits: int = 500, server: Server | None = None
) -> tuple[OddsPoller, Server]:
    server = server or Server(clock)
    client = OddsApiClient(
        KEY, client=httpx.Client(transport=httpx.MockTransport(server)), sleep=lambda _: None
    )
    poller = OddsPoller(
        client, cast(IngestionEngine, engine), sport="soccer_epl", credits=credits, now=clock
    )
    return poller, server


# -- poll_once ---------------------------------------------------------------------------


def test_poll_once_submits_exactly_the_converted_ticks() -> None:
    engine = FakeEngine()
    poller, server = poller_of(Clock(NOW), engine)
    summary = poller.poll_once()
    assert server.paths == [ODDS_PATH]
    assert engine.submitted == [convert_odds(recorded("odds_soccer_epl.json")).ticks]
    assert summary == IngestSummary(stored=len(engine.submitted[0]))


def test_every_h2h_price_of_the_answer_becomes_one_checked_tick() -> None:
    engine = FakeEngine()
    poller, _ = poller_of(Clock(NOW), engine)
    poller.poll_once()
    ticks = [parse_tick(raw) for raw in engine.submitted[0]]
    assert all(isinstance(t, OddsTick) and t.provider == "the-odds-api" for t in ticks)
    answer = recorded("odds_soccer_epl.json")
    expected = {
        (event["home_team"], bookmaker_code(book["key"]))
        for event in answer
        for book in event["bookmakers"]
        if any(market["key"] == "h2h" for market in book["markets"])
    }
    got = [
        (t.home_team, t.bookmaker)
        for t in ticks
        if isinstance(t, OddsTick) and t.market.value == "1x2"
    ]
    assert sorted(got) == sorted(expected)
    assert {t.kickoff for t in ticks} == set(KICKOFFS)


def test_poll_once_exports_the_quota_headers() -> None:
    engine = FakeEngine()
    poller, _ = poller_of(Clock(NOW), engine)
    poller.poll_once()
    assert engine.gauge("scoreline_provider_requests_remaining") == 494.0
    assert engine.gauge("scoreline_provider_requests_used") == 6.0
    assert engine.gauge("scoreline_provider_requests_last") == 6.0


def test_poll_once_trusts_the_providers_credit_count_and_notes_the_poll() -> None:
    poller, _ = poller_of(Clock(NOW), FakeEngine(), credits=500)
    assert poller.state == PollState(
        credits_left=500, resets_at=datetime(2026, 12, 1, tzinfo=UTC), last_poll=None
    )
    poller.poll_once()
    assert poller.state == PollState(
        credits_left=494, resets_at=datetime(2026, 12, 1, tzinfo=UTC), last_poll=NOW
    )


def test_the_poll_time_is_taken_after_the_answer() -> None:
    clock = Clock(NOW, step=timedelta(minutes=1))
    poller, server = poller_of(clock, FakeEngine())  # the constructor read 10:00
    poller.poll_once()
    ((_, asked_at),) = server.requests
    assert poller.state.last_poll is not None
    assert poller.state.last_poll >= asked_at > NOW


def test_an_answer_without_quota_headers_leaves_the_credits_and_gauges() -> None:
    clock = Clock(NOW)
    engine = FakeEngine()
    poller, _ = poller_of(clock, engine, credits=321, server=Server(clock, odds_headers={}))
    poller.poll_once()
    assert poller.state.credits_left == 321
    assert poller.state.last_poll == NOW
    assert engine.gauge("scoreline_provider_requests_remaining") is None
    assert len(engine.submitted) == 1


def test_an_unreadable_remaining_count_is_not_exported() -> None:
    clock = Clock(NOW)
    engine = FakeEngine()
    headers = {"x-requests-remaining": "lots", "x-requests-used": "12", "x-requests-last": "6"}
    poller, _ = poller_of(clock, engine, credits=321, server=Server(clock, odds_headers=headers))
    poller.poll_once()
    assert poller.state.credits_left == 321
    assert engine.gauge("scoreline_provider_requests_remaining") is None
    assert engine.gauge("scoreline_provider_requests_used") == 12.0


# -- the calendar --------------------------------------------------------------------------


def test_refresh_calendar_reads_the_kickoffs_from_the_free_endpoint() -> None:
    engine = FakeEngine()
    poller, server = poller_of(Clock(NOW), engine)
    assert poller.kickoffs == []
    poller.refresh_calendar()
    assert poller.kickoffs == KICKOFFS
    assert all(k.tzinfo is not None and k.utcoffset() == timedelta(0) for k in poller.kickoffs)
    assert server.paths == [EVENTS_PATH]
    assert engine.submitted == []
    assert poller.state.last_poll is None


# -- run -----------------------------------------------------------------------------------


def run_in_thread(
    poller: OddsPoller, stop: threading.Event, *, calendar_every: timedelta = timedelta(hours=1)
) -> Callable[[], float]:
    """Start ``run``; the returned function joins it and gives the seconds it took."""
    started = time.monotonic()
    thread = threading.Thread(
        target=poller.run, args=(stop,), kwargs={"calendar_every": calendar_every}, daemon=True
    )
    thread.start()

    def join() -> float:
        thread.join(timeout=5)
        alive = thread.is_alive()
        stop.set()
        assert not alive, "run() did not return within 5 s of stop"
        return time.monotonic() - started

    return join


def test_run_polls_at_once_when_never_polled_and_stops_after() -> None:
    stop = threading.Event()
    engine = FakeEngine(stop)
    poller, server = poller_of(Clock(NOW), engine)
    elapsed = run_in_thread(poller, stop)()
    assert elapsed < 2.0
    assert server.paths == [EVENTS_PATH, ODDS_PATH]
    assert len(engine.submitted) == 1
    assert poller.kickoffs == KICKOFFS
    assert poller.state.last_poll == NOW
    assert poller.state.credits_left == 494


def test_run_waits_until_the_poll_is_due() -> None:
    # An hour before kick-off the plan polls every 5 minutes; the last poll was
    # 2 minutes ago, so the next is due at 14:03. The clock moves a minute a call.
    clock = Clock(datetime(2026, 11, 28, 14, 0, tzinfo=UTC), step=timedelta(minutes=1))
    stop = threading.Event()
    engine = FakeEngine(stop)
    poller, server = poller_of(clock, engine)
    poller.state = PollState(
        credits_left=500,
        resets_at=poller.state.resets_at,
        last_poll=datetime(2026, 11, 28, 13, 58, tzinfo=UTC),
    )
    elapsed = run_in_thread(poller, stop, calendar_every=timedelta(seconds=0.02))()
    assert elapsed < 2.0
    odds_calls = [at for path, at in server.requests if path == ODDS_PATH]
    assert len(odds_calls) == 1
    assert odds_calls[0] >= datetime(2026, 11, 28, 14, 3, tzinfo=UTC)
    assert server.paths[0] == EVENTS_PATH
    assert len(engine.submitted) == 1


@pytest.mark.parametrize(
    ("now", "last_poll"),
    [
        (NOW, NOW),  # just polled: the next poll is minutes away
        (datetime(2026, 11, 30, tzinfo=UTC), None),  # every kick-off is past
    ],
    ids=["not-due", "nothing-ahead"],
)
def test_run_stops_promptly_while_waiting(now: datetime, last_poll: datetime | None) -> None:
    stop = threading.Event()
    engine = FakeEngine()
    poller, server = poller_of(Clock(now), engine)
    poller.state = PollState(
        credits_left=500, resets_at=poller.state.resets_at, last_poll=last_poll
    )
    join = run_in_thread(poller, stop)
    deadline = time.monotonic() + 5
    while EVENTS_PATH not in server.paths and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(0.05)
    stop.set()
    assert join() < 2.0
    assert server.paths == [EVENTS_PATH]
    assert engine.submitted == []


class FailingOnce(Server):
    """Answers the first odds call with a 503 every retry, then as recorded."""

    def __init__(self, clock: Clock) -> None:
        super().__init__(clock)
        self.failures = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == ODDS_PATH and self.failures < 4:  # the client retries 3 times
            self.failures += 1
            self.requests.append((request.url.path, self.clock.current))
            return httpx.Response(503, json={"message": "unavailable"})
        return super().__call__(request)


def test_run_survives_a_provider_outage_and_polls_again() -> None:
    clock = Clock(NOW)
    stop = threading.Event()
    engine = FakeEngine(stop)
    server = FailingOnce(clock)
    poller, _ = poller_of(clock, engine, server=server)
    thread = threading.Thread(
        target=poller.run,
        args=(stop,),
        kwargs={"retry_after": timedelta(milliseconds=10)},
        daemon=True,
    )
    thread.start()
    thread.join(timeout=5)
    stop.set()
    assert not thread.is_alive()
    assert server.failures == 4  # the outage outlasted the client's own retries
    assert len(engine.submitted) == 1  # and the loop polled again, successfully
