"""Socket.IO on the gateway's ASGI app: live odds, predictions and settled bets, pushed.

::

    odds, predictions streams
        │  consumer group "api-bridge": each entry goes to ONE API process
        ▼
    Realtime bridge (every API process) ── sio.emit ──► Redis manager (pub/sub)
                                                              │ every API process
                                                              ▼
                              rooms  competition:E0   fixture:123   user:7
                                        (subscribe)    (subscribe)   (on connect)

Why a consumer group *and* the Redis manager: the group makes sure an entry is
emitted once in all (two processes tailing the stream would both emit it, and a
client would see it twice); the manager makes that one emit reach the clients of
every process, wherever they are connected. Without ``redis_url`` there is one
process and Socket.IO's in-process manager does the same job.

A socket is a caller like any REST client: it connects with an access token or
an API key (``auth={"token": ...}`` / ``{"api_key": ...}``, or the
``Authorization: Bearer`` / ``X-API-Key`` headers), or from the dashboard with
its session cookie, that holds the ``read`` permission, and is refused
otherwise. Credentials are checked once, at connect.

Entries older than ``max_age_seconds`` are acknowledged without being pushed: a
live board wants what is happening, and a group made on a long stream (the first
start, or after an outage) would otherwise replay history into every browser.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import re
import secrets
import socket
import time
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from typing import Any

import socketio  # type: ignore[import-untyped]
from fastapi import FastAPI
from socketio.exceptions import (  # type: ignore[import-untyped]
    ConnectionRefusedError as SocketRefusedError,
)
from sqlalchemy import select

from scoreline.api.deps import (
    Gateway,
    Principal,
    principal_from_key,
    principal_from_session,
    principal_from_token,
)
from scoreline.api.security import AuthError, Scope
from scoreline.api.sessions import SESSION_COOKIE
from scoreline.errors import BusUnavailableError
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.names import Streams
from scoreline.storage.tables import CompetitionRow, FixtureRow

__all__ = ["BET_SETTLED", "GROUP", "ODDS_UPDATE", "PREDICTION_UPDATE", "Realtime", "room_for"]

logger = logging.getLogger(__name__)

ODDS_UPDATE = "odds:update"
PREDICTION_UPDATE = "prediction:update"
BET_SETTLED = "bet:settled"
GROUP = "api-bridge"
"""The consumer group every API process reads the odds and predictions streams through."""

_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,15}")  # CompetitionRow.code is 16 wide
_SUBSCRIBE_HINT = 'send {"competition": "<code>"} or {"fixture": <id>}'


@dataclass(frozen=True, slots=True)
class _Push:
    event: str
    rooms: list[str]
    payload: dict[str, Any]


class Realtime:
    """The Socket.IO server, its rooms, and the bridge from the streams to them.

    Parameters
    ----------
    gateway : Gateway
        Settings (CORS origins), the signing secret and units of work.
    redis_url : str or None
        Redis for Socket.IO's manager, so that every API process reaches every
        client; ``None`` for a single process.
    bus, streams : Bus, Streams
        Where odds and predictions arrive.

    Attributes
    ----------
    sio : socketio.AsyncServer
        The server; ``asgi`` wraps the REST app with it.
    consumer : str
        This process's name in the ``api-bridge`` group (host, pid, random).
    block_ms, batch, claim_every_seconds, min_idle_ms, max_deliveries,
    max_age_seconds, max_rooms
        Tuning, set before ``start``: how long a read waits (bounds how long
        ``stop`` takes), entries per read, how often and after how much idleness
        entries of a dead process are taken over, how often an entry is tried
        before it is dropped, how old an entry may be and still be pushed, and
        how many rooms one connection may join.
    forwarded, dropped : int
        Entries pushed, and entries acknowledged without a push.
    """

    def __init__(
        self, gateway: Gateway, *, redis_url: str | None, bus: Bus, streams: Streams
    ) -> None:
        self.gateway, self.bus, self.streams = gateway, bus, streams
        manager = (
            socketio.AsyncRedisManager(redis_url, channel=f"{streams.prefix}:socketio")
            if redis_url
            else None
        )
        # None, not []: python-engineio reads an empty list as "do not check the
        # Origin header at all"; None keeps sockets to the dashboard's own origin,
        # as the REST app does when no CORS origins are configured.
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            cors_allowed_origins=gateway.settings.cors_origins or None,
        )
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self.block_ms, self.batch = 500, 100
        self.claim_every_seconds, self.min_idle_ms, self.max_deliveries = 10.0, 30_000, 5
        self.max_age_seconds, self.max_rooms = 300.0, 200
        self.forwarded = self.dropped = 0
        self._competitions: dict[int, str] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping: asyncio.Event | None = None
        self.sio.on("connect", self._connect)
        self.sio.on("subscribe", self._subscribe)
        self.sio.on("unsubscribe", self._unsubscribe)

    def __repr__(self) -> str:
        return (
            f"Realtime(consumer={self.consumer!r}, "
            f"forwarded={self.forwarded}, dropped={self.dropped})"
        )

    def asgi(self, app: FastAPI) -> Any:
        """``app`` with Socket.IO answering under ``/socket.io``."""
        return socketio.ASGIApp(self.sio, other_asgi_app=app, socketio_path="socket.io")

    async def start(self) -> None:
        """Start one bridge task per stream, on the running loop."""
        # Socket.IO starts the manager's Redis listener at the first connection; an
        # emit from another process in that instant would be missed, so start it now.
        if not self.sio.manager_initialized:
            self.sio.manager_initialized = True
            self.sio.manager.initialize()
        self._stopping = asyncio.Event()
        self._tasks = [
            asyncio.create_task(self._bridge(stream), name=f"realtime:{stream}")
            for stream in (self.streams.odds, self.streams.predictions)
        ]
        logger.info("realtime bridge started as %s in group %s", self.consumer, GROUP)

    async def stop(self) -> None:
        """Stop the bridge within about one read (``block_ms``), then the Redis listener."""
        if self._stopping is not None:
            self._stopping.set()
        tasks, self._tasks = self._tasks, []
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=self.block_ms / 1000 + 5)
            for task in late:  # an entry read but not acked stays pending; a peer claims it
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        await self._close_manager()
        await self.sio.shutdown()
        logger.info(
            "realtime bridge stopped: %d forwarded, %d dropped", self.forwarded, self.dropped
        )

    async def bet_settled(self, user_id: int, payload: dict[str, Any]) -> None:
        """Tell a bet's owner, on whichever process their sockets are connected."""
        await self.sio.emit(BET_SETTLED, payload, to=f"user:{user_id}")

    # -- connections and rooms -----------------------------------------------------------

    async def _connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        token, key = _credentials(environ, auth)
        cookie = None if token or key else _session_cookie(environ)
        try:
            principal = await asyncio.to_thread(
                _authenticate, self.gateway, token=token, api_key=key, cookie=cookie
            )
        except SocketRefusedError:
            raise
        except Exception as error:
            # Otherwise Socket.IO never answers and the client waits for its timeout.
            logger.exception("socket %s: checking its credentials failed", sid)
            raise SocketRefusedError("internal error; try again later") from error
        await self.sio.save_session(sid, {"user_id": principal.user_id})
        await self.sio.enter_room(sid, f"user:{principal.user_id}")
        logger.debug("socket %s connected for user %d", sid, principal.user_id)

    async def _subscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        try:
            room = room_for(data)
        except ValueError as error:
            return {"ok": False, "error": str(error)}
        joined = [r for r in self.sio.rooms(sid) if r.startswith(("competition:", "fixture:"))]
        if room not in joined and len(joined) >= self.max_rooms:
            return {
                "ok": False,
                "error": f"at most {self.max_rooms} rooms per connection; "
                "unsubscribe from one first",
            }
        await self.sio.enter_room(sid, room)
        return {"ok": True, "room": room}

    async def _unsubscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        try:
            room = room_for(data)
        except ValueError as error:
            return {"ok": False, "error": str(error)}
        await self.sio.leave_room(sid, room)
        return {"ok": True, "room": room}

    # -- the bridge ----------------------------------------------------------------------

    async def _bridge(self, stream: str) -> None:
        """Read ``stream`` through the group and push what arrives, until stopped."""
        assert self._stopping is not None
        ensured, next_claim = False, 0.0
        while not self._stopping.is_set():
            try:
                if not ensured:
                    await asyncio.to_thread(self.bus.ensure_group, stream, GROUP)
                    ensured = True
                deliveries: list[Delivery] = []
                if time.monotonic() >= next_claim:
                    next_claim = time.monotonic() + self.claim_every_seconds
                    deliveries = await asyncio.to_thread(
                        self.bus.claim_stale,
                        stream,
                        GROUP,
                        self.consumer,
                        min_idle_ms=self.min_idle_ms,
                        count=self.batch,
                    )
                    if deliveries:
                        logger.warning("took over %d stale entries of %s", len(deliveries), stream)
                if not deliveries:
                    deliveries = await asyncio.to_thread(
                        self.bus.read,
                        stream,
                        GROUP,
                        self.consumer,
                        count=self.batch,
                        block_ms=self.block_ms,
                    )
                if deliveries:
                    await self._forward(stream, deliveries)
            except BusUnavailableError as error:
                logger.warning("realtime bridge: %s; retrying in 1 s", error)
                await self._pause(1.0)
            except Exception:
                # The database or a bug: the entries stay pending and are claimed again
                # after min_idle_ms (at most max_deliveries times); the bridge lives on.
                logger.exception("realtime bridge on %s failed; retrying in 1 s", stream)
                await self._pause(1.0)

    async def _forward(self, stream: str, deliveries: list[Delivery]) -> None:
        pushes = await asyncio.to_thread(self._prepare, stream, deliveries)
        for push in pushes:
            # One emit to both rooms: a client in both receives the event once.
            await self.sio.emit(push.event, push.payload, to=push.rooms)
        await asyncio.to_thread(self.bus.ack, stream, GROUP, [d.id for d in deliveries])
        self.forwarded += len(pushes)
        self.dropped += len(deliveries) - len(pushes)

    def _prepare(self, stream: str, deliveries: list[Delivery]) -> list[_Push]:
        """The pushes for a batch (blocking: the competition lookup reads the database)."""
        bodies = [b for b in (self._decode(stream, d) for d in deliveries) if b is not None]
        if stream == self.streams.odds:
            return [self._odds_push(body) for body in bodies if _has_competition(body)]
        # Prediction entries carry no competition; the fixture's is looked up, once.
        self._learn_competitions({int(body["fixture_id"]) for body in bodies})
        pushes = []
        for body in bodies:
            code = self._competitions.get(int(body["fixture_id"]))
            if code is None:
                logger.warning("prediction for unknown fixture %s; not pushed", body["fixture_id"])
                continue
            rooms = [f"fixture:{body['fixture_id']}", f"competition:{code}"]
            pushes.append(_Push(PREDICTION_UPDATE, rooms, {**body, "competition": code}))
        return pushes

    def _odds_push(self, body: dict[str, Any]) -> _Push:
        rooms = [f"fixture:{body['fixture_id']}", f"competition:{body['competition']}"]
        return _Push(ODDS_UPDATE, rooms, body)

    def _decode(self, stream: str, delivery: Delivery) -> dict[str, Any] | None:
        """The entry's JSON object with an integer ``fixture_id``, or None (logged) to drop it."""
        if delivery.deliveries > self.max_deliveries:
            logger.error(
                "%s entry %s failed %d times; dropped", stream, delivery.id, delivery.deliveries
            )
            return None
        if _age_seconds(delivery.id) > self.max_age_seconds:
            logger.debug("%s entry %s is too old to push", stream, delivery.id)
            return None
        try:
            body: object = json.loads(delivery.payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            logger.warning("%s entry %s is not JSON (%s); dropped", stream, delivery.id, error)
            return None
        if isinstance(body, dict):
            fixture_id = body.get("fixture_id")
            if isinstance(fixture_id, int) and not isinstance(fixture_id, bool):
                return body
        logger.warning(
            "%s entry %s is not an object with an integer fixture_id; dropped", stream, delivery.id
        )
        return None

    def _learn_competitions(self, fixture_ids: set[int]) -> None:
        """Cache the competition code of fixtures not seen before, in one query."""
        unknown = fixture_ids - self._competitions.keys()
        if not unknown:
            return
        if len(self._competitions) > 100_000:  # bound the memory of a long-lived process
            self._competitions.clear()
        with self.gateway.unit_of_work() as uow:
            rows = uow.session.execute(
                select(FixtureRow.id, CompetitionRow.code)
                .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
                .where(FixtureRow.id.in_(sorted(unknown)))
            ).all()
        self._competitions.update({int(fixture_id): code for fixture_id, code in rows})

    async def _pause(self, seconds: float) -> None:
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _close_manager(self) -> None:
        """Stop the Redis manager's listener and close its connections.

        python-socketio has no public call for this; without it the listener task and
        its connections outlive the server and are reported as leaked on loop close.
        """
        manager = self.sio.manager
        listener = getattr(manager, "thread", None)
        if isinstance(listener, asyncio.Task):
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)
        for resource in (getattr(manager, "pubsub", None), getattr(manager, "redis", None)):
            if resource is not None:
                await resource.aclose()


def room_for(data: object) -> str:
    """The room a ``subscribe`` or ``unsubscribe`` names.

    Raises
    ------
    ValueError
        With what to send instead, for the client's ack.
    """
    if not isinstance(data, dict) or len(data) != 1:
        raise ValueError(_SUBSCRIBE_HINT)
    if "competition" in data:
        code = data["competition"]
        if isinstance(code, str) and _CODE.fullmatch(code):
            return f"competition:{code}"
        raise ValueError(
            "competition must be a code of 1 to 16 letters, digits, '_', '-' or '.', such as 'E0'"
        )
    if "fixture" in data:
        fixture = data["fixture"]
        if isinstance(fixture, int) and not isinstance(fixture, bool) and 0 < fixture < 2**63:
            return f"fixture:{fixture}"
        raise ValueError("fixture must be a positive whole number, a fixture id")
    raise ValueError(_SUBSCRIBE_HINT)


def _has_competition(body: dict[str, Any]) -> bool:
    code = body.get("competition")
    if isinstance(code, str) and code:
        return True
    logger.warning("odds entry for fixture %s names no competition; dropped", body["fixture_id"])
    return False


def _age_seconds(entry_id: str) -> float:
    """Seconds since an entry was appended, from its ``<milliseconds>-<sequence>`` id."""
    try:
        return time.time() - int(entry_id.partition("-")[0]) / 1000
    except ValueError:
        return 0.0


def _credentials(environ: dict[str, Any], auth: object) -> tuple[str | None, str | None]:
    """(access token, API key) from the connect payload, else from the request headers."""
    fields = auth if isinstance(auth, dict) else {}
    token, key = _text(fields.get("token")), _text(fields.get("api_key"))
    if token or key:
        return token, key
    scheme, _, bearer = str(environ.get("HTTP_AUTHORIZATION", "")).partition(" ")
    token = _text(bearer.strip()) if scheme.lower() == "bearer" else None
    return token, _text(environ.get("HTTP_X_API_KEY"))


def _session_cookie(environ: dict[str, Any]) -> str | None:
    """The dashboard's session cookie, sent by the browser with the handshake."""
    jar = SimpleCookie()
    try:
        jar.load(str(environ.get("HTTP_COOKIE", "")))
    except CookieError:
        return None
    morsel = jar.get(SESSION_COOKIE)
    return _text(morsel.value) if morsel is not None else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _authenticate(
    gateway: Gateway, *, token: str | None, api_key: str | None, cookie: str | None = None
) -> Principal:
    """The caller, by the rules of ``deps.current_principal``; refused without ``read``.

    ``deps`` answers with FastAPI's ``HTTPException`` from a ``Request``; a socket has
    neither, so the same checks are restated here and refuse the connection instead.
    An API key wins over a token, as it does for REST.
    """
    try:
        if api_key:
            principal = principal_from_key(gateway, api_key)
        elif token:
            principal = principal_from_token(gateway, token)
        elif cookie:
            # The handshake is a GET from the dashboard's own origin (Socket.IO checks
            # the Origin header), and a socket only reads: no CSRF token is needed.
            principal = principal_from_session(gateway, cookie)
        else:
            raise SocketRefusedError(
                'sign in: connect with auth={"token": <access token>} or {"api_key": <key>}'
            )
    except AuthError as error:
        raise SocketRefusedError(str(error)) from error
    if Scope.READ not in principal.scopes:
        raise SocketRefusedError("live updates need the 'read' permission")
    return principal
