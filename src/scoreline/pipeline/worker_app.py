"""The worker's small HTTP face: health and Prometheus metrics, both open.

A load balancer calls ``/health`` and a scraper ``/metrics``; nothing here
changes anything. Which model a worker serves is decided in the database (the
gateway's admin API activates a version, and every worker follows it on its
own), so a worker has no admin calls of its own.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Response

from scoreline.pipeline.worker import Worker

__all__ = ["create_worker_app"]

_PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


def create_worker_app(worker: Worker) -> FastAPI:
    """The app for one worker."""
    app = FastAPI(title="Scoreline worker", version="1", docs_url="/docs", redoc_url=None)

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness: the loop is running, the model it serves, when it last finished a batch."""
        return {
            "status": "stopping" if worker.stopping else "ok",
            "consumer": worker.config.consumer,
            "model": worker.status.model,
            "version": worker.status.version,
            "last_batch_at": worker.status.last_batch_at,
        }

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus text exposition of the worker's registry."""
        return Response(worker.metrics.exposition(), media_type=_PROMETHEUS_TEXT)

    return app
