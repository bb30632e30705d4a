"""Administration: pipeline status, refits, the active model, football-data uploads,
users and every key. Everything here needs the ``admin`` permission."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from sqlalchemy import func, select, update
from starlette.concurrency import run_in_threadpool

from scoreline.api.deps import Gateway
from scoreline.api.routes.common import Admin, Limit, Offset, State
from scoreline.api.schemas.admin import (
    AdminStatus,
    GroupStatus,
    IngestOut,
    RefitState,
    SourceFileOut,
    StreamStatus,
)
from scoreline.api.schemas.common import MAX_ID, Page
from scoreline.api.schemas.keys import AdminKeyOut
from scoreline.api.schemas.models import ActiveModel, ModelSwitch, ModelVersionOut
from scoreline.api.schemas.users import UserChange, UserOut
from scoreline.errors import BusUnavailableError
from scoreline.pipeline.worker import GROUP as WORKERS
from scoreline.services import model_versions
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import (
    ApiKeyRow,
    ModelVersion,
    OddsOutboxRow,
    OddsRow,
    PredictionRow,
    SourceFile,
    UserRow,
)

router = APIRouter(tags=["admin"])


MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}\.csv$")
# The groups reading each stream (the cache invalidator tails outside any group).
_READERS = {"odds": (WORKERS, "api-bridge"), "predictions": ("api-bridge",), "results": ()}


@router.get("/admin/status", response_model=AdminStatus)
def status(state: State, _: Admin) -> AdminStatus:
    """Ingestion and workers at a glance: streams and their groups' backlogs, dead
    letters, the outbox, the newest odds and prediction, loaded files, the refit."""
    streams, bus_error, dead = _streams(state)
    with state.unit_of_work() as uow:
        session = uow.session
        active = session.execute(
            select(ModelVersion.name, ModelVersion.version)
            .where(ModelVersion.is_active.is_(True))
            .order_by(ModelVersion.id.desc())
            .limit(1)
        ).first()
        files = session.scalars(select(SourceFile).order_by(SourceFile.loaded_at.desc()).limit(50))
        return AdminStatus(
            active_model=None if active is None else ActiveModel(name=active[0], version=active[1]),
            streams=streams,
            bus_error=bus_error,
            dead_letters=dead,
            odds_outbox=int(session.scalar(select(func.count()).select_from(OddsOutboxRow)) or 0),
            last_odds_at=session.scalar(
                select(func.max(OddsRow.captured_at)).where(OddsRow.source == "live")
            ),
            last_prediction_at=session.scalar(select(func.max(PredictionRow.created_at))),
            source_files=[
                SourceFileOut(provider=f.provider, path=f.path, loaded_at=f.loaded_at, rows=f.rows)
                for f in files
            ],
            refit=state.refits.state,
        )


def _streams(state: Gateway) -> tuple[list[StreamStatus], str | None, int]:
    """Each stream's length and groups; the bus being down is reported, not raised."""
    bus, names = state.bus, state.streams
    if bus is None or names is None:
        return [], "no bus: this API process was started without the pipeline", 0
    out = []
    try:
        for key, groups in _READERS.items():
            stream = getattr(names, key)
            infos = [(g, bus.group_info(stream, g)) for g in groups]
            out.append(
                StreamStatus(
                    name=stream,
                    length=bus.length(stream),
                    groups=[
                        GroupStatus(name=g, consumers=i.consumers, pending=i.pending, lag=i.lag)
                        for g, i in infos
                    ],
                )
            )
        return out, None, bus.length(names.dead_letter)
    except BusUnavailableError as error:
        return out, str(error), 0


@router.post("/admin/refit", response_model=RefitState, status_code=202, responses={409: {}})
def start_refit(state: State, _: Admin) -> RefitState:
    """Fit Dixon-Coles on every finished match and make it the active version; runs in
    the background (``GET /admin/refit``), and the workers switch to it on their own."""
    started = state.refits.start()
    if started is None:
        raise HTTPException(409, "a refit is already running")
    return started


@router.get("/admin/refit", response_model=RefitState)
def refit_state(state: State, _: Admin) -> RefitState:
    """How the last refit asked of this API process went."""
    return state.refits.state


@router.put("/admin/models/active", response_model=ModelVersionOut, responses={404: {}})
def switch_model(body: ModelSwitch, state: State, _: Admin) -> ModelVersionOut:
    """Make a registered version the active one (roll forward or back); workers follow."""
    record = model_versions.activate(
        state.unit_of_work,
        artifacts_dir=state.settings.data_dir / "models",
        name=body.name,
        version=body.version,
    )
    state.drop_cached()
    return ModelVersionOut.model_validate(record, from_attributes=True)


@router.post(
    "/admin/ingest/football-data",
    response_model=IngestOut,
    responses={413: {}, 415: {}},
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
) -> IngestOut:
    """Load one football-data.co.uk season file sent as the body (``text/csv``).

    Merged safely into what is stored: live ticks, prices a bet or a prediction
    names and results bets were settled on are kept (``odds_kept``,
    ``problems``). A file that cannot be read is rejected whole. The file name
    names the season (``2023-2024.csv``), else the first date does.
    """
    if not _FILE_NAME.fullmatch(filename):
        raise HTTPException(422, f"filename {filename!r}: use letters, digits, '-', '_', '.csv'")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in {"text/csv", "application/csv", "application/octet-stream"}:
        raise HTTPException(415, f"send the file as text/csv, not {kind or 'no content type'}")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_UPLOAD_BYTES:
            raise HTTPException(413, f"files over {MAX_UPLOAD_BYTES // 2**20} MB are refused")
    if not body:
        raise HTTPException(422, "the body is empty: send the CSV file")
    return await run_in_threadpool(_ingest, state, filename, bytes(body))


def _ingest(state: Gateway, filename: str, data: bytes) -> IngestOut:
    with tempfile.TemporaryDirectory(prefix="scoreline-upload-") as folder:
        path = FilePath(folder) / filename
        path.write_bytes(data)
        report = ingest_football_data(state.unit_of_work, [path])
    outcome = report.files[0]
    if outcome.status == "loaded":
        state.drop_cached()
    return IngestOut(
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


@router.patch("/admin/users/{user_id}", response_model=UserOut, responses={404: {}, 409: {}})
def change_user(
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: UserChange, state: State, caller: Admin
) -> UserOut:
    """Change a user's role or disable the account; a disabled user's sessions end now."""
    if user_id == caller.user_id and (body.is_active is False or body.role not in {None, "admin"}):
        raise HTTPException(409, "you cannot disable yourself or drop your own admin role")
    now = datetime.now(UTC)
    with state.unit_of_work() as uow:
        user = uow.session.get(UserRow, user_id)
        if user is None:
            raise HTTPException(404, f"user {user_id} not found")
        if body.role is not None:
            user.role = body.role.value
        if body.is_active is not None:
            user.is_active = body.is_active
        uow.commit()
        out = UserOut.model_validate(user)
    state.users.pop(user_id, None)  # this process sees the change at once
    if body.is_active is False:
        state.sessions.close_all(user_id, now=now)
    return out


@router.get("/admin/keys", response_model=Page[AdminKeyOut])
def every_key(state: State, _: Admin, limit: Limit = 100, offset: Offset = 0) -> Page[AdminKeyOut]:
    """Every user's API keys (never their secrets), newest first."""
    with state.unit_of_work() as uow:
        total = int(uow.session.scalar(select(func.count(ApiKeyRow.id))) or 0)
        rows = uow.session.execute(
            select(ApiKeyRow, UserRow.email)
            .join(UserRow, UserRow.id == ApiKeyRow.user_id)
            .order_by(ApiKeyRow.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        items = [
            AdminKeyOut(
                id=key.id,
                public_id=key.public_id,
                name=key.name,
                scopes=[str(s) for s in key.scopes.get("scopes", [])],
                created_at=key.created_at,
                revoked_at=key.revoked_at,
                last_used_at=key.last_used_at,
                user_id=key.user_id,
                email=email,
            )
            for key, email in rows
        ]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.delete("/admin/keys/{key_id}", status_code=204, responses={404: {}})
def revoke_any_key(
    key_id: Annotated[int, Path(ge=1, le=MAX_ID)], state: State, _: Admin
) -> Response:
    """Revoke anyone's key (a leaked key, a departed trader); revoking twice is harmless."""
    with state.unit_of_work() as uow:
        if uow.session.get(ApiKeyRow, key_id) is None:
            raise HTTPException(404, f"API key {key_id} not found")
        uow.session.execute(
            update(ApiKeyRow)
            .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        uow.commit()
    return Response(status_code=204)
