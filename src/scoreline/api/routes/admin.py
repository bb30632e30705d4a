"""Administration: pipeline status, refits, the active model and football-data uploads.

Everything here needs the ``admin`` permission. The status joins the store's side
(``services.admin_status``) with the bus's, read here: each stream's length and the
backlog of every consumer group that reads it (``messaging.names.Streams.readers``).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from starlette.concurrency import run_in_threadpool

from scoreline.api.context import ApiContext
from scoreline.api.routes.common import ERRORS, Admin, State, errors
from scoreline.api.schemas.admin import (
    AdminStatusRead,
    GroupStatus,
    IngestRead,
    RefitRead,
    SourceFileRead,
    StreamStatus,
    WorkerRead,
)
from scoreline.api.schemas.models import ActiveModel, ActiveModelUpdate, ModelVersionRead
from scoreline.errors import BusUnavailableError, ConflictError, DataError
from scoreline.services import admin_status, ingest, model_versions, worker_heartbeats

router = APIRouter(prefix="/admin", tags=["admin"], responses=ERRORS)

_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}\.csv$")


@router.get("/status", response_model=AdminStatusRead)
def status(state: State, _: Admin) -> AdminStatusRead:
    """Ingestion and workers at a glance: streams and their groups' backlogs, dead
    letters, the outbox, the newest odds and prediction, loaded files, the ML workers
    heard from within a day (each with the version it serves), the refit."""
    streams, bus_error, dead = _streams(state)
    stored = admin_status.status(state.unit_of_work)
    active = stored.active_model
    serving = None if active is None else ActiveModel(name=active.name, version=active.version)
    return AdminStatusRead(
        active_model=serving,
        streams=streams,
        bus_error=bus_error,
        dead_letters=dead,
        odds_outbox=stored.odds_outbox,
        last_odds_at=stored.last_odds_at,
        last_prediction_at=stored.last_prediction_at,
        source_files=[
            SourceFileRead.model_validate(f, from_attributes=True) for f in stored.source_files
        ],
        workers=[_worker(w) for w in stored.workers],
        refit=state.refits.state,
    )


def _worker(worker: worker_heartbeats.ListedWorker) -> WorkerRead:
    beat = worker.beat
    return WorkerRead(
        name=beat.consumer,
        host=beat.host,
        pid=beat.pid,
        started_at=beat.started_at,
        last_seen_at=beat.last_seen_at,
        seen_seconds_ago=int(worker.seen_seconds_ago),
        state=worker.state,
        model=worker.model,
        version=worker.version,
        model_version_id=beat.model_version_id,
        serves_active=worker.serves_active,
        entries_handled=beat.entries_handled,
        predictions=beat.predictions,
        dead_lettered=beat.dead_lettered,
    )


def _streams(state: ApiContext) -> tuple[list[StreamStatus], str | None, int]:
    """Each stream's length and groups, and the dead letters; the bus being down is
    reported, not raised."""
    bus, names = state.bus, state.streams
    if bus is None or names is None:
        return [], "no bus: this API process was started without the pipeline", 0
    out = []
    try:
        for stream, groups in names.readers().items():
            infos = [(g, bus.group_info(stream, g)) for g in groups]
            out.append(
                StreamStatus(
                    name=stream,
                    length=bus.length(stream),
                    groups=[
                        GroupStatus(
                            name=g,
                            consumers=i.consumers,
                            pending=i.pending,
                            lag=i.lag,
                            exists=i.exists,
                        )
                        for g, i in infos
                    ],
                )
            )
        return out, None, bus.length(names.dead_letter)
    except BusUnavailableError as error:
        return out, str(error), 0


@router.post("/refit", response_model=RefitRead, status_code=202, responses=errors(409))
def start_refit(state: State, _: Admin) -> RefitRead:
    """Refit the kind of model that serves (an ensemble's Dixon-Coles ratings, else
    Dixon-Coles) on every finished match before now, dated when really played, and make
    it the active version; runs in the background (``GET /admin/refit``), and the
    workers switch to it on their own. Model health keeps the earlier versions' record."""
    started = state.refits.start()
    if started is None:
        raise ConflictError("a refit is already running")
    return started


@router.get("/refit", response_model=RefitRead)
def refit_state(state: State, _: Admin) -> RefitRead:
    """How the last refit asked of this API process went."""
    return state.refits.state


@router.put("/models/active", response_model=ModelVersionRead)
def switch_model(body: ActiveModelUpdate, state: State, _: Admin) -> ModelVersionRead:
    """Make a registered version the active one (roll forward or back); workers follow."""
    record = model_versions.activate(
        state.unit_of_work,
        artifacts_dir=state.settings.data_dir / "models",
        name=body.name,
        version=body.version,
    )
    state.drop_cached()
    return ModelVersionRead.model_validate(record)


@router.post(
    "/ingest/football-data",
    response_model=IngestRead,
    responses=errors(413, 415),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def upload_football_data(
    request: Request,
    state: State,
    _: Admin,
    filename: Annotated[str, Query(min_length=5, max_length=64)] = "upload.csv",
) -> IngestRead:
    """Load one football-data.co.uk season file sent as the body (``text/csv``).

    Merged safely into what is stored: live ticks, prices a bet or a prediction
    names and results bets were settled on are kept (``odds_kept``,
    ``problems``), and so is the result of a match not yet kicked off (it is
    refused and listed in ``problems``). A file that cannot be read, or holds a
    price beyond the published range, is refused whole with a 422 naming the line
    and column; nothing of it is written. The file name names the season
    (``2023-2024.csv``), else the first date does.
    """
    if not _FILE_NAME.fullmatch(filename):
        raise HTTPException(422, f"filename {filename!r}: use letters, digits, '-', '_', '.csv'")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in {"text/csv", "application/csv", "application/octet-stream"}:
        raise HTTPException(415, f"send the file as text/csv, not {kind or 'no content type'}")
    body = bytearray()
    async for chunk in request.stream():  # at most Settings.max_upload_bytes (api.hygiene)
        body.extend(chunk)
    if not body:
        raise HTTPException(422, "the body is empty: send the CSV file")
    return await run_in_threadpool(_ingest, state, filename, bytes(body))


def _ingest(state: ApiContext, filename: str, data: bytes) -> IngestRead:
    """Load the body as the named file (the loader reads files), then drop what the
    caches hold if anything changed."""
    with tempfile.TemporaryDirectory(prefix="scoreline-upload-") as folder:
        path = FilePath(folder) / filename
        path.write_bytes(data)
        # Listed by the name it was sent with, not the temporary folder it is read from.
        report = ingest.ingest_football_data(state.unit_of_work, [path], names={path: filename})
    outcome = report.files[0]
    if outcome.status == "rejected":
        # Named as it was sent, not by the temporary folder it was read from.
        raise DataError((outcome.error or "file rejected").replace(f"{folder}/", ""))
    if outcome.status == "loaded":
        state.drop_cached()
    return IngestRead(
        status=outcome.status,
        matches=outcome.matches,
        fixtures_inserted=outcome.fixtures_inserted,
        fixtures_updated=outcome.fixtures_updated,
        odds_inserted=outcome.odds_inserted,
        odds_updated=outcome.odds_updated,
        odds_deleted=outcome.odds_deleted,
        odds_kept=outcome.odds_kept,
        problems=[*outcome.problems[:200]],
        error=outcome.error,
    )
