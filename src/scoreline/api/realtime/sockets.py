"""The Socket.IO server of the gateway: who may connect, and the rooms they join.

A socket is a caller like any REST client: it connects with an access token or
an API key (``auth={"token": ...}`` / ``{"api_key": ...}``, or the
``Authorization: Bearer`` / ``X-API-Key`` headers), or from the dashboard with
its session cookie, and must hold the ``read`` permission. The credentials are
read by ``api.credentials`` and checked by ``api.authenticator``, exactly as
for REST, once, at connect. Each socket joins its user's room on connect and
the competition and fixture rooms it subscribes to (``rooms``).

With Redis configured, Socket.IO's Redis manager carries every emit to the
sockets of every API process over one pub/sub channel
(``Streams.socketio_channel``). On a Redis Cluster the manager connects to the
configured node: classic pub/sub is broadcast to every node of a cluster, so
processes connected to different nodes still hear each other.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio  # type: ignore[import-untyped]
from socketio.exceptions import (  # type: ignore[import-untyped]
    ConnectionRefusedError as SocketRefusedError,
)
from starlette.types import ASGIApp

from scoreline.api.authenticator import Authenticator
from scoreline.api.credentials import from_socket
from scoreline.api.realtime.rooms import room_for, user_room
from scoreline.domain.people import Principal, Scope
from scoreline.errors import AuthError

__all__ = ["SocketServer", "socket_manager"]

logger = logging.getLogger(__name__)

_SIGN_IN = 'sign in: connect with auth={"token": <access token>} or {"api_key": <key>}'
_ROOM_KINDS = ("competition:", "fixture:")


def socket_manager(redis_url: str | None, *, channel: str) -> Any:
    """Socket.IO's Redis manager on ``channel`` (shared by every API process), or None for
    the in-process manager of a lone process. ``redis_url`` may name a node of a cluster."""
    if not redis_url:
        return None
    return socketio.AsyncRedisManager(redis_url, channel=channel)


class SocketServer:
    """The Socket.IO server, its connections and rooms.

    Parameters
    ----------
    auth : Authenticator
        The gateway's rules for who is calling.
    cors_origins : list of str
        Origins allowed besides the gateway's own (the REST app's setting).
    manager : socketio.AsyncManager or None
        ``socket_manager(...)``; None for the in-process manager.
    max_rooms : int
        Competition and fixture rooms one connection may join.
    """

    def __init__(
        self,
        auth: Authenticator,
        *,
        cors_origins: list[str],
        manager: Any = None,
        max_rooms: int = 200,
    ) -> None:
        self.auth, self.max_rooms = auth, max_rooms
        # None, not []: python-engineio reads an empty list as "do not check the
        # Origin header at all"; None keeps sockets to the dashboard's own origin,
        # as the REST app does when no CORS origins are configured.
        self.sio = socketio.AsyncServer(
            async_mode="asgi", client_manager=manager, cors_allowed_origins=cors_origins or None
        )
        self.sio.on("connect", self._connect)
        self.sio.on("subscribe", self._subscribe)
        self.sio.on("unsubscribe", self._unsubscribe)

    def wrap(self, app: ASGIApp) -> ASGIApp:
        """``app`` with Socket.IO answering under ``/socket.io``."""
        wrapped: ASGIApp = socketio.ASGIApp(self.sio, other_asgi_app=app, socketio_path="socket.io")
        return wrapped

    async def emit(self, event: str, payload: dict[str, Any], rooms: list[str]) -> None:
        """One emit to every socket in any of ``rooms`` (a socket in two hears it once)."""
        await self.sio.emit(event, payload, to=rooms)

    async def start(self, *, subscribe_timeout_s: float = 5.0) -> None:
        """Start the Redis manager's listener now, not at the first connection (an emit from
        another process in that instant would be missed), and wait until it has subscribed.

        The wait also keeps this process's first emit from racing the listener: both
        would connect, and python-socketio keeps only the last client, leaking the other.
        A Redis that does not answer within ``subscribe_timeout_s`` is logged, not fatal:
        the manager keeps retrying on its own.
        """
        if self.sio.manager_initialized:
            return
        self.sio.manager_initialized = True
        manager = self.sio.manager
        manager.initialize()
        if not hasattr(manager, "pubsub"):
            return  # the in-process manager
        deadline = asyncio.get_running_loop().time() + subscribe_timeout_s
        while not getattr(manager.pubsub, "subscribed", False):
            if asyncio.get_running_loop().time() > deadline:
                logger.warning("Socket.IO's Redis manager has not subscribed yet; going on")
                return
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        """Close the Redis manager and the server's sockets."""
        await self._close_manager()
        await self.sio.shutdown()

    # -- connections and rooms -----------------------------------------------------------

    async def _connect(self, sid: str, environ: dict[str, Any], auth: object = None) -> None:
        try:
            principal = await self._principal(environ, auth)
        except SocketRefusedError:
            raise
        except Exception as error:
            # Otherwise Socket.IO never answers and the client waits for its timeout.
            logger.exception("socket %s: checking its credentials failed", sid)
            raise SocketRefusedError("internal error; try again later") from error
        await self.sio.save_session(sid, {"user_id": principal.user_id})
        await self.sio.enter_room(sid, user_room(principal.user_id))
        logger.debug("socket %s connected for user %d", sid, principal.user_id)

    async def _principal(self, environ: dict[str, Any], auth: object) -> Principal:
        """The caller, holding ``read``; ``SocketRefusedError`` with the reason otherwise.

        The handshake is a GET from the dashboard's own origin (engine.io checks the
        Origin header) and a socket only reads: no CSRF token is asked for.
        """
        presented = from_socket(environ, auth)
        try:
            principal = self.auth.peek(presented)
            if principal is None:
                principal = await asyncio.to_thread(self.auth.resolve, presented)
        except AuthError as error:
            raise SocketRefusedError(
                _SIGN_IN if error.reason == "missing" else str(error)
            ) from error
        if Scope.READ not in principal.scopes:
            raise SocketRefusedError("live updates need the 'read' permission")
        return principal

    async def _subscribe(self, sid: str, data: object = None) -> dict[str, Any]:
        try:
            room = room_for(data)
        except ValueError as error:
            return {"ok": False, "error": str(error)}
        joined = [r for r in self.sio.rooms(sid) if r.startswith(_ROOM_KINDS)]
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
