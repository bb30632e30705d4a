"""The worker's small HTTP face: health and Prometheus metrics, both open.

A load balancer calls ``/health`` (503, naming the part, when the bus or the
database does not answer or the consumer loop has stopped going round) and a
scraper ``/metrics``; nothing here changes anything. Which model a worker
serves is decided in the database (the gateway's admin API activates a version,
and every worker follows it on its own), so a worker has no admin calls of its
own.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse

from scoreline.pipeline.worker import Worker

__all__ = ["create_worker_app"]

_PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"
_PARTS = ("bus", "database", "consumer")  # what ``Worker.problems`` may name


def create_worker_app(worker: Worker) -> FastAPI:
    """The app for one worker."""
    app = FastAPI(title="Scoreline worker", version="1", docs_url="/docs", redoc_url=None)

    @app.get("/health", responses={503: {"description": "A part the worker needs is down"}})
    def health() -> JSONResponse:
        """Readiness: the bus and the database answer and the loop goes round (503 naming
        what does not, otherwise 200), with the model served and the last batch's time."""
        problems = worker.problems()
        status = "stopping" if worker.stopping else "down" if problems else "ok"
        body: dict[str, Any] = {
            "status": status,
            "consumer": worker.config.consumer,
            "model": worker.status.model,
            "version": worker.status.version,
            "last_batch_at": worker.status.last_batch_at,
            "checks": {part: problems.get(part, "ok") for part in _PARTS},
        }
        return JSONResponse(body, status_code=503 if problems else 200)

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus text exposition of the worker's registry."""
        return Response(worker.metrics.exposition(), media_type=_PROMETHEUS_TEXT)

    return app
