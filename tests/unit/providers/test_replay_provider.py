"""The replay provider: season files as a timed feed of ticks and results, and its pacer."""

from __future__ import annotations

import csv
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from scoreline.domain.ticks import OddsTick, RawResult, RawTick, ResultTick, parse_tick
from scoreline.errors import DataError
from scoreline.providers.replay import (
    ReplayEvent,
    ReplayEvents,
    play,
    replay_events,
)

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "data" / "sample" / "football-data"

Payload = RawTick | RawResult


def _utc(day: int, hour: int, minute: int = 0, month: int = 8, year: int = 2021) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _timed_ticks(events: Sequence[ReplayEvent]) -> list[tuple[datetime, RawTick]]:
    timed: list[tuple[datetime, RawTick]] = []
    for event in events:
        payload = event.payload
        if payload["type"] == "odds":
            timed.append((event.at, payload))
    return timed


def _ticks(events: Sequence[ReplayEvent]) -> list[RawTick]:
    return [tick for _, tick in _timed_ticks(events)]


def _results(events: Sequence[ReplayEvent]) -> list[RawResult]:
    results: list[RawResult] = []
    for event in events:
        payload = event.payload
        if payload["type"] == "result":
            results.append(payload)
    return results


# --- hand-written season files -------------------------------------------------------

# Saturday 14 August 2021, 15:00 UK = 14:00 UTC; pre-match prices Friday 16:00 UK = 15:00 UTC.
ROW = {
    "Div": "E0",
    "Date": "14/08/2021",
    "Time": "15:00",
    "HomeTeam": "Alpha",
    "AwayTeam": "Beta",
    "FTHG": "2",
    "FTAG": "1",
    "HTHG": "1",
    "HTAG": "0",
    "PSH": "2.00",
    "PSD": "3.5",
    "PSA": "4",
    "PSCH": "2.1",
    "PSCD": "3.4",
    "PSCA": "3.8",
    "P>2.5": "1.9",
    "P<2.5": "2.0",
    "AHh": "-0.5,-1",
    "PAHH": "1.95",
    "PAHA": "1.95",
}
HEADER = list(ROW)


def _season(path: Path, *rows: dict[str, str], header: Sequence[str] = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(name, "") for name in header])
    return path


def _row(**changes: str) -> dict[str, str]:
    return {**ROW, **changes}


def _one_match(tmp_path: Path, **changes: str) -> ReplayEvents:
    path = _season(tmp_path / "E0" / "2021-2022.csv", _row(**changes))
    return replay_events(path, start=date(2021, 8, 1), end=date(2021, 8, 31))


def test_a_match_becomes_prematch_ticks_then_closing_ticks_then_its_result(
    tmp_path: Path,
) -> None:
    events = _one_match(tmp_path)

    assert [(e.at, e.payload["type"], e.payload.get("kind")) for e in events] == [
        (_utc(13, 15), "odds", "prematch"),
        (_utc(13, 15), "odds", "prematch"),
        (_utc(13, 15), "odds", "prematch"),
        (_utc(14, 14), "odds", "closing"),
        (_utc(14, 16), "result", None),
    ]
    assert [t["market"] for t in _ticks(events)] == ["1x2", "asian_handicap", "over_under", "1x2"]


def test_a_tick_carries_the_files_names_and_prices_as_written(tmp_path: Path) -> None:
    events = _one_match(tmp_path)

    assert events[0].payload == {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Alpha",
        "away_team": "Beta",
        "kickoff": "2021-08-14T14:00:00Z",
        "bookmaker": "PS",
        "market": "1x2",
        "line": None,
        "prices": {"home": "2.00", "draw": "3.5", "away": "4"},
        "captured_at": "2021-08-13T15:00:00Z",
        "kind": "prematch",
    }
    assert events[-1].payload == {
        "type": "result",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Alpha",
        "away_team": "Beta",
        "kickoff": "2021-08-14T14:00:00Z",
        "home_goals": 2,
        "away_goals": 1,
    }


@pytest.mark.parametrize(
    ("cell", "line"), [("-0.5,-1", "-0.75"), ("0", "0"), ("-1.00", "-1"), ("2.5", "2.5")]
)
def test_handicap_lines_are_sent_in_their_shortest_form(
    tmp_path: Path, cell: str, line: str
) -> None:
    events = _one_match(tmp_path, AHh=cell)

    (tick,) = [t for t in _ticks(events) if t["market"] == "asian_handicap"]
    assert tick["line"] == line
    assert tick["prices"] == {"home": "1.95", "away": "1.95"}


def test_over_under_ticks_carry_both_sides_on_the_goal_line(tmp_path: Path) -> None:
    events = _one_match(tmp_path)

    (tick,) = [t for t in _ticks(events) if t["market"] == "over_under"]
    assert (tick["line"], tick["prices"]) == ("2.5", {"over": "1.9", "under": "2.0"})


def test_a_market_missing_a_selection_is_skipped_and_counted(tmp_path: Path) -> None:
    events = _one_match(tmp_path, PSD="", PSCA="")

    assert [t["kind"] for t in _ticks(events) if t["market"] == "1x2"] == []
    (prematch, closing) = events.summary.incomplete_groups
    assert (prematch.bookmaker, prematch.market, prematch.kind) == ("PS", "1x2", "prematch")
    assert [s.value for s in prematch.present] == ["home", "away"]
    assert [s.value for s in closing.present] == ["home", "draw"]
    assert prematch.line == 2  # the file line of the row, after the header
    assert "has only home, away; tick skipped" in prematch.message


def test_result_delay_is_configurable(tmp_path: Path) -> None:
    path = _season(tmp_path / "E0" / "2021-2022.csv", _row())
    events = replay_events(
        path, start=date(2021, 8, 14), end=date(2021, 8, 14), result_delay=timedelta(minutes=110)
    )

    assert events[-1].at == _utc(14, 15, 50)


def test_ties_are_ordered_by_competition_then_home_team(tmp_path: Path) -> None:
    _season(
        tmp_path / "SP1" / "2021-2022.csv",
        _row(Div="SP1", HomeTeam="Aardvark", AwayTeam="Zebra"),
    )
    _season(
        tmp_path / "E0" / "2021-2022.csv",
        _row(HomeTeam="Gamma", AwayTeam="Delta"),
        _row(HomeTeam="Alpha", AwayTeam="Beta"),
    )
    events = replay_events(tmp_path, start=date(2021, 8, 1), end=date(2021, 8, 31))

    results = [(r["competition"], r["home_team"]) for r in _results(events)]
    assert results == [("E0", "Alpha"), ("E0", "Gamma"), ("SP1", "Aardvark")]
    assert events == replay_events(tmp_path, start=date(2021, 8, 1), end=date(2021, 8, 31))


def test_bad_rows_and_rejected_files_are_reported_and_the_rest_replayed(tmp_path: Path) -> None:
    _season(tmp_path / "E0" / "2021-2022.csv", _row(), _row(HomeTeam="Gamma", FTHG="x"))
    _season(tmp_path / "D1" / "2021-2022.csv", _row(Div="D1"), header=HEADER[1:])

    events = replay_events(tmp_path, start=date(2021, 8, 1), end=date(2021, 8, 31))

    assert [r["home_team"] for r in _results(events)] == ["Alpha"]
    summary = events.summary
    assert summary.files_read == 1
    (rejected,) = summary.files_rejected
    assert "required column(s) missing: Div" in str(rejected)
    (skipped,) = summary.rows_skipped
    assert (skipped.line, skipped.reason) == (3, "FTHG 'x' is not a whole number")


def test_a_season_read_twice_is_rejected_the_second_time(tmp_path: Path) -> None:
    _season(tmp_path / "a" / "E0" / "2021-2022.csv", _row())
    _season(tmp_path / "b" / "E0" / "2021-2022.csv", _row())

    events = replay_events(tmp_path, start=date(2021, 8, 1), end=date(2021, 8, 31))

    assert len(_results(events)) == 1
    (rejected,) = events.summary.files_rejected
    assert "already read from" in str(rejected)


def test_files_of_seasons_outside_the_window_are_not_read(tmp_path: Path) -> None:
    _season(tmp_path / "E0" / "2021-2022.csv", _row())
    (tmp_path / "E0" / "2015-2016.csv").write_bytes(b"\xff not even text")

    events = replay_events(tmp_path, start=date(2021, 8, 1), end=date(2021, 8, 31))

    assert events.summary.files_rejected == ()
    assert events.summary.files_read == 1


def test_an_awarded_score_is_withheld_but_its_prices_are_sent(tmp_path: Path) -> None:
    events = _one_match(tmp_path, FTHG="3", FTAG="0", HTHG="", HTAG="")

    assert _results(events) == []
    assert len(_ticks(events)) == 4
    assert events.summary.results_withheld == 1


def test_a_window_ending_before_it_starts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="ends"):
        replay_events(tmp_path, start=date(2021, 8, 2), end=date(2021, 8, 1))


def test_an_unknown_competition_code_is_refused_not_replayed_as_nothing() -> None:
    with pytest.raises(DataError, match="unknown football-data division code 'EO'"):
        replay_events(SAMPLE, start=date(2021, 8, 1), end=date(2021, 8, 31), competitions=["EO"])


# --- the sample data -----------------------------------------------------------------


@pytest.fixture(scope="module")
def opening_night() -> ReplayEvents:
    """Brentford 2-0 Arsenal, Friday 13 August 2021 20:00 UK: the only E0 match that day."""
    return replay_events(
        str(SAMPLE), start=date(2021, 8, 13), end=date(2021, 8, 13), competitions=["E0"]
    )


@pytest.fixture(scope="module")
def season_2021() -> ReplayEvents:
    return replay_events([SAMPLE], start=date(2021, 8, 1), end=date(2022, 6, 30))


def test_a_sample_match_sends_pinnacles_prices_and_its_score_on_time(
    opening_night: ReplayEvents,
) -> None:
    pinnacle = [
        (at, tick.get("kind"), tick["prices"])
        for at, tick in _timed_ticks(opening_night)
        if (tick["bookmaker"], tick["market"]) == ("PS", "1x2")
    ]
    (result,) = _results(opening_night)

    assert pinnacle == [
        (_utc(13, 15), "prematch", {"home": "4.05", "draw": "3.46", "away": "2.05"}),
        (_utc(13, 19), "closing", {"home": "3.94", "draw": "3.33", "away": "2.13"}),
    ]
    assert opening_night[-1].at == _utc(13, 21)
    assert (result["home_team"], result["away_team"]) == ("Brentford", "Arsenal")
    assert (result["home_goals"], result["away_goals"], result["kickoff"]) == (
        2,
        0,
        "2021-08-13T19:00:00Z",
    )


def test_a_sample_match_sends_every_book_and_market_once(opening_night: ReplayEvents) -> None:
    books = {(t["bookmaker"], t["market"], t["line"], t["kind"]) for t in _ticks(opening_night)}

    # 1x2 from 8 books, over/under 2.5 and handicap +0.5 from 4, each pre-match and closing.
    assert len(opening_night) == len(books) + 1 == 33
    assert ("PS", "asian_handicap", "0.5", "closing") in books
    assert ("AVG", "over_under", "2.5", "prematch") in books
    assert opening_night.summary.matches == 1


def test_sample_events_come_in_simulated_time_order(season_2021: ReplayEvents) -> None:
    times = [e.at for e in season_2021]

    assert times == sorted(times)
    assert all(t.tzinfo is UTC for t in times)


def test_every_sample_payload_passes_the_wire_check(season_2021: ReplayEvents) -> None:
    parsed = [parse_tick(e.payload) for e in season_2021]

    assert sum(isinstance(p, OddsTick) for p in parsed) == season_2021.summary.ticks
    assert sum(isinstance(p, ResultTick) for p in parsed) == season_2021.summary.results == 1826
    odds_times = [
        (e.at, p.captured_at)
        for e, p in zip(season_2021, parsed, strict=True)
        if isinstance(p, OddsTick)
    ]
    assert all(at == captured for at, captured in odds_times)


def test_the_window_keeps_whole_matches_by_kickoff_date(season_2021: ReplayEvents) -> None:
    kickoffs = {datetime.fromisoformat(e.payload["kickoff"]).date() for e in season_2021}

    assert min(kickoffs) >= date(2021, 8, 1)
    assert max(kickoffs) <= date(2022, 6, 30)
    assert season_2021[0].at.date() < date(
        2021, 8, 13
    )  # pre-match prices, before the window's first game


def test_the_competition_filter_keeps_only_the_named_divisions() -> None:
    events = replay_events(
        SAMPLE, start=date(2021, 8, 1), end=date(2021, 8, 31), competitions=["SP1", "D1"]
    )

    august = 0
    for code in ("SP1", "D1"):
        with (SAMPLE / code / "2021-2022.csv").open(encoding="utf-8-sig") as handle:
            august += sum(row["Date"].endswith("/08/2021") for row in csv.DictReader(handle))
    assert {e.payload["competition"] for e in events} == {"SP1", "D1"}
    assert len(_results(events)) == events.summary.matches == august


# --- the pacer -----------------------------------------------------------------------


class FakeTime:
    """A clock that moves only when slept on, with a record of every sleep."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Recorder:
    """A sink that notes when each batch arrived on the fake clock."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.batches: list[tuple[float, list[str]]] = []

    def __call__(self, payloads: Sequence[Payload]) -> None:
        self.batches.append((self.time.now - 100.0, [p["home_team"] for p in payloads]))


def _event(at: datetime, home: str) -> ReplayEvent:
    result: RawResult = {
        "type": "result",
        "provider": "replay",
        "competition": "E0",
        "home_team": home,
        "away_team": "Away",
        "kickoff": "2021-08-14T14:00:00Z",
        "home_goals": 1,
        "away_goals": 0,
    }
    return ReplayEvent(at, result)


START = _utc(14, 14)
EVENTS = [
    _event(START, "A"),
    _event(START + timedelta(minutes=10), "B"),
    _event(START + timedelta(minutes=10), "C"),
    _event(START + timedelta(minutes=15), "D"),
]


def test_at_speed_600_ten_simulated_minutes_take_one_real_second() -> None:
    time = FakeTime()
    sink = Recorder(time)

    stats = play(EVENTS, speed=600, sink=sink, clock=time.clock, sleep=time.sleep)

    assert [(round(at, 6), names) for at, names in sink.batches] == [
        (0.0, ["A"]),
        (1.0, ["B", "C"]),
        (1.5, ["D"]),
    ]
    assert (stats.events_sent, stats.results, stats.ticks, stats.batches) == (4, 4, 0, 3)
    assert stats.simulated_span == timedelta(minutes=15)
    assert stats.real_seconds == pytest.approx(1.5)
    assert not stats.stopped


def test_events_are_sent_in_time_order_whatever_order_they_come_in() -> None:
    time = FakeTime()
    sink = Recorder(time)

    play(reversed(EVENTS), speed=None, sink=sink, clock=time.clock, sleep=time.sleep)

    assert sink.batches == [(0.0, ["A", "C", "B", "D"])]


def test_without_a_speed_the_pacer_never_sleeps_and_sends_full_batches() -> None:
    time = FakeTime()
    sink = Recorder(time)

    stats = play(EVENTS * 3, speed=None, sink=sink, clock=time.clock, sleep=time.sleep, batch_max=5)

    assert time.sleeps == []
    assert [len(names) for _, names in sink.batches] == [5, 5, 2]
    assert stats.events_sent == 12


def test_a_crowded_moment_is_split_at_batch_max_and_sent_back_to_back() -> None:
    time = FakeTime()
    sink = Recorder(time)
    crowd = [_event(START, name) for name in "ABCDE"]

    play(crowd, speed=600, sink=sink, clock=time.clock, sleep=time.sleep, batch_max=2)

    assert sink.batches == [(0.0, ["A", "B"]), (0.0, ["C", "D"]), (0.0, ["E"])]


def test_a_slow_sink_is_caught_up_in_one_batch() -> None:
    time = FakeTime()
    batches: list[list[str]] = []

    def slow(payloads: Sequence[Payload]) -> None:
        batches.append([p["home_team"] for p in payloads])
        time.now += 2.0  # each call takes longer than the whole schedule

    play(EVENTS, speed=600, sink=slow, clock=time.clock, sleep=time.sleep)

    assert batches == [["A"], ["B", "C", "D"]]
    assert time.sleeps == []


def test_a_long_gap_is_cut_to_max_idle_seconds() -> None:
    time = FakeTime()
    sink = Recorder(time)
    events = [
        _event(START, "A"),
        _event(START + timedelta(days=1), "B"),
        _event(START + timedelta(days=1, minutes=10), "C"),
    ]

    play(events, speed=600, sink=sink, clock=time.clock, sleep=time.sleep, max_idle_seconds=5.0)

    # A day at speed 600 is 144 real seconds: cut to 5, and the next gap (1 s) kept.
    assert [round(at, 6) for at, _ in sink.batches] == [0.0, 5.0, 6.0]


def test_without_max_idle_seconds_every_gap_is_kept() -> None:
    time = FakeTime()
    sink = Recorder(time)
    events = [_event(START, "A"), _event(START + timedelta(days=1), "B")]

    play(events, speed=600, sink=sink, clock=time.clock, sleep=time.sleep, max_idle_seconds=None)

    assert round(sink.batches[-1][0], 6) == 144.0


def test_a_set_stop_event_ends_the_replay_before_the_next_batch() -> None:
    time = FakeTime()
    stop = threading.Event()
    sent: list[int] = []

    def sink(payloads: Sequence[Payload]) -> None:
        sent.append(len(payloads))
        stop.set()

    stats = play(
        EVENTS, speed=None, sink=sink, clock=time.clock, sleep=time.sleep, batch_max=1, stop=stop
    )

    assert sent == [1]
    assert (stats.events_sent, stats.stopped) == (1, True)


def test_a_stop_during_a_long_wait_is_noticed_within_a_tenth_of_a_second() -> None:
    time = FakeTime()
    stop = threading.Event()
    sink = Recorder(time)

    def sleep(seconds: float) -> None:
        time.sleep(seconds)
        stop.set()

    stats = play(
        EVENTS, speed=1, sink=sink, clock=time.clock, sleep=sleep, stop=stop, max_idle_seconds=None
    )

    assert [names for _, names in sink.batches] == [["A"]]
    assert time.sleeps == [pytest.approx(0.1)]
    assert stats.stopped


def test_nothing_to_play_sends_nothing() -> None:
    time = FakeTime()
    sink = Recorder(time)

    stats = play([], speed=600, sink=sink, clock=time.clock, sleep=time.sleep)

    assert (sink.batches, stats.events_sent, stats.simulated_span) == ([], 0, timedelta(0))


@pytest.mark.parametrize(
    ("speed", "batch_max", "max_idle_seconds"),
    [(0.0, 1, None), (-1.0, 1, None), (float("inf"), 1, None), (None, 0, None), (1.0, 1, -1.0)],
)
def test_out_of_range_settings_are_refused(
    speed: float | None, batch_max: int, max_idle_seconds: float | None
) -> None:
    with pytest.raises(ValueError, match="must be"):
        play(
            EVENTS,
            speed=speed,
            sink=lambda _: None,
            batch_max=batch_max,
            max_idle_seconds=max_idle_seconds,
        )
