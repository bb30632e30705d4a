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

import logging
from collections.abc import Callable, Sequence
from typing import Unpack

from scoreline.api.realtime._pusher import PusherOptions, StreamPusher
from scoreline.api.realtime.rooms import user_room
from scoreline.api.realtime.webhooks import WebhookSender
from scoreline.api.schemas.alerts import AlertRead
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.consumer import Handler, Rejection
from scoreline.messaging.entries import EntryError, age_seconds, json_object, required_id
from scoreline.messaging.names import ALERT_NEW, ALERTS_GROUP, Streams
from scoreline.pricing.fair import FairRule
from scoreline.services import alerts

__all__ = ["AlertRelay"]

logger = logging.getLogger(__name__)


class AlertRelay(StreamPusher):
    """Raises alerts from the predictions and odds streams and pushes each to its user.

    Parameters are :class:`StreamPusher`'s, and:

    fair_rule : callable
        The fair price value bets are measured against (the board's default, from the
        settings), asked on every batch.
    webhooks : WebhookSender, optional
        Posts alerts to webhooks; without it, webhooks are not posted.

    Attributes
    ----------
    raised : int
        Alerts stored and pushed since start.
    """

    group = ALERTS_GROUP
    ready_part = "alert-relay"

    def __init__(
        self,
        bus: Bus,
        streams: Streams,
        *,
        fair_rule: Callable[[], FairRule],
        webhooks: WebhookSender | None = None,
        **options: Unpack[PusherOptions],
    ) -> None:
        super().__init__(bus, streams, **options)
        self.fair_rule, self.webhooks = fair_rule, webhooks
        self.raised = 0

    def __repr__(self) -> str:
        return f"AlertRelay(consumer={self.consumer!r}, raised={self.raised})"

    def _handlers(self) -> list[tuple[str, Handler]]:
        return [
            (self.streams.predictions, self._handler(_fixture_id, self._value_bets)),
            (self.streams.odds, self._handler(_odds_id, self._line_moves)),
        ]

    def stop(self) -> None:
        """Let each loop finish its batch, then stop the webhook posts (blocking: call off
        the event loop, which the last emits still need)."""
        super().stop()
        if self.webhooks is not None:
            self.webhooks.stop()

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
        bodies = {view.alert.id: AlertRead.of(view).model_dump(mode="json") for view in found}
        for view in found:
            self._emit(ALERT_NEW, bodies[view.alert.id], [user_room(view.alert.user_id)])
        if self.webhooks is not None:
            for delivery in alerts.deliveries(self.unit_of_work, found):
                alert_id = delivery.view.alert.id
                self.webhooks.submit(alert_id, delivery.url, {"alert": bodies[alert_id]})
        with self._count:
            self.raised += len(found)


def _fixture_id(delivery: Delivery) -> int:
    """The fixture a predictions entry names (``EntryError`` without one)."""
    return required_id(json_object(delivery.payload), "fixture_id")


def _odds_id(delivery: Delivery) -> int:
    """The stored snapshot an odds entry names (``EntryError`` without one)."""
    return required_id(json_object(delivery.payload), "odds_id", big=True)
