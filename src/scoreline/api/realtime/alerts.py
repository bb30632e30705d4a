"""The alert relay: new value bets and line moves, raised once, pushed to their users.

::

    predictions stream ──► services.alerts.value_bets    (edge thresholds)
    odds stream ─────────► services.alerts.line_moves    (followed fixtures)
        │  consumer group "alerts": each entry is judged in ONE API process, and
        │  each alert stored once per user and cause, so a redelivery tells nothing twice
        ▼
    alert:new to user:<id> (Socket.IO, every process through the Redis manager)
    and a post to the user's webhook, when set (api.realtime.webhooks)

The push and the webhook carry ``AlertRead``, the body ``GET /alerts`` lists, so a
dashboard that reconnects reads what it missed from the notification centre.
Entries older than ``max_age_seconds`` raise nothing: an alert is about now.
An entry that cannot be used (not JSON, no row id) is dead-lettered by the loop;
one whose alerts fail to be raised is retried and then dead-lettered alone
(``messaging.consumer``), never holding back the entries beside it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from scoreline.api.realtime.bridge import Emit
from scoreline.api.realtime.rooms import user_room
from scoreline.api.realtime.webhooks import WebhookSender
from scoreline.api.schemas.alerts import AlertRead
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.consumer import LoopSet, Rejection
from scoreline.messaging.entries import EntryError, age_seconds, json_object, required_id
from scoreline.messaging.names import ALERT_NEW, ALERTS_GROUP, Streams, consumer_name
from scoreline.pricing.fair import FairRule
from scoreline.services import alerts, health
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["AlertRelay"]

logger = logging.getLogger(__name__)


class AlertRelay:
    """Raises alerts from the predictions and odds streams and pushes each to its user.

    Parameters
    ----------
    bus, streams, unit_of_work : Bus, Streams, UnitOfWorkFactory
        Where entries arrive and alerts are stored.
    emit : Emit
        How to push (``SocketServer.emit``), on the event loop ``start`` runs on.
    fair_rule : callable
        The fair price value bets are measured against (the board's default, from the
        settings), asked on every batch.
    webhooks : WebhookSender, optional
        Posts alerts to webhooks; without it, webhooks are not posted.
    max_age_seconds, emit_timeout_s, block_ms : float, float, int
        As the realtime bridge's.

    Attributes
    ----------
    raised : int
        Alerts stored and pushed since start.
    """

    ready_part = "alert-relay"

    def __init__(
        self,
        bus: Bus,
        streams: Streams,
        *,
        unit_of_work: UnitOfWorkFactory,
        emit: Emit,
        fair_rule: Callable[[], FairRule],
        webhooks: WebhookSender | None = None,
        consumer: str | None = None,
        max_age_seconds: float = 300.0,
        emit_timeout_s: float = 5.0,
        block_ms: int = 500,
        on_dead_letter: Callable[[str], None] | None = None,
    ) -> None:
        self.bus, self.streams, self.unit_of_work, self.emit = bus, streams, unit_of_work, emit
        self.fair_rule, self.webhooks, self.on_dead_letter = fair_rule, webhooks, on_dead_letter
        self.consumer = consumer or consumer_name()
        self.max_age_seconds, self.emit_timeout_s, self.block_ms = (
            max_age_seconds, emit_timeout_s, block_ms,
        )  # fmt: skip
        self.raised = 0
        self._count = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loops: LoopSet | None = None

    def __repr__(self) -> str:
        return f"AlertRelay(consumer={self.consumer!r}, raised={self.raised})"

    def start(self) -> None:
        """One consumer loop per stream, each on its thread; call on the event loop that
        emits (the ASGI lifespan)."""
        if self._loops is not None:
            raise RuntimeError(f"{self!r} was already started")
        self._loop = asyncio.get_running_loop()
        self._loops = LoopSet(
            self.bus,
            group=ALERTS_GROUP,
            consumer=self.consumer,
            dead_letter_stream=self.streams.dead_letter,
            block_ms=self.block_ms,
            on_dead_letter=self.on_dead_letter,
            healthy=self.parts_healthy,
        )
        self._loops.start(
            [
                (self.streams.predictions, self._handler(_fixture_id, self._value_bets)),
                (self.streams.odds, self._handler(_odds_id, self._line_moves)),
            ]
        )
        logger.info("alert relay started as %s in group %s", self.consumer, ALERTS_GROUP)

    def stop(self) -> None:
        """Let each loop finish its batch, then return (blocking: call off the event loop,
        which the last emits still need)."""
        if self._loops is not None:
            self._loops.stop(batch_timeout_s=self.emit_timeout_s)
        if self.webhooks is not None:
            self.webhooks.stop()
        logger.info("alert relay stopped: %d alerts raised", self.raised)

    def is_alive(self) -> bool:
        """Whether every loop is running and went round recently (readiness)."""
        return self._loops is not None and self._loops.is_alive()

    def parts_healthy(self) -> bool:
        """Whether the bus and the database answer."""
        return self.bus.ping() and health.database_problem(self.unit_of_work) is None

    # -- one batch ----------------------------------------------------------------------

    def _handler(
        self, id_of: Callable[[Delivery], int], raise_alerts: Callable[[list[int]], list[int]]
    ) -> Callable[[Sequence[Delivery]], list[Rejection]]:
        """A ConsumerLoop handler: read each fresh entry's id (``id_of``), raise the batch's
        alerts together, push the new ones."""

        def handle(batch: Sequence[Delivery]) -> list[Rejection]:
            rejected: list[Rejection] = []
            ids: list[int] = []
            for delivery in batch:
                if age_seconds(delivery.id) > self.max_age_seconds:
                    continue
                try:
                    ids.append(id_of(delivery))
                except EntryError as error:
                    rejected.append(Rejection(delivery, error.reason, str(error)))
            new = raise_alerts(ids) if ids else []
            if new:
                self._push(new)
            return rejected

        return handle

    def _value_bets(self, fixture_ids: list[int]) -> list[int]:
        return alerts.value_bets(
            self.unit_of_work, fixture_ids=fixture_ids, fair_rule=self.fair_rule()
        )

    def _line_moves(self, odds_ids: list[int]) -> list[int]:
        return alerts.line_moves(self.unit_of_work, odds_ids=odds_ids)

    def _push(self, ids: list[int]) -> None:
        found = alerts.views(self.unit_of_work, ids)
        for view in found:
            payload = AlertRead.of(view).model_dump(mode="json")
            self._emit(ALERT_NEW, payload, [user_room(view.alert.user_id)])
        if self.webhooks is not None:
            for delivery in alerts.deliveries(self.unit_of_work, ids):
                payload = AlertRead.of(delivery.view).model_dump(mode="json")
                self.webhooks.submit(delivery.view.alert.id, delivery.url, {"alert": payload})
        with self._count:
            self.raised += len(found)

    def _emit(self, event: str, payload: dict[str, Any], rooms: list[str]) -> None:
        loop = self._loop
        assert loop is not None, "start() sets the loop"
        future = asyncio.run_coroutine_threadsafe(self.emit(event, payload, rooms), loop)
        future.result(self.emit_timeout_s)


def _fixture_id(delivery: Delivery) -> int:
    """The fixture a predictions entry names (``EntryError`` without one)."""
    return required_id(json_object(delivery.payload), "fixture_id")


def _odds_id(delivery: Delivery) -> int:
    """The stored snapshot an odds entry names (``EntryError`` without one)."""
    return required_id(json_object(delivery.payload), "odds_id", big=True)
