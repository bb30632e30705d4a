"""Socket.IO on the gateway: live odds, predictions and settled bets, pushed.

::

    sockets.py   SocketServer: who may connect (api.authenticator), rooms, the Redis manager
    rooms.py     the rooms' names, and what a subscribe may name
    _pusher.py   StreamPusher: what the bridge and the relay share (a group's loops on threads,
                 emits handed to the event loop)
    bridge.py    RealtimeBridge: the odds, predictions and settlements streams to the rooms,
                 through messaging.consumer.ConsumerLoop (one loop per stream, on threads)
    alerts.py    AlertRelay: new value bets and line moves raised from the predictions and
                 odds streams, pushed to their users' rooms (alert:new)
    webhooks.py  WebhookSender: the same alerts posted to users' webhooks, off-thread

Events and the consumer group are named in ``messaging.names``; the payloads
clients receive are described in ``web/src/lib/live-events.ts``.
"""

from scoreline.api.realtime.alerts import AlertRelay
from scoreline.api.realtime.bridge import RealtimeBridge
from scoreline.api.realtime.rooms import competition_room, fixture_room, room_for, user_room
from scoreline.api.realtime.sockets import SocketServer, socket_manager
from scoreline.api.realtime.webhooks import WebhookSender

__all__ = [
    "AlertRelay",
    "RealtimeBridge",
    "SocketServer",
    "WebhookSender",
    "competition_room",
    "fixture_room",
    "room_for",
    "socket_manager",
    "user_room",
]
