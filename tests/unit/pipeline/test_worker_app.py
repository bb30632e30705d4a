"""The worker's HTTP face: open health and metrics, and no admin calls of its own (the
gateway's admin API activates versions; workers follow the database)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import cast

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from scoreline.messaging.names import Streams
from scoreline.pipeline.metrics import METRIC_NAMES, PipelineMetrics
from scoreline.pipeline.worker import Worker, WorkerConfig, WorkerStatus
from scoreline.pipeline.worker_app import create_worker_app

with warnings.catch_warnings():
    # Starlette asks for the httpx2 fork in its test client; the plain httpx works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@dataclass
class FakeWorker:
    """What the app reads from a Worker."""

    config: WorkerConfig = field(
        default_factory=lambda: WorkerConfig(consumer="worker-1", streams=Streams(prefix="t"))
    )
    status: WorkerStatus = field(
        default_factory=lambda: WorkerStatus(consumer="worker-1", model="dixon-coles", version="v1")
    )
    metrics: PipelineMetrics = field(default_factory=PipelineMetrics)
    stopping: bool = False
    down: dict[str, str] = field(default_factory=dict)

    def problems(self) -> dict[str, str]:
        return dict(self.down)


def client_of(worker: FakeWorker) -> TestClient:
    return TestClient(create_worker_app(cast(Worker, worker)))


def test_health_is_open_and_names_the_model() -> None:
    response = client_of(FakeWorker()).get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "consumer": "worker-1",
        "model": "dixon-coles",
        "version": "v1",
        "last_batch_at": None,
        "checks": {"bus": "ok", "database": "ok", "consumer": "ok"},
    }


def test_health_answers_503_naming_the_part_that_is_down() -> None:
    worker = FakeWorker(down={"bus": "down: the stream bus does not answer"})
    response = client_of(worker).get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["checks"] == {
        "bus": "down: the stream bus does not answer",
        "database": "ok",
        "consumer": "ok",
    }


def test_health_says_when_the_worker_is_stopping() -> None:
    worker = FakeWorker(stopping=True)
    worker.status.last_batch_at = "2026-11-28T15:00:00+00:00"
    body = client_of(worker).get("/health").json()
    assert body["status"] == "stopping"
    assert body["last_batch_at"] == "2026-11-28T15:00:00+00:00"


def test_health_follows_the_model_the_worker_switched_to() -> None:
    worker = FakeWorker()
    client = client_of(worker)
    worker.status.model, worker.status.version = "ensemble", "v7"
    assert client.get("/health").json()["version"] == "v7"


def test_metrics_are_prometheus_text() -> None:
    worker = FakeWorker()
    worker.metrics.predictions.inc(3)
    worker.metrics.quota_remaining.labels(provider="the-odds-api").set(494)
    response = client_of(worker).get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "version=0.0.4" in response.headers["content-type"]
    lines = response.text.splitlines()
    assert "scoreline_predictions_total 3.0" in lines
    assert 'scoreline_provider_requests_remaining{provider="the-odds-api"} 494.0' in lines
    for name in METRIC_NAMES:
        assert any(line.startswith(f"# TYPE {name} ") for line in lines), name


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/admin/status"),
        ("PUT", "/admin/model"),
        ("POST", "/admin/refit"),
        ("GET", "/admin/refit"),
    ],
)
def test_a_worker_has_no_admin_calls(method: str, path: str) -> None:
    headers = {"Authorization": "Bearer anything"}
    response = client_of(FakeWorker()).request(method, path, headers=headers)
    assert response.status_code == 404
