"""The worker's small HTTP face: health, Prometheus metrics and the gateway's admin calls.

``/health`` and ``/metrics`` are open (a scraper and a load balancer call
them). ``/admin/*`` needs the bearer token from ``SCORELINE_WORKER_ADMIN_TOKEN``;
with no token configured the admin calls are refused, never open.

- ``GET /admin/status``: the model served, batches, predictions, dead letters,
  the stream backlog;
- ``PUT /admin/model``: make a registered version the active one and serve it
  (the switch happens between batches, so no batch mixes two versions);
- ``POST /admin/refit``: fit Dixon-Coles on every finished match now, activate
  and serve it; runs in the background, ``GET /admin/refit`` tells how it went.
"""

from __future__ import annotations

import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Response
from pydantic import BaseModel, Field

from scoreline.errors import NotFoundError, ScorelineError
from scoreline.pipeline.worker import Worker

__all__ = ["create_worker_app"]

logger = logging.getLogger(__name__)

_PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"


class ModelSwitch(BaseModel):
    """Which registered version to serve."""

    name: str = Field(min_length=1, max_length=60)
    version: str = Field(min_length=1, max_length=60)


class RefitState(BaseModel):
    """The last refit asked for over ``/admin/refit``."""

    state: str = "idle"  # idle, running, done, failed
    started_at: str | None = None
    finished_at: str | None = None
    version: str | None = None
    error: str | None = None


def create_worker_app(
    worker: Worker,
    *,
    admin_token: str | None,
    activate: Callable[[str, str], None],
    refit: Callable[[], str],
) -> FastAPI:
    """The app for one worker; ``activate`` and ``refit`` change the active version."""
    app = FastAPI(title="Scoreline worker", version="1", docs_url="/docs", redoc_url=None)
    refit_state = RefitState()
    refit_lock = threading.Lock()

    def admin(authorization: Annotated[str | None, Header()] = None) -> None:
        if not admin_token:
            raise HTTPException(403, "admin calls are disabled: SCORELINE_WORKER_ADMIN_TOKEN unset")
        scheme, _, token = (authorization or "").partition(" ")
        # Compared as bytes: compare_digest refuses non-ASCII str, and a header may hold any.
        given = token.encode("utf-8", "surrogateescape")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given, admin_token.encode()):
            raise HTTPException(401, "a valid bearer token is required")

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness: the loop is running and when it last finished a batch."""
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

    @app.get("/admin/status", dependencies=[Depends(admin)])
    def status() -> dict[str, Any]:
        """Counters, the model served and the stream backlog."""
        info: dict[str, Any] = {}
        try:
            group = worker.bus.group_info(worker.config.streams.odds, worker.config.group)
            info = {"lag": group.lag, "pending": group.pending, "consumers": group.consumers}
        except ScorelineError as error:
            info = {"error": str(error)}
        return asdict(worker.status) | {"stream": info}

    @app.put("/admin/model", dependencies=[Depends(admin)])
    def switch(body: ModelSwitch) -> dict[str, str]:
        """Activate and serve a registered version."""
        try:
            activate(body.name, body.version)
        except NotFoundError as error:
            raise HTTPException(404, str(error)) from error
        worker.reload_model()
        return {"name": worker.status.model, "version": worker.status.version}

    @app.post("/admin/refit", status_code=202, dependencies=[Depends(admin)])
    def start_refit() -> RefitState:
        """Fit now in the background; 409 while one is running."""
        with refit_lock:
            if refit_state.state == "running":
                raise HTTPException(409, "a refit is already running")
            refit_state.state, refit_state.error, refit_state.version = "running", None, None
            refit_state.started_at, refit_state.finished_at = _now(), None

        def run() -> None:
            version: str | None = None
            error: str | None = None
            try:
                version = refit()
                worker.reload_model()
            except Exception as failure:  # reported over the API, and logged with its trace
                logger.exception("refit failed")
                error = str(failure)
            with refit_lock:  # one consistent update: never "done" without its finish time
                refit_state.version, refit_state.error = version, error
                refit_state.finished_at = _now()
                refit_state.state = "failed" if error is not None else "done"

        threading.Thread(target=run, name="refit", daemon=True).start()
        return refit_state

    @app.get("/admin/refit", dependencies=[Depends(admin)])
    def refit_status() -> RefitState:
        """How the last refit went."""
        return refit_state

    return app


def _now() -> str:
    return datetime.now(UTC).isoformat()
