"""The Odds API client against hand-written v4 answers served through httpx.MockTransport."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from scoreline.errors import ConfigError, ProviderError, QuotaExhaustedError
from scoreline.providers.odds_api import OddsApiClient, Quota

DATA = Path(__file__).resolve().parents[2] / "data" / "odds_api"
KEY = "0123456789abcdef0123456789abcdef"
QUOTA_HEADERS = {"x-requests-remaining": "494", "x-requests-used": "6", "x-requests-last": "6"}


def _body(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _answer(
    status: int = 200, name: str | None = None, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status,
        content=b"" if name is None else _body(name),
        headers=QUOTA_HEADERS if headers is None else headers,
    )


class Server:
    """Answers requests from a script of responses and remembers the requests."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def params(self, index: int = -1) -> dict[str, str]:
        return dict(self.requests[index].url.params)


class Harness:
    """A client wired to a scripted server, a quota log and a clock that never waits."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.server = Server(*answers)
        self.quotas: list[Quota] = []
        self.sleeps: list[float] = []
        self.client = OddsApiClient(
            KEY,
            client=httpx.Client(transport=httpx.MockTransport(self.server)),
            on_quota=self.quotas.append,
            sleep=self.sleeps.append,
        )


def test_sports_keeps_soccer_by_default() -> None:
    harness = Harness(_answer(name="sports.json"))
    sports = harness.client.sports()
    assert [sport.key for sport in sports] == [
        "soccer_efl_champ",
        "soccer_epl",
        "soccer_epl_winner",
        "soccer_spain_la_liga",
        "soccer_uefa_champs_league",
    ]
    epl = sports[1]
    assert (epl.title, epl.group, epl.active, epl.has_outrights) == ("EPL", "Soccer", True, False)
    assert harness.server.requests[0].url.path == "/v4/sports"
    assert harness.server.params() == {"apiKey": KEY}


def test_sports_of_every_kind_and_season_on_request() -> None:
    harness = Harness(_answer(name="sports.json"))
    sports = harness.client.sports(soccer_only=False, include_inactive=True)
    assert len(sports) == 7
    assert harness.server.params() == {"all": "true", "apiKey": KEY}


def test_events_are_read_with_utc_kickoffs() -> None:
    harness = Harness(_answer(name="events_soccer_epl.json"))
    events = harness.client.events("soccer_epl")
    assert [(e.home_team, e.away_team) for e in events] == [
        ("Arsenal", "Chelsea"),
        ("Liverpool", "Manchester City"),
        ("Tottenham Hotspur", "Newcastle United"),
    ]
    assert events[0].commence_time == datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    assert events[0].id == "0a5b2e7c4f8d4c1e9b3a6d2f1e0c9b8a"
    assert harness.server.requests[0].url.path == "/v4/sports/soccer_epl/events"
    assert harness.server.params() == {"dateFormat": "iso", "apiKey": KEY}


def test_odds_sends_the_key_regions_markets_and_formats() -> None:
    harness = Harness(_answer(name="odds_soccer_epl.json"))
    events = harness.client.odds("soccer_epl")
    assert [event["home_team"] for event in events] == ["Arsenal", "Liverpool", "Tottenham Hotspur"]
    request = harness.server.requests[0]
    assert (request.method, request.url.host) == ("GET", "api.the-odds-api.com")
    assert request.url.path == "/v4/sports/soccer_epl/odds"
    assert harness.server.params() == {
        "apiKey": KEY,
        "regions": "uk,eu",
        "markets": "h2h,totals,spreads",
        "oddsFormat": "decimal",
        "dateFormat": "iso",
    }


def test_odds_for_named_bookmakers_and_events_sends_no_regions() -> None:
    harness = Harness(_answer(name="odds_soccer_epl.json"))
    harness.client.odds(
        "soccer_epl",
        markets=("h2h", "h2h"),
        bookmakers=("pinnacle", "bet365"),
        event_ids=("0a5b", "1b6c"),
    )
    assert harness.server.params() == {
        "apiKey": KEY,
        "markets": "h2h",
        "bookmakers": "pinnacle,bet365",
        "eventIds": "0a5b,1b6c",
        "oddsFormat": "decimal",
        "dateFormat": "iso",
    }


def test_quota_headers_are_read_reported_and_kept() -> None:
    harness = Harness(_answer(name="odds_soccer_epl.json"))
    assert harness.client.last_quota is None
    harness.client.odds("soccer_epl")
    assert harness.quotas == [Quota(remaining=494, used=6, last=6)]
    assert harness.client.last_quota == Quota(remaining=494, used=6, last=6)


def test_quota_headers_tolerate_whole_floats_and_absence() -> None:
    harness = Harness(_answer(name="sports.json", headers={"x-requests-remaining": "19893.0"}))
    harness.client.sports()
    assert harness.quotas == [Quota(remaining=19893, used=None, last=None)]


def test_an_answer_without_quota_headers_keeps_the_last_quota() -> None:
    harness = Harness(
        _answer(name="sports.json"),
        _answer(502, headers={}),
        _answer(
            name="sports.json", headers={"x-requests-remaining": "494", "x-requests-last": "0"}
        ),
    )
    harness.client.sports()
    harness.client.sports()
    assert harness.quotas == [Quota(494, 6, 6), Quota(494, None, 0)]


def test_a_refused_key_names_the_path_and_not_the_key() -> None:
    harness = Harness(_answer(401, "error_401.json"))
    with pytest.raises(ProviderError, match=r"GET /v4/sports/soccer_epl/odds: the API key") as info:
        harness.client.odds("soccer_epl")
    message = str(info.value)
    assert "API key is not valid or is missing" in message
    assert "SCORELINE_ODDS_API__KEY" in message
    assert KEY not in message
    assert len(harness.server.requests) == 1  # not retried


def test_a_server_message_echoing_the_key_is_scrubbed() -> None:
    body = json.dumps({"message": f"Key {KEY} is not valid", "error_code": "INVALID_KEY"})
    harness = Harness(httpx.Response(401, content=body.encode()))
    with pytest.raises(ProviderError) as info:
        harness.client.sports()
    assert KEY not in str(info.value)
    assert "Key <api key> is not valid" in str(info.value)


def test_refused_parameters_are_a_provider_error() -> None:
    harness = Harness(_answer(422, "error_422.json"))
    with pytest.raises(ProviderError, match=r"parameters refused \(422: Invalid markets parameter"):
        harness.client.odds("soccer_epl", markets=("h2h", "btts"))
    assert not harness.sleeps


def test_spent_credits_raise_quota_exhausted_with_the_count() -> None:
    spent = {"x-requests-remaining": "0", "x-requests-used": "500", "x-requests-last": "0"}
    harness = Harness(_answer(429, "error_429.json", headers=spent))
    with pytest.raises(QuotaExhaustedError, match="Usage quota has been reached") as info:
        harness.client.odds("soccer_epl")
    assert "/v4/sports/soccer_epl/odds" in str(info.value)
    assert "credits remaining: 0" in str(info.value)
    assert harness.quotas == [Quota(remaining=0, used=500, last=0)]
    assert len(harness.server.requests) == 1


def test_a_5xx_is_retried_with_backoff() -> None:
    harness = Harness(_answer(503), _answer(500), _answer(name="sports.json"))
    assert len(harness.client.sports()) == 5
    assert harness.sleeps == [1.0, 2.0]
    assert len(harness.server.requests) == 3


def test_a_5xx_on_every_attempt_gives_up_naming_the_path() -> None:
    harness = Harness(*[_answer(503) for _ in range(4)])
    with pytest.raises(
        ProviderError, match=r"GET /v4/sports: failed after 4 attempts \(last: HTTP 503\)"
    ):
        harness.client.sports()
    assert harness.sleeps == [1.0, 2.0, 4.0]


def test_transport_failures_are_retried_and_never_leak_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="scoreline")
    failure = httpx.ConnectError(f"cannot reach /v4/sports?apiKey={KEY}")
    harness = Harness(failure, failure)
    harness.client.retries = 1
    with pytest.raises(ProviderError, match="failed after 2 attempts") as info:
        harness.client.sports()
    assert KEY not in str(info.value)
    assert "apiKey=<api key>" in str(info.value)
    assert info.value.__cause__ is None  # the cause's request holds the URL with the key
    assert "retrying" in caplog.text
    assert KEY not in caplog.text


def test_an_answer_that_is_not_json_is_refused() -> None:
    harness = Harness(httpx.Response(200, content=b"<html>maintenance</html>"))
    with pytest.raises(ProviderError, match=r"GET /v4/sports: answer is not JSON .*<html>"):
        harness.client.sports()


def test_a_wrong_shape_names_the_item_and_field() -> None:
    events = json.loads(_body("events_soccer_epl.json"))
    del events[1]["home_team"]
    harness = Harness(httpx.Response(200, json=events))
    with pytest.raises(
        ProviderError,
        match=r"GET /v4/sports/soccer_epl/events: .*event 1: home_team must be a non-empty string",
    ):
        harness.client.events("soccer_epl")


def test_an_odds_answer_must_be_a_list_of_objects() -> None:
    harness = Harness(httpx.Response(200, json={"data": []}), httpx.Response(200, json=[{}, 3]))
    with pytest.raises(ProviderError, match="must be a list of events, got dict"):
        harness.client.odds("soccer_epl")
    with pytest.raises(ProviderError, match="event 1: an event must be an object, got int"):
        harness.client.odds("soccer_epl")


@pytest.mark.parametrize("sport_key", ["soccer_epl/../../v3", "soccer epl", "", "Soccer_EPL"])
def test_a_sport_key_that_is_not_a_bare_key_is_refused_before_any_request(sport_key: str) -> None:
    harness = Harness()
    with pytest.raises(ProviderError, match="is not an Odds API key"):
        harness.client.odds(sport_key)
    assert not harness.server.requests


def test_markets_given_as_one_string_are_refused() -> None:
    harness = Harness()
    with pytest.raises(ProviderError, match="markets must be a sequence of strings"):
        harness.client.odds("soccer_epl", markets="h2h")
    with pytest.raises(ProviderError, match="regions must name at least one value"):
        harness.client.odds("soccer_epl", regions=())


def test_a_blank_key_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SCORELINE_ODDS_API__KEY"):
        OddsApiClient("  ")


def test_the_repr_hides_the_key() -> None:
    harness = Harness()
    assert KEY not in repr(harness.client)
    assert "api.the-odds-api.com" in repr(harness.client)
