"""Alert webhooks: each new alert posted as JSON to its user's URL, off the stream's thread.

Posts run on a small thread pool so a slow or dead endpoint never holds back the
alert relay (and the pushes behind it). Each is tried up to ``attempts`` times, a
second and then two apart, with ``timeout_s`` per try; a 2xx answer is ``sent``,
anything else ``failed`` with the reason, recorded on the alert
(``services.alerts.record_delivery``) for the user to see.

A user chooses the URL, so the gateway would otherwise post wherever they point it,
services behind it included: unless ``allow_private`` is set, an address that resolves
to a loopback, private, link-local or otherwise reserved address is refused.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import httpx

from scoreline.domain.alerts import WebhookState
from scoreline.services import alerts
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["WebhookSender", "blocked_reason"]

logger = logging.getLogger(__name__)

USER_AGENT = "Scoreline-Alerts/1"


def blocked_reason(url: str, *, allow_private: bool) -> str | None:
    """Why a webhook may not be posted to ``url``, or None when it may."""
    host = urlsplit(url).hostname
    if not host:
        return "the address has no host"
    if allow_private:
        return None
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as error:
        return f"{host} does not resolve ({error.strerror or error})"
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            return f"{host} resolves to {address}, a private or reserved address"
    return None


class WebhookSender:
    """Posts alerts to webhooks in the background and records how each went.

    Parameters
    ----------
    unit_of_work : UnitOfWorkFactory
        Where each outcome is recorded.
    allow_private, timeout_s : bool, float
        ``Settings.alert_webhook_private`` and ``alert_webhook_timeout_s``.
    attempts : int
        Tries per alert before it is ``failed``.
    workers : int
        Posts at once.
    """

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        *,
        allow_private: bool,
        timeout_s: float,
        attempts: int = 3,
        workers: int = 2,
        pause: Callable[[float], None] | None = None,
    ) -> None:
        self.unit_of_work, self.allow_private, self.timeout_s = (
            unit_of_work,
            allow_private,
            timeout_s,
        )
        self.attempts = attempts
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="alert-webhook")
        self._stopping = threading.Event()
        self._pause = pause or self._stopping.wait
        self.sent = self.failed = 0
        self._count = threading.Lock()

    def submit(self, alert_id: int, url: str, payload: dict[str, Any]) -> None:
        """Post one alert in the background (nothing once stopping: it stays pending)."""
        if not self._stopping.is_set():
            self._pool.submit(self._deliver, alert_id, url, payload)

    def stop(self, *, wait: bool = True) -> None:
        """Stop taking posts; let those under way end (pending ones stay pending)."""
        self._stopping.set()
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def _deliver(self, alert_id: int, url: str, payload: dict[str, Any]) -> None:
        try:
            state, detail = self._post(url, payload)
        except Exception as error:  # a bug must not kill the pool's thread unseen
            logger.exception("alert %d: webhook post failed unexpectedly", alert_id)
            state, detail = WebhookState.FAILED, f"{type(error).__name__}: {error}"
        try:
            alerts.record_delivery(self.unit_of_work, alert_id=alert_id, state=state, detail=detail)
        except Exception:  # the database down: the outcome is logged, the post was made
            logger.exception("alert %d: could not record its webhook outcome %s", alert_id, state)
        with self._count:  # counted once recorded, so a reader of the count sees the record
            if state is WebhookState.SENT:
                self.sent += 1
            else:
                self.failed += 1

    def _post(self, url: str, payload: dict[str, Any]) -> tuple[WebhookState, str]:
        refused = blocked_reason(url, allow_private=self.allow_private)
        if refused is not None:
            return WebhookState.FAILED, f"refused: {refused}"
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        detail = ""
        for attempt in range(1, self.attempts + 1):
            try:
                answer = httpx.post(
                    url, content=body, headers=headers, timeout=self.timeout_s,
                    follow_redirects=False,
                )  # fmt: skip
            except httpx.HTTPError as error:
                detail = f"try {attempt}: {type(error).__name__}: {error}"
            else:
                if 200 <= answer.status_code < 300:
                    return WebhookState.SENT, f"HTTP {answer.status_code}"
                detail = f"try {attempt}: HTTP {answer.status_code}"
                if 400 <= answer.status_code < 500 and answer.status_code not in (408, 429):
                    break  # the endpoint refuses this post; trying again changes nothing
            if attempt < self.attempts:
                if self._stopping.is_set():
                    return WebhookState.FAILED, f"{detail}; stopped before trying again"
                self._pause(float(attempt))
        return WebhookState.FAILED, detail
