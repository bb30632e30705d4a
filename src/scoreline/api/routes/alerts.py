"""Alerts: settings, the fixtures followed, and the notification centre.

``/alerts/settings`` holds a caller's thresholds and webhook; ``/fixtures/{id}/follow``
follows a fixture for line moves; ``/alerts`` lists what the caller was told, newest
first, and ``/alerts/read`` marks it read. New alerts are pushed as they happen over
Socket.IO (``alert:new`` to the caller's own room) with the same body as ``AlertRead``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from scoreline.api.routes.common import ERRORS, FixtureId, Limit, Offset, Reader, State
from scoreline.api.schemas.alerts import (
    AlertPage,
    AlertRead,
    AlertSettings,
    FollowRead,
    MarkRead,
    UnreadRead,
)
from scoreline.services import alerts

router = APIRouter(tags=["alerts"], responses=ERRORS)


@router.get("/alerts/settings", response_model=AlertSettings)
def get_settings(state: State, principal: Reader) -> AlertSettings:
    """The caller's thresholds and webhook (every alert off until set)."""
    return AlertSettings.of(alerts.rules(state.unit_of_work, user_id=principal.user_id))


@router.put("/alerts/settings", response_model=AlertSettings)
def put_settings(body: AlertSettings, state: State, principal: Reader) -> AlertSettings:
    """Replace the caller's thresholds and webhook (422 naming a bad field; nothing stored)."""
    stored = alerts.set_rules(state.unit_of_work, user_id=principal.user_id, chosen=body.rules())
    return AlertSettings.of(stored)


@router.get("/alerts", response_model=AlertPage)
def list_alerts(
    state: State,
    principal: Reader,
    unread_only: Annotated[bool, Query(description="Only alerts not yet read")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> AlertPage:
    """The caller's alerts, newest first, with how many are unread."""
    found, total, unread = alerts.list_(
        state.unit_of_work,
        user_id=principal.user_id,
        unread_only=unread_only,
        limit=limit,
        offset=offset,
    )
    return AlertPage(
        items=[AlertRead.of(view) for view in found],
        total=total,
        unread=unread,
        limit=limit,
        offset=offset,
    )


@router.post("/alerts/read", response_model=UnreadRead)
def mark_read(body: MarkRead, state: State, principal: Reader) -> UnreadRead:
    """Mark the listed alerts read, or all with ``{"all": true}``; how many remain unread."""
    ids = None if body.all else (body.ids or [])
    unread = alerts.mark_read(state.unit_of_work, user_id=principal.user_id, ids=ids)
    return UnreadRead(unread=unread)


@router.get("/alerts/following", response_model=list[FollowRead])
def list_following(state: State, principal: Reader) -> list[FollowRead]:
    """The fixtures the caller follows for line moves, most recently followed first."""
    found = alerts.following(state.unit_of_work, user_id=principal.user_id)
    return [FollowRead.of(follow, fixture) for follow, fixture in found]


@router.put("/fixtures/{fixture_id}/follow", response_model=FollowRead)
def follow(fixture_id: FixtureId, state: State, principal: Reader) -> FollowRead:
    """Follow a fixture for line moves; following again keeps the first time (its price is
    what moves are measured from until the first alert)."""
    record, fixture = alerts.follow(
        state.unit_of_work, user_id=principal.user_id, fixture_id=fixture_id
    )
    return FollowRead.of(record, fixture)


@router.delete("/fixtures/{fixture_id}/follow", status_code=204)
def unfollow(fixture_id: FixtureId, state: State, principal: Reader) -> Response:
    """Stop following a fixture (404 when the caller did not follow it)."""
    alerts.unfollow(state.unit_of_work, user_id=principal.user_id, fixture_id=fixture_id)
    return Response(status_code=204)
