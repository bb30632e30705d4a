"""Live-feed ticks: what parses to which record, and every reason a tick is refused."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.domain.markets import Market, Selection
from scoreline.domain.odds import PriceKind
from scoreline.domain.ticks import (
    OddsTick,
    RawResult,
    RawTick,
    ResultTick,
    TickError,
    encode_raw,
    parse_tick,
)

KICKOFF = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
CAPTURED = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def match_odds(**changes: Any) -> dict[str, Any]:
    """A valid 1X2 tick on the wire, with some fields changed (None deletes one)."""
    raw: dict[str, Any] = {
        "type": "odds",
        "provider": "the-odds-api",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": "2026-11-28T15:00:00Z",
        "bookmaker": "pinnacle",
        "market": "1x2",
        "line": None,
        "prices": {"home": "2.10", "draw": "3.40", "away": "3.60"},
        "captured_at": "2026-11-27T09:00:00Z",
    }
    return _changed(raw, changes)


def over_under(**changes: Any) -> dict[str, Any]:
    base = {"market": "over_under", "line": "2.5", "prices": {"over": "1.95", "under": "1.90"}}
    return match_odds(**(base | changes))


def result(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "type": "result",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": "2026-11-28T15:00:00Z",
        "home_goals": 2,
        "away_goals": 1,
    }
    return _changed(raw, changes)


def _changed(raw: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    for name, value in changes.items():
        if value is None and name != "line":
            raw.pop(name, None)
        else:
            raw[name] = value
    return raw


def refusal(raw: dict[str, Any] | bytes | str) -> TickError:
    with pytest.raises(TickError) as caught:
        parse_tick(raw)
    return caught.value


# -- what parses -----------------------------------------------------------------------


def test_a_match_odds_tick_parses_to_decimal_prices_and_utc_times() -> None:
    tick = parse_tick(match_odds())
    assert tick == OddsTick(
        provider="the-odds-api",
        competition="E0",
        home_team="Arsenal",
        away_team="Chelsea",
        kickoff=KICKOFF,
        bookmaker="pinnacle",
        market=Market.MATCH_ODDS,
        line=None,
        prices={
            Selection.HOME: Decimal("2.10"),
            Selection.DRAW: Decimal("3.40"),
            Selection.AWAY: Decimal("3.60"),
        },
        captured_at=CAPTURED,
        kind=PriceKind.PREMATCH,
    )
    assert isinstance(tick, OddsTick)
    assert all(type(price) is Decimal for price in tick.prices.values())
    assert tick.kickoff.tzinfo is UTC
    assert tick.captured_at.tzinfo is UTC


def test_an_over_under_tick_carries_its_goal_line() -> None:
    tick = parse_tick(over_under())
    assert isinstance(tick, OddsTick)
    assert tick.market is Market.OVER_UNDER
    assert tick.line == Decimal("2.5")
    assert dict(tick.prices) == {Selection.OVER: Decimal("1.95"), Selection.UNDER: Decimal("1.90")}


def test_an_asian_handicap_tick_keeps_a_quarter_line() -> None:
    raw = match_odds(market="asian_handicap", line="-0.75", prices={"home": "1.98", "away": "1.92"})
    tick = parse_tick(raw)
    assert isinstance(tick, OddsTick)
    assert tick.market is Market.ASIAN_HANDICAP
    assert tick.line == Decimal("-0.75")
    assert dict(tick.prices) == {Selection.HOME: Decimal("1.98"), Selection.AWAY: Decimal("1.92")}


def test_a_time_with_an_offset_is_converted_to_utc() -> None:
    tick = parse_tick(match_odds(kickoff="2026-11-28T17:00:00+02:00"))
    assert tick.kickoff == KICKOFF
    assert tick.kickoff.tzinfo is UTC
    assert tick.kickoff.hour == 15


def test_numbers_are_accepted_as_prices() -> None:
    tick = parse_tick(match_odds(prices={"home": 2.1, "draw": 3, "away": "3.6"}))
    assert isinstance(tick, OddsTick)
    assert tick.prices[Selection.HOME] == Decimal("2.1")
    assert tick.prices[Selection.DRAW] == Decimal(3)


def test_a_closing_price_is_marked_closing() -> None:
    tick = parse_tick(match_odds(kind="closing"))
    assert isinstance(tick, OddsTick)
    assert tick.kind is PriceKind.CLOSING


def test_text_fields_are_stripped() -> None:
    tick = parse_tick(match_odds(home_team="  Arsenal ", bookmaker="pinnacle\n"))
    assert isinstance(tick, OddsTick)
    assert (tick.home_team, tick.bookmaker) == ("Arsenal", "pinnacle")


def test_a_result_parses_to_a_result_tick() -> None:
    tick = parse_tick(result())
    assert tick == ResultTick(
        provider="replay",
        competition="E0",
        home_team="Arsenal",
        away_team="Chelsea",
        kickoff=KICKOFF,
        home_goals=2,
        away_goals=1,
    )


def test_a_whole_float_score_is_read_as_an_int() -> None:
    tick = parse_tick(result(home_goals=3.0, away_goals=0))
    assert isinstance(tick, ResultTick)
    assert (tick.home_goals, tick.away_goals) == (3, 0)
    assert type(tick.home_goals) is int


def test_wire_bytes_and_text_parse_like_the_mapping() -> None:
    raw = over_under()
    wire = json.dumps(raw)
    assert parse_tick(wire) == parse_tick(wire.encode()) == parse_tick(raw)


def test_encode_raw_is_compact_json() -> None:
    raw: RawResult = {
        "type": "result",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": "2026-11-28T15:00:00Z",
        "home_goals": 2,
        "away_goals": 1,
    }
    wire = encode_raw(raw)
    assert isinstance(wire, bytes)
    assert b" " not in wire
    assert json.loads(wire) == raw


@pytest.mark.parametrize(
    "raw",
    [
        {
            "type": "odds",
            "provider": "the-odds-api",
            "competition": "E0",
            "home_team": "Arsenal",
            "away_team": "Chelsea",
            "kickoff": "2026-11-28T15:00:00Z",
            "bookmaker": "pinnacle",
            "market": "asian_handicap",
            "line": "-0.75",
            "prices": {"home": "1.98", "away": "1.92"},
            "captured_at": "2026-11-27T09:00:00Z",
            "kind": "closing",
        },
        {
            "type": "result",
            "provider": "replay",
            "competition": "SP1",
            "home_team": "Real Madrid",
            "away_team": "Barcelona",
            "kickoff": "2026-11-29T20:00:00+01:00",
            "home_goals": 0,
            "away_goals": 4,
        },
    ],
    ids=["odds", "result"],
)
def test_encoded_ticks_parse_back_to_the_same_record(raw: RawTick | RawResult) -> None:
    assert parse_tick(encode_raw(raw)) == parse_tick(dict(raw))


def test_a_round_trip_keeps_each_field() -> None:
    raw: RawTick = {
        "type": "odds",
        "provider": "p",
        "competition": "D1",
        "home_team": "Bayern",
        "away_team": "Dortmund",
        "kickoff": "2026-12-05T17:30:00Z",
        "bookmaker": "bet365",
        "market": "over_under",
        "line": "3.25",
        "prices": {"over": "2.02", "under": "1.84"},
        "captured_at": "2026-12-05T17:29:00Z",
    }
    tick = parse_tick(encode_raw(raw))
    assert isinstance(tick, OddsTick)
    assert tick.line == Decimal("3.25")
    assert tick.captured_at == datetime(2026, 12, 5, 17, 29, tzinfo=UTC)
    assert tick.prices[Selection.UNDER] == Decimal("1.84")
    assert tick.kind is PriceKind.PREMATCH


# -- what is refused, and why ------------------------------------------------------------


@pytest.mark.parametrize(
    "wire",
    [
        b"\x00\x01garbage",
        b"{not json",
        b"\xff\xfe\xfa\x00{",
        b'{"type": "odds", "provider": "\xff"}',
    ],
    ids=["garbage", "broken", "not-utf8", "invalid-utf8-inside"],
)
def test_bytes_that_are_not_json_are_refused(wire: bytes) -> None:
    error = refusal(wire)
    assert error.reason == "not_json"
    assert "not a JSON tick" in str(error)


def test_a_json_list_is_not_a_tick() -> None:
    error = refusal(json.dumps([match_odds()]))
    assert error.reason == "not_json"
    assert "list" in str(error)


def test_an_empty_text_is_not_json() -> None:
    assert refusal("").reason == "not_json"


@pytest.mark.parametrize("kind", ["quote", None, 1, "ODDS"])
def test_an_unknown_type_is_refused(kind: object) -> None:
    raw = match_odds()
    raw["type"] = kind
    error = refusal(raw)
    assert error.reason == "unknown_type"
    assert repr(kind) in str(error)


@pytest.mark.parametrize(
    "field", ["provider", "competition", "home_team", "away_team", "bookmaker"]
)
@pytest.mark.parametrize("value", ["absent", "", "   ", 7], ids=["absent", "empty", "blank", "int"])
def test_a_missing_or_blank_text_field_is_named(field: str, value: object) -> None:
    raw = match_odds()
    if value == "absent":
        del raw[field]
    else:
        raw[field] = value
    error = refusal(raw)
    assert error.reason == "missing_field"
    assert str(error).startswith(field)


@pytest.mark.parametrize("field", ["provider", "competition", "home_team", "away_team"])
def test_a_result_without_a_text_field_is_named(field: str) -> None:
    error = refusal(result(**{field: None}))
    assert error.reason == "missing_field"
    assert field in str(error)


@pytest.mark.parametrize("field", ["kickoff", "captured_at"])
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "28/11/2026 15:00"])
def test_a_time_that_is_not_iso_is_refused(field: str, value: str) -> None:
    error = refusal(match_odds(**{field: value}))
    assert error.reason == "bad_time"
    assert field in str(error)
    assert "ISO 8601" in str(error)


@pytest.mark.parametrize("field", ["kickoff", "captured_at"])
def test_a_naive_time_is_refused(field: str) -> None:
    error = refusal(match_odds(**{field: "2026-11-28T15:00:00"}))
    assert error.reason == "bad_time"
    assert field in str(error)
    assert "time zone" in str(error)


def test_a_missing_time_is_a_missing_field() -> None:
    error = refusal(match_odds(kickoff=None))
    assert error.reason == "missing_field"
    assert "kickoff" in str(error)


@pytest.mark.parametrize("market", ["h2h", "correct_score", None, 3])
def test_an_unknown_market_is_refused(market: object) -> None:
    raw = match_odds()
    raw["market"] = market
    error = refusal(raw)
    assert error.reason == "unknown_market"
    assert "market" in str(error)
    assert "1x2" in str(error)


def test_match_odds_take_no_line() -> None:
    error = refusal(match_odds(line="0.5"))
    assert error.reason == "bad_line"
    assert "1x2" in str(error)


@pytest.mark.parametrize("line", [None, ""])
def test_over_under_needs_a_line(line: str | None) -> None:
    error = refusal(over_under(line=line))
    assert error.reason == "bad_line"
    assert "over_under needs a line" in str(error)


@pytest.mark.parametrize("line", ["2.3", "-0.1", "abc", "2.5.1"])
def test_a_line_off_the_quarter_grid_is_refused(line: str) -> None:
    error = refusal(over_under(line=line))
    assert error.reason == "bad_line"
    assert repr(line) in str(error)


def test_a_line_given_as_a_number_is_accepted() -> None:
    tick = parse_tick(over_under(line=1.75))
    assert isinstance(tick, OddsTick)
    assert tick.line == Decimal("1.75")


@pytest.mark.parametrize(
    "prices",
    [
        {"home": "2.1", "away": "3.6"},
        {"home": "2.1", "draw": "3.4", "away": "3.6", "over": "1.9"},
        {"home": "2.1", "draw": "3.4", "over": "3.6"},
        {},
    ],
    ids=["missing-draw", "extra-key", "wrong-key", "empty"],
)
def test_the_selections_must_be_the_markets_own(prices: dict[str, str]) -> None:
    error = refusal(match_odds(prices=prices))
    assert error.reason == "bad_selections"
    assert "['away', 'draw', 'home']" in str(error)


@pytest.mark.parametrize("prices", [None, ["2.1", "3.4", "3.6"], "2.1"])
def test_prices_must_be_an_object(prices: object) -> None:
    raw = match_odds()
    raw["prices"] = prices
    error = refusal(raw)
    assert error.reason == "bad_price"
    assert "prices must be an object" in str(error)


@pytest.mark.parametrize(
    "price",
    [
        0,
        "-1.5",
        -1.5,
        "1.0",
        1,
        "1.005",
        "abc",
        "NaN",
        float("nan"),
        "Infinity",
        float("inf"),
        "1000.01",
        5000,
        "50000",
        "1e30",
        True,
        None,
        [2.0],
    ],
    ids=repr,
)
def test_a_bad_price_names_its_selection(price: object) -> None:
    error = refusal(match_odds(prices={"home": "2.1", "draw": price, "away": "3.6"}))
    assert error.reason == "bad_price"
    assert "price of draw" in str(error)


def test_the_largest_price_allowed_is_1000() -> None:
    tick = parse_tick(match_odds(prices={"home": "1000", "draw": "1.01", "away": "999.99"}))
    assert isinstance(tick, OddsTick)
    assert tick.prices[Selection.HOME] == Decimal(1000)


@pytest.mark.parametrize("kind", ["live", "", "CLOSING", 1])
def test_an_unknown_price_kind_is_refused(kind: object) -> None:
    error = refusal(match_odds(kind=kind))
    assert error.reason == "bad_kind"
    assert "kind" in str(error)


@pytest.mark.parametrize("field", ["home_goals", "away_goals"])
@pytest.mark.parametrize(
    "goals", [-1, 1.5, True, False, "2", None, float("nan"), float("inf")], ids=repr
)
def test_a_bad_score_names_its_side(field: str, goals: object) -> None:
    raw = result()
    raw[field] = goals
    error = refusal(raw)
    assert error.reason == "bad_score"
    assert field in str(error)


# -- edges: inputs that once escaped as something other than TickError --------------------


@pytest.mark.parametrize("line", ["1e999999999", "1e-999999999", "25", "-2.5", "0"])
def test_a_line_out_of_range_or_with_a_huge_exponent_is_a_bad_line(line: str) -> None:
    assert refusal(over_under(line=line)).reason == "bad_line"


def test_a_time_that_leaves_the_calendar_in_utc_is_a_bad_time() -> None:
    assert refusal(match_odds(kickoff="0001-01-01T00:00:00+02:00")).reason == "bad_time"


# -- any object either parses or is refused with a reason ------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "odds",
            "result",
            "1x2",
            "over_under",
            "asian_handicap",
            "2.5",
            "-0.75",
            "2.3",
            "closing",
            "2026-11-28T15:00:00Z",
            "2026-11-28T15:00:00+02:00",
            "2026-11-28T15:00:00",
            "1.95",
        ]
    ),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["home", "draw", "away", "over", "under"]) | st.text(max_size=4),
            children,
            max_size=4,
        )
    ),
    max_leaves=8,
)
FIELDS = [
    "type",
    "provider",
    "competition",
    "home_team",
    "away_team",
    "kickoff",
    "bookmaker",
    "market",
    "line",
    "prices",
    "captured_at",
    "kind",
    "home_goals",
    "away_goals",
]


REASONS = {
    "not_json",
    "unknown_type",
    "missing_field",
    "bad_time",
    "unknown_market",
    "bad_line",
    "bad_selections",
    "bad_price",
    "bad_kind",
    "bad_score",
}
Maker = Callable[..., dict[str, Any]]


@st.composite
def tick_like(draw: st.DrawFn) -> dict[str, Any]:
    """A valid tick or result with random fields replaced, dropped or added."""
    make: Maker = draw(st.sampled_from([match_odds, over_under, result]))
    raw = make()
    changes = draw(st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), json_values))
    dropped = draw(st.sets(st.sampled_from(FIELDS), max_size=3))
    raw.update(changes)
    for name in dropped:
        raw.pop(name, None)
    return raw


def outcome(data: bytes | dict[str, Any]) -> str:
    """ "odds" or "result" for a tick that parses, else the TickError's reason."""
    try:
        tick = parse_tick(data)
    except TickError as error:
        return error.reason if str(error) else "no message"
    assert tick.kickoff.tzinfo is UTC
    return "odds" if isinstance(tick, OddsTick) else "result"


@settings(max_examples=250, deadline=None)
@given(tick_like())
def test_any_object_parses_or_raises_tick_error(raw: dict[str, Any]) -> None:
    assert outcome(raw) in REASONS | {"odds", "result"}


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=6) | json_values)
def test_random_json_parses_or_raises_tick_error(value: Any) -> None:
    assert outcome(json.dumps(value).encode()) in REASONS | {"odds", "result"}
