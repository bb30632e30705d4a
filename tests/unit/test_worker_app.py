"""The worker's HTTP face: open health and metrics, admin calls behind a bearer token."""

from __future__ import annotations

import logging
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any, cast

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from scoreline.errors import BusUnavailableError, NotFoundError
from scoreline.messaging.bus import GroupInfo
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.metrics import METRIC_NAMES, PipelineMetrics
from scoreline.pipeline.worker import Worker, WorkerConfig, WorkerStatus
from scoreline.pipeline.worker_app import create_worker_app

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork in its test client; the plain httpx works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

TOKEN = "s3cret-admin-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
REGISTERED = {("dixon-coles", "v1"), ("dixon-coles", "v2"), ("ensemble", "v7")}


@dataclass
class FakeWorker:
    """What the app reads from a Worker; ``reload_model`` serves the active version."""

    bus: MemoryBus = field(default_factory=MemoryBus)
    config: WorkerConfig = field(
        default_factory=lambda: WorkerConfig(consumer="worker-1", streams=Streams(prefix="t"))
    )
    status: WorkerStatus = field(
        default_factory=lambda: WorkerStatus(consumer="worker-1", model="dixon-coles", version="v1")
    )
    metrics: PipelineMetrics = field(default_factory=PipelineMetrics)
    stopping: bool = False
    active: tuple[str, str] = ("dixon-coles", "v1")
    reloads: int = 0

    def reload_model(self) -> None:
        self.reloads += 1
        self.status.model, self.status.version = self.active


@dataclass
class Admin:
    """The activate and refit callables, recording their calls."""

    worker: FakeWorker
    activated: list[tuple[str, str]] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    failure: Exception | None = None
    refits: int = 0

    def __post_init__(self) -> None:
        self.hold.set()

    def activate(self, name: str, version: str) -> None:
        if (name, version) not in REGISTERED:
            raise NotFoundError(f"model {name!r} has no version {version!r}")
        self.activated.append((name, version))
        self.worker.active = (name, version)

    def refit(self) -> str:
        self.refits += 1
        assert self.hold.wait(10), "the test never released the refit"
        if self.failure is not None:
            raise self.failure
        version = f"v{10 + self.refits}"
        self.worker.active = ("dixon-coles", version)
        return version


@dataclass
class Harness:
    worker: FakeWorker
    admin: Admin
    client: TestClient


def harness(*, token: str | None = TOKEN, worker: FakeWorker | None = None) -> Harness:
    worker = worker or FakeWorker()
    admin = Admin(worker)
    app = create_worker_app(
        cast(Worker, worker), admin_token=token, activate=admin.activate, refit=admin.refit
    )
    return Harness(worker, admin, TestClient(app))


@pytest.fixture
def app() -> Iterator[Harness]:
    made = harness()
    yield made
    made.admin.hold.set()  # never leave a refit thread waiting


def wait_for_refit(client: TestClient, timeout: float = 5.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict[str, Any] = client.get("/admin/refit", headers=BEARER).json()
        if body["state"] not in ("running", "idle") and body["finished_at"] is not None:
            return body
        time.sleep(0.01)
    raise AssertionError(f"the refit did not finish within {timeout} s")


# -- open routes ------------------------------------------------------------------------


def test_health_is_open_and_names_the_model(app: Harness) -> None:
    response = app.client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "consumer": "worker-1",
        "model": "dixon-coles",
        "version": "v1",
        "last_batch_at": None,
    }


def test_health_says_when_the_worker_is_stopping() -> None:
    made = harness(worker=FakeWorker(stopping=True))
    made.worker.status.last_batch_at = "2026-11-28T15:00:00+00:00"
    body = made.client.get("/health").json()
    assert body["status"] == "stopping"
    assert body["last_batch_at"] == "2026-11-28T15:00:00+00:00"


def test_health_is_open_even_with_admin_calls_disabled() -> None:
    assert harness(token=None).client.get("/health").status_code == 200


def test_metrics_are_prometheus_text(app: Harness) -> None:
    app.worker.metrics.predictions.inc(3)
    app.worker.metrics.quota_remaining.labels(provider="the-odds-api").set(494)
    response = app.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "version=0.0.4" in response.headers["content-type"]
    lines = response.text.splitlines()
    assert "scoreline_predictions_total 3.0" in lines
    assert 'scoreline_provider_requests_remaining{provider="the-odds-api"} 494.0' in lines
    for name in METRIC_NAMES:
        assert any(line.startswith(f"# TYPE {name} ") for line in lines), name


# -- the bearer token ----------------------------------------------------------------------

ADMIN_CALLS = [
    ("GET", "/admin/status", None),
    ("PUT", "/admin/model", {"name": "dixon-coles", "version": "v2"}),
    ("POST", "/admin/refit", None),
    ("GET", "/admin/refit", None),
]
CALL_IDS = ["status", "model", "refit", "refit-state"]


def call(client: TestClient, method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
    return client.request(method, path, json=body, headers=headers)


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS, ids=CALL_IDS)
@pytest.mark.parametrize("headers", [{}, BEARER], ids=["no-token", "a-token"])
def test_admin_calls_are_refused_when_no_token_is_configured(
    method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    made = harness(token=None)
    response = call(made.client, method, path, body, headers)
    assert response.status_code == 403
    assert "SCORELINE_WORKER_ADMIN_TOKEN" in response.json()["detail"]
    assert (made.admin.activated, made.admin.refits) == ([], 0)


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS, ids=CALL_IDS)
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": "Bearer "},
    ],
    ids=["missing", "wrong", "basic", "no-scheme", "longer", "empty"],
)
def test_admin_calls_need_the_right_bearer_token(
    app: Harness, method: str, path: str, body: Any, headers: dict[str, str]
) -> None:
    response = call(app.client, method, path, body, headers)
    assert response.status_code == 401
    assert response.json()["detail"] == "a valid bearer token is required"
    assert (app.admin.activated, app.admin.refits) == ([], 0)


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS, ids=CALL_IDS)
@pytest.mark.parametrize("scheme", ["Bearer", "bearer"])
def test_admin_calls_pass_with_the_right_token(
    app: Harness, method: str, path: str, body: Any, scheme: str
) -> None:
    response = call(app.client, method, path, body, {"Authorization": f"{scheme} {TOKEN}"})
    assert response.status_code in (200, 202)


def test_a_token_with_non_ascii_characters_is_refused_not_a_server_error() -> None:
    made = harness()
    client = TestClient(made.client.app, raise_server_exceptions=False)
    response = client.get("/admin/status", headers={"Authorization": b"Bearer \xe9t\xe9"})
    assert response.status_code == 401


# -- status --------------------------------------------------------------------------------


def test_status_reports_the_counters_and_the_stream_backlog(app: Harness) -> None:
    bus, config = app.worker.bus, app.worker.config
    bus.publish(config.streams.odds, [b"a", b"b", b"c"])
    bus.ensure_group(config.streams.odds, config.group)
    bus.read(config.streams.odds, config.group, "worker-1", count=1, block_ms=0)
    app.worker.status.batches, app.worker.status.predictions = 4, 17
    body = app.client.get("/admin/status", headers=BEARER).json()
    assert body == asdict(app.worker.status) | {"stream": {"lag": 2, "pending": 1, "consumers": 1}}
    assert (body["batches"], body["predictions"]) == (4, 17)


class DownBus(MemoryBus):
    def group_info(self, stream: str, group: str) -> GroupInfo:
        raise BusUnavailableError("Redis at redis://cache:6379 is unreachable")


def test_status_reports_a_bus_that_is_down() -> None:
    made = harness(worker=FakeWorker(bus=DownBus()))
    response = made.client.get("/admin/status", headers=BEARER)
    assert response.status_code == 200
    assert response.json()["stream"] == {"error": "Redis at redis://cache:6379 is unreachable"}
    assert response.json()["model"] == "dixon-coles"


# -- switching the model ---------------------------------------------------------------------


def test_put_model_activates_the_version_and_reloads(app: Harness) -> None:
    response = app.client.put(
        "/admin/model", json={"name": "ensemble", "version": "v7"}, headers=BEARER
    )
    assert response.status_code == 200
    assert response.json() == {"name": "ensemble", "version": "v7"}
    assert app.admin.activated == [("ensemble", "v7")]
    assert app.worker.reloads == 1
    assert app.client.get("/health").json()["version"] == "v7"


def test_put_model_of_an_unknown_version_is_404_and_keeps_serving(app: Harness) -> None:
    response = app.client.put(
        "/admin/model", json={"name": "ensemble", "version": "v99"}, headers=BEARER
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "model 'ensemble' has no version 'v99'"
    assert app.worker.reloads == 0
    assert (app.worker.status.model, app.worker.status.version) == ("dixon-coles", "v1")


@pytest.mark.parametrize(
    "body",
    [
        {"name": "ensemble"},
        {"version": "v7"},
        {"name": "", "version": "v7"},
        {"name": "ensemble", "version": "v" * 61},
        {"name": 7, "version": "v7"},
        ["ensemble", "v7"],
        None,
    ],
    ids=["no-version", "no-name", "blank-name", "long-version", "int-name", "list", "no-body"],
)
def test_put_model_with_a_bad_body_is_422(app: Harness, body: Any) -> None:
    response = app.client.put("/admin/model", json=body, headers=BEARER)
    assert response.status_code == 422
    assert app.admin.activated == []
    assert app.worker.reloads == 0


# -- refitting ---------------------------------------------------------------------------------


def test_a_refit_runs_in_the_background_and_reports_its_version(app: Harness) -> None:
    assert app.client.get("/admin/refit", headers=BEARER).json()["state"] == "idle"
    app.admin.hold.clear()
    response = app.client.post("/admin/refit", headers=BEARER)
    assert response.status_code == 202
    started = response.json()
    assert started["state"] == "running"
    assert started["started_at"] is not None
    assert (started["finished_at"], started["version"], started["error"]) == (None, None, None)
    assert app.client.get("/admin/refit", headers=BEARER).json()["state"] == "running"
    assert app.worker.reloads == 0
    app.admin.hold.set()
    done = wait_for_refit(app.client)
    assert (done["state"], done["version"], done["error"]) == ("done", "v11", None)
    assert done["finished_at"] >= done["started_at"]
    assert app.worker.reloads == 1
    assert app.client.get("/health").json()["version"] == "v11"


def test_a_second_refit_while_one_runs_is_409(app: Harness) -> None:
    app.admin.hold.clear()
    assert app.client.post("/admin/refit", headers=BEARER).status_code == 202
    second = app.client.post("/admin/refit", headers=BEARER)
    assert second.status_code == 409
    assert second.json()["detail"] == "a refit is already running"
    app.admin.hold.set()
    assert wait_for_refit(app.client)["version"] == "v11"
    assert app.admin.refits == 1
    assert app.client.post("/admin/refit", headers=BEARER).status_code == 202
    assert wait_for_refit(app.client)["version"] == "v12"


def test_a_failed_refit_reports_its_error_and_keeps_serving(
    app: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    app.admin.failure = RuntimeError("no finished matches to fit on")
    with caplog.at_level(logging.ERROR, logger="scoreline.pipeline.worker_app"):
        assert app.client.post("/admin/refit", headers=BEARER).status_code == 202
        failed = wait_for_refit(app.client)
    assert failed["state"] == "failed"
    assert failed["error"] == "no finished matches to fit on"
    assert app.worker.reloads == 0
    assert app.client.get("/health").json()["version"] == "v1"
    assert any(r.getMessage() == "refit failed" and r.exc_info for r in caplog.records)


def test_a_refit_may_start_again_after_one_failed(app: Harness) -> None:
    app.admin.failure = RuntimeError("database is locked")
    app.client.post("/admin/refit", headers=BEARER)
    assert wait_for_refit(app.client)["state"] == "failed"
    app.admin.failure = None
    assert app.client.post("/admin/refit", headers=BEARER).status_code == 202
    done = wait_for_refit(app.client)
    assert (done["state"], done["version"], done["error"]) == ("done", "v12", None)
