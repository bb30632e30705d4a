"""Odds API answers into RawTick dicts: known values from the hand-written v4 odds file."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from scoreline.domain.markets import Market, Selection
from scoreline.domain.ticks import OddsTick, RawTick, parse_tick
from scoreline.errors import DataError
from scoreline.providers.football_data import COMPETITIONS
from scoreline.providers.odds_api import (
    COMPETITION_BY_SPORT,
    Conversion,
    Problem,
    bookmaker_code,
    competition_code,
    convert_odds,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "odds_api"
ARSENAL = "0a5b2e7c4f8d4c1e9b3a6d2f1e0c9b8a"


def _events() -> list[Any]:
    events: list[Any] = json.loads((DATA / "odds_soccer_epl.json").read_text())
    return events


def _converted(change: Callable[[list[Any]], None] | None = None) -> Conversion:
    events = _events()
    if change is not None:
        change(events)
    return convert_odds(events)


def _ticks(conversion: Conversion, home: str, bookmaker: str, market: str) -> list[RawTick]:
    return [
        t
        for t in conversion.ticks
        if (t["home_team"], t["bookmaker"], t["market"]) == (home, bookmaker, market)
    ]


def _book(events: list[Any], event: int, key: str) -> dict[str, Any]:
    book: dict[str, Any] = next(b for b in events[event]["bookmakers"] if b["key"] == key)
    return book


def _market(events: list[Any], event: int, book: str, key: str) -> dict[str, Any]:
    market: dict[str, Any] = next(
        m for m in _book(events, event, book)["markets"] if m["key"] == key
    )
    return market


def test_every_tick_of_the_recorded_answer_parses() -> None:
    conversion = _converted()
    assert len(conversion.ticks) == 20
    parsed = [parse_tick(tick) for tick in conversion.ticks]
    assert all(isinstance(tick, OddsTick) for tick in parsed)
    assert {tick["competition"] for tick in conversion.ticks} == {"E0"}
    assert {tick["provider"] for tick in conversion.ticks} == {"the-odds-api"}


def test_an_exchange_lay_market_is_reported_not_dropped() -> None:
    (problem,) = _converted().problems
    assert problem.where == (
        f"event {ARSENAL} (Arsenal v Chelsea) / bookmaker betfair_ex_uk / market h2h_lay"
    )
    assert "not converted" in problem.reason
    assert str(problem).endswith("; skipped")


def test_h2h_becomes_1x2_matched_by_team_name() -> None:
    (tick,) = _ticks(_converted(), "Arsenal", "PS", "1x2")
    assert tick == {
        "type": "odds",
        "provider": "the-odds-api",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": "2026-11-28T15:00:00Z",
        "bookmaker": "PS",
        "market": "1x2",
        "line": None,
        "prices": {"home": "2.1", "draw": "3.4", "away": "3.6"},
        "captured_at": "2026-11-27T09:01:40Z",
        "kind": "prematch",
    }


def test_totals_give_one_over_under_tick_per_point() -> None:
    ticks = _ticks(_converted(), "Arsenal", "PS", "over_under")
    assert [(t["line"], t["prices"]) for t in ticks] == [
        ("2.5", {"over": "1.95", "under": "1.9"}),
        ("3", {"over": "2.62", "under": "1.49"}),
    ]
    (quarter,) = _ticks(_converted(), "Tottenham Hotspur", "PS", "over_under")
    assert quarter["line"] == "2.75"


def test_spreads_give_asian_handicap_ticks_on_the_home_point() -> None:
    conversion = _converted()
    arsenal = _ticks(conversion, "Arsenal", "PS", "asian_handicap")
    assert [(t["line"], t["prices"]) for t in arsenal] == [
        ("-0.5", {"home": "2.08", "away": "1.83"}),
        ("-0.75", {"home": "2.32", "away": "1.64"}),
    ]
    (quarter,) = _ticks(conversion, "Liverpool", "PS", "asian_handicap")
    (level,) = _ticks(conversion, "Liverpool", "B365", "asian_handicap")
    assert (quarter["line"], level["line"]) == ("-0.25", "0")
    parsed = parse_tick(arsenal[1])
    assert isinstance(parsed, OddsTick)
    assert parsed.market is Market.ASIAN_HANDICAP
    assert parsed.line == Decimal("-0.75")
    assert parsed.prices[Selection.HOME] == Decimal("2.32")


def test_bookmakers_get_our_codes_or_keep_their_key() -> None:
    assert {t["bookmaker"] for t in _converted().ticks} == {"PS", "B365", "WH", "BFE", "unibet_uk"}
    assert bookmaker_code("sport888") == "888"
    assert bookmaker_code("betfair_ex_eu") == "BFE"
    assert bookmaker_code("marathonbet") == "marathonbet"


def test_captured_at_falls_back_to_the_bookmaker_update() -> None:
    (tick,) = _ticks(_converted(), "Tottenham Hotspur", "WH", "1x2")
    assert tick["captured_at"] == "2026-11-27T08:55:47Z"


def test_every_mapped_sport_lands_on_a_known_football_data_division() -> None:
    assert len(COMPETITION_BY_SPORT) == 18
    assert set(COMPETITION_BY_SPORT.values()) <= set(COMPETITIONS)
    assert competition_code("soccer_spl") == "SC0"
    assert competition_code("soccer_belgium_first_div") == "B1"


def test_an_unknown_sport_key_is_reported_not_guessed() -> None:
    with pytest.raises(DataError, match="'soccer_uefa_champs_league' has no Scoreline competition"):
        competition_code("soccer_uefa_champs_league")

    def to_champions_league(events: list[Any]) -> None:
        events[0]["sport_key"] = "soccer_uefa_champs_league"

    conversion = _converted(to_champions_league)
    assert len(conversion.ticks) == 9  # the other two matches
    assert conversion.problems[0].where == f"event {ARSENAL} (Arsenal v Chelsea)"
    assert "soccer_uefa_champs_league" in conversion.problems[0].reason


def test_a_handicap_whose_away_point_does_not_mirror_is_reported() -> None:
    def skew(events: list[Any]) -> None:
        _market(events, 0, "pinnacle", "spreads")["outcomes"][1]["point"] = 0.25

    conversion = _converted(skew)
    reasons = [
        p.reason for p in conversion.problems if p.where.endswith("pinnacle / market spreads")
    ]
    assert reasons == [
        "home line -0.5: no Chelsea +0.5 outcome",
        "Chelsea +0.25: no Arsenal -0.25 outcome to pair with "
        "(the away point must be minus the home point)",
    ]
    arsenal = _ticks(conversion, "Arsenal", "PS", "asian_handicap")
    assert [t["line"] for t in arsenal] == ["-0.75"]


def test_a_1x2_without_the_draw_is_reported_and_the_other_markets_convert() -> None:
    def no_draw(events: list[Any]) -> None:
        _market(events, 0, "bet365", "h2h")["outcomes"].pop(2)

    conversion = _converted(no_draw)
    problem = conversion.problems[0]
    assert problem.where.endswith("bookmaker bet365 / market h2h")
    assert problem.reason == "no outcome for 'Draw'"
    assert not _ticks(conversion, "Arsenal", "B365", "1x2")
    assert len(_ticks(conversion, "Arsenal", "B365", "over_under")) == 1
    assert len(conversion.ticks) == 19


def test_a_total_missing_a_side_skips_only_that_point() -> None:
    def no_under(events: list[Any]) -> None:
        _market(events, 0, "pinnacle", "totals")["outcomes"].pop(3)

    conversion = _converted(no_under)
    assert [t["line"] for t in _ticks(conversion, "Arsenal", "PS", "over_under")] == ["2.5"]
    assert "line 3: only over, needs over and under" in [p.reason for p in conversion.problems]


def test_a_malformed_event_is_reported_and_the_rest_converts() -> None:
    def break_events(events: list[Any]) -> None:
        del events[1]["home_team"]
        events.append("not an event")

    conversion = _converted(break_events)
    wheres = [p.where for p in conversion.problems]
    assert "event 1b6c3f8d5a9e4d2f8c4b7e3a2f1d0c9b" in wheres
    assert "event 3" in wheres
    assert len(conversion.ticks) == 14


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        ("2.1", "price must be a number, got '2.1'"),
        (True, "price must be a number, got True"),
        (1.0, "price of home is 1.0: below the minimum decimal price 1.01"),
        (1000.5, "price of home is 1000.5: above the maximum decimal price 1,000"),
    ],
)
def test_a_bad_price_is_reported(price: object, reason: str) -> None:
    def set_price(events: list[Any]) -> None:
        _market(events, 2, "pinnacle", "h2h")["outcomes"][0]["price"] = price

    conversion = _converted(set_price)
    assert reason in [p.reason for p in conversion.problems]
    assert not _ticks(conversion, "Tottenham Hotspur", "PS", "1x2")


def test_a_point_off_the_quarter_grid_is_reported() -> None:
    def odd_point(events: list[Any]) -> None:
        outcomes = _market(events, 2, "pinnacle", "totals")["outcomes"]
        for outcome in outcomes:
            outcome["point"] = 2.6

    conversion = _converted(odd_point)
    assert "point 2.6 is not on the quarter-goal grid" in [p.reason for p in conversion.problems]


def test_prices_updated_after_kickoff_are_not_taken_as_prematch() -> None:
    def in_play(events: list[Any]) -> None:
        _market(events, 2, "pinnacle", "h2h")["last_update"] = "2026-11-29T16:35:00Z"

    conversion = _converted(in_play)
    assert any("in-play prices are not pre-match" in p.reason for p in conversion.problems)
    assert not _ticks(conversion, "Tottenham Hotspur", "PS", "1x2")


def test_two_exchanges_sharing_a_code_keep_the_later_update() -> None:
    def add_eu_exchange(events: list[Any]) -> None:
        eu = copy.deepcopy(_book(events, 0, "betfair_ex_uk"))
        eu["key"] = "betfair_ex_eu"
        eu["markets"] = [eu["markets"][0]]
        eu["markets"][0]["last_update"] = "2026-11-27T09:05:00Z"
        eu["markets"][0]["outcomes"][0]["price"] = 2.16
        events[0]["bookmakers"].append(eu)

    conversion = _converted(add_eu_exchange)
    (tick,) = _ticks(conversion, "Arsenal", "BFE", "1x2")
    assert tick["prices"]["home"] == "2.16"
    duplicate = conversion.problems[-1]
    assert duplicate.where == "Arsenal v Chelsea / bookmaker betfair_ex_uk / 1x2"
    assert "same bookmaker code BFE as betfair_ex_eu" in duplicate.reason


def test_a_problem_reads_as_one_line() -> None:
    assert str(Problem("event x / market h2h", "no outcome for 'Draw'")) == (
        "event x / market h2h: no outcome for 'Draw'; skipped"
    )
