"""A small client for The Odds API v4: sports, events and pre-match odds.

Source: ``https://api.the-odds-api.com/v4/...``, documented at
https://the-odds-api.com/liveapi/guides/v4/. The key travels as the ``apiKey``
query parameter, the only way the API accepts it, so no message or log line
here carries a URL: they name the path (``/v4/sports/soccer_epl/odds``) and
scrub the key from anything the server or the transport says. (httpx logs full
URLs at INFO on the ``httpx`` logger; ``scoreline.logging`` keeps libraries
at WARNING.)

Answers map to errors once, here::

    401                      ProviderError        the key was refused
    422                      ProviderError        parameters refused (unknown market, region ...)
    429                      QuotaExhaustedError  credits spent or too many requests per second
    5xx, transport failure   retried with backoff, then ProviderError
    other 4xx                ProviderError        not retried
    200 with a wrong shape   ProviderError        naming the item and field
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Self, TypeVar

import httpx

from scoreline.errors import ConfigError, ProviderError, QuotaExhaustedError
from scoreline.providers.odds_api._shape import ShapeError, as_object
from scoreline.providers.odds_api.events import Event, Sport, parse_events, parse_sports
from scoreline.providers.odds_api.quota import Quota, quota_from_headers

__all__ = ["BASE_URL", "OddsApiClient"]

logger = logging.getLogger(__name__)

BASE_URL = "https://api.the-odds-api.com"
_SPORT_KEY = re.compile(r"^[a-z0-9_]+$")
_TIMEOUT_SECONDS = 30.0
_USER_AGENT = "scoreline (the-odds-api v4 client)"
_REDACTED = "<api key>"

_T = TypeVar("_T")


class OddsApiClient:
    """The Odds API v4 over httpx, reporting the credit quota of every answer.

    Parameters
    ----------
    api_key
        The account's key (ConfigError when blank). It is sent as a query
        parameter and never appears in a message, log line or ``repr``.
    client
        An ``httpx.Client`` to use (tests pass one with a ``MockTransport``); it
        stays open. By default the client opens its own, closed by ``close()``
        or on leaving a ``with`` block.
    base_url
        Scheme and host, without ``/v4``.
    on_quota
        Called with the ``Quota`` of every answer that carries quota headers,
        errors included, so a poller can re-plan as soon as credits move.
    retries, backoff_seconds, sleep
        A 5xx answer or a transport failure is tried again ``retries`` times,
        waiting ``backoff_seconds`` times 1, 2, 4, ... through ``sleep`` (tests
        pass a no-op). Other failures are not retried: they will not mend.

    Attributes
    ----------
    last_quota
        The most recent quota reported, None before the first answer.
    """

    def __init__(
        self,
        api_key: str,
        *,
        client: httpx.Client | None = None,
        base_url: str = BASE_URL,
        on_quota: Callable[[Quota], None] | None = None,
        retries: int = 3,
        backoff_seconds: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not api_key.strip():
            raise ConfigError("the Odds API key is empty; set SCORELINE_ODDS_API__KEY")
        if retries < 0:
            raise ValueError(f"retries must be 0 or more, got {retries}")
        self._api_key = api_key
        self._owns_client = client is None
        self._client = client or httpx.Client(
            timeout=_TIMEOUT_SECONDS, headers={"User-Agent": _USER_AGENT}
        )
        self.base_url = base_url.rstrip("/")
        self.on_quota = on_quota
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.last_quota: Quota | None = None

    def __repr__(self) -> str:
        return f"OddsApiClient(base_url={self.base_url!r}, last_quota={self.last_quota!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the httpx client if this object opened it."""
        if self._owns_client:
            self._client.close()

    def sports(self, *, soccer_only: bool = True, include_inactive: bool = False) -> list[Sport]:
        """The competitions covered (free: costs no credits).

        Parameters
        ----------
        soccer_only
            Keep the ``soccer_*`` keys only.
        include_inactive
            Also list competitions out of season (the API's ``all=true``).
        """
        params = {"all": "true"} if include_inactive else {}
        path = "/v4/sports"
        sports = self._parse(path, parse_sports, self._get(path, params))
        return [sport for sport in sports if sport.is_soccer or not soccer_only]

    def events(self, sport_key: str) -> list[Event]:
        """The upcoming and live matches of one competition (free: costs no credits)."""
        path = f"/v4/sports/{_checked_sport(sport_key)}/events"
        return self._parse(path, parse_events, self._get(path, {"dateFormat": "iso"}))

    def odds(
        self,
        sport_key: str,
        *,
        regions: Sequence[str] = ("uk", "eu"),
        markets: Sequence[str] = ("h2h", "totals", "spreads"),
        bookmakers: Sequence[str] | None = None,
        event_ids: Sequence[str] | None = None,
    ) -> list[Mapping[str, object]]:
        """Every bookmaker's decimal odds for the competition's upcoming matches.

        Costs ``len(markets) * len(regions)`` credits per call, whatever the
        number of events (``plan.odds_call_cost``). Given ``bookmakers``, the
        API ignores ``regions`` and charges one region per 10 bookmakers, so
        regions are then not sent.

        Returns
        -------
        list of dict
            The events as the API sends them, checked to be a list of objects;
            ``convert.convert_odds`` checks the rest, one event at a time, so
            one malformed match does not cost the others.
        """
        path = f"/v4/sports/{_checked_sport(sport_key)}/odds"
        params = {
            "markets": _joined("markets", markets),
            "oddsFormat": "decimal",
            "dateFormat": "iso",
        }
        if bookmakers is not None:
            params["bookmakers"] = _joined("bookmakers", bookmakers)
        else:
            params["regions"] = _joined("regions", regions)
        if event_ids is not None:
            params["eventIds"] = _joined("event_ids", event_ids)
        return self._parse(path, _event_objects, self._get(path, params))

    def _get(self, path: str, params: Mapping[str, str]) -> object:
        """The decoded JSON of a 200 answer to ``GET path``, retrying what may mend."""
        url = f"{self.base_url}{path}"
        query = {**params, "apiKey": self._api_key}
        attempts = self.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                response = self._client.get(url, params=query)
            except httpx.TransportError as exc:
                failure = self._scrub(f"{type(exc).__name__}: {exc}")
            else:
                self._note_quota(response)
                if response.status_code == httpx.codes.OK:
                    logger.debug("GET %s: 200, %d bytes", path, len(response.content))
                    return self._json(path, response)
                if response.status_code < 500:
                    raise self._refusal(path, response)
                failure = f"HTTP {response.status_code}"
            if attempt < attempts:
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                logger.warning(
                    "GET %s failed (%s), attempt %d of %d; retrying in %.1fs",
                    path,
                    failure,
                    attempt,
                    attempts,
                    delay,
                )
                self.sleep(delay)
        # Not chained: a transport error's request holds the URL, and with it the key.
        raise ProviderError(f"GET {path}: failed after {attempts} attempts (last: {failure})")

    def _note_quota(self, response: httpx.Response) -> None:
        quota = quota_from_headers(response.headers)
        if quota is None:
            return
        self.last_quota = quota
        logger.debug(
            "Odds API credits: %s remaining, last call cost %s", quota.remaining, quota.last
        )
        if self.on_quota is not None:
            self.on_quota(quota)

    def _refusal(self, path: str, response: httpx.Response) -> ProviderError:
        status = response.status_code
        said = self._server_message(response)
        if status == httpx.codes.UNAUTHORIZED:
            return ProviderError(
                f"GET {path}: the API key was refused (401: {said}); check SCORELINE_ODDS_API__KEY"
            )
        if status == httpx.codes.UNPROCESSABLE_ENTITY:
            return ProviderError(
                f"GET {path}: parameters refused (422: {said}); "
                "check the sport key, markets, regions and bookmakers"
            )
        if status == httpx.codes.TOO_MANY_REQUESTS:
            remaining = self.last_quota.remaining if self.last_quota else None
            return QuotaExhaustedError(
                f"GET {path}: refused for usage (429: {said}); credits remaining: "
                f"{'unknown' if remaining is None else remaining}; "
                "wait for the monthly renewal or poll less often"
            )
        return ProviderError(f"GET {path}: answered {status} ({said}); not retried")

    def _server_message(self, response: httpx.Response) -> str:
        """The ``message`` of an error body, else its first characters, with the key scrubbed."""
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        message = body.get("message") if isinstance(body, dict) else None
        if not isinstance(message, str):
            message = response.text[:120] or "no message"
        return self._scrub(message)

    def _json(self, path: str, response: httpx.Response) -> object:
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            start = self._scrub(response.text[:40])
            raise ProviderError(f"GET {path}: answer is not JSON ({exc}): {start!r}") from exc

    def _parse(self, path: str, parse: Callable[[object], _T], payload: object) -> _T:
        try:
            return parse(payload)
        except ShapeError as exc:
            raise ProviderError(
                f"GET {path}: answer not in the documented v4 shape: {self._scrub(str(exc))}"
            ) from None

    def _scrub(self, text: str) -> str:
        return text.replace(self._api_key, _REDACTED)


def _checked_sport(sport_key: str) -> str:
    """The sport key, refused unless it is a bare key: it goes into the URL path."""
    if not _SPORT_KEY.match(sport_key):
        raise ProviderError(
            f"sport key {sport_key!r} is not an Odds API key (lower case, digits, _: soccer_epl)"
        )
    return sport_key


def _joined(name: str, values: Sequence[str]) -> str:
    """Comma-joined values, blanks and repeats dropped; a plain string is refused, not split."""
    if isinstance(values, str):
        raise ProviderError(f"{name} must be a sequence of strings, not the string {values!r}")
    unique = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if not unique:
        raise ProviderError(f"{name} must name at least one value")
    return ",".join(unique)


def _event_objects(payload: object) -> list[Mapping[str, object]]:
    if not isinstance(payload, list):
        raise ShapeError(f"the answer must be a list of events, got {type(payload).__name__}")
    objects = []
    for index, item in enumerate(payload):
        try:
            objects.append(as_object(item, "an event"))
        except ShapeError as exc:
            raise ShapeError(f"event {index}: {exc}") from None
    return objects
