"""Files and feeds that try to break the book (issue 17, items 3 and 12): a score for a match
not yet played, by upload and by the live feed, and prices out of range; on SQLite and
PostgreSQL, the in-process bus and Redis.

Each asserts what the issue's proof asks: no crash, a JSON error or a report naming the
reason, nothing half-written, no bet settled, the bankroll equal to the ledger.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select

from conftest import SAMPLE_DATA
from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.domain import Selection
from scoreline.domain.betting import PortfolioSettings
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pipeline.settlement import SettlementConsumer
from scoreline.services import bets, portfolios, settlement
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import (
    BetRow,
    FixtureRow,
    LedgerEntryRow,
    OddsRow,
    ResultRow,
    SourceFile,
    TeamRow,
    UserRow,
)
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"
LONDON = ZoneInfo("Europe/London")
# Two days ahead, at a whole hour: a match nobody has played yet.
KICKOFF = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
MATCH = {
    "provider": "replay",
    "competition": "E0",
    "home_team": "Arsenal",
    "away_team": "Chelsea",
    "kickoff": KICKOFF.isoformat(),
}
ODDS = MATCH | {
    "type": "odds",
    "bookmaker": "PS",
    "market": "1x2",
    "line": None,
    "prices": {"home": "2.10", "draw": "3.40", "away": "3.60"},
    "captured_at": (KICKOFF - timedelta(hours=3)).isoformat(),
}
RESULT = MATCH | {"type": "result", "home_goals": 3, "away_goals": 0}
STAKE = 1_000
DEPOSIT = 10_000

UNCAPPED = PortfolioSettings(
    max_stake_fraction=Decimal(1), max_fixture_fraction=Decimal(1), max_day_fraction=Decimal(1)
)
"""Caps that never bind: the bets here are about settlement, not the book's caps."""


@dataclass
class Book:
    """Arsenal v Chelsea, two days ahead, scheduled by a live tick, and one open bet on it."""

    unit_of_work: Callable[[], UnitOfWork]
    engine: IngestionEngine
    client: TestClient
    admin: dict[str, str]
    portfolio_id: int
    fixture_id: int
    bet_id: int


def _season_label(day: datetime) -> str:
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{start + 1}"


@pytest.fixture
def book(
    unit_of_work: Callable[[], UnitOfWork], bus: Bus, streams: Streams, tmp_path: Path
) -> Iterator[Book]:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])  # the teams
    settings = Settings(
        jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db", data_dir=tmp_path
    )
    app = create_app(build_context(settings, unit_of_work, bus=bus, streams=streams))
    with TestClient(app) as client:
        made = client.post(
            "/api/v1/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
        )
        assert made.status_code == 201, made.text
        login = client.post(
            "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
        )
        admin = {"Authorization": f"Bearer {login.json()['access_token']}"}
        engine = IngestionEngine(bus, unit_of_work, streams=streams)
        assert engine.submit([ODDS]).stored == 1
        tick = json.loads(bus.tail(streams.odds, after="0", count=1, block_ms=0)[0].payload)
        portfolio, bet_id = _open_bet(unit_of_work, int(tick["odds_id"]))
        yield Book(unit_of_work, engine, client, admin, portfolio, int(tick["fixture_id"]), bet_id)


def _open_bet(unit_of_work: Callable[[], UnitOfWork], odds_id: int) -> tuple[int, int]:
    """A trader's portfolio with a deposit and a bet on the home side; (portfolio, bet)."""
    with unit_of_work() as uow:
        owner = UserRow(
            email="trader@example.com",
            password_hash="x",
            role="trader",
            is_active=True,
            created_at=datetime.now(UTC),
        )
        uow.session.add(owner)
        uow.session.flush()
        owner_id = owner.id
        uow.commit()
    portfolio = portfolios.create(unit_of_work, owner_id=owner_id, name="main", settings=UNCAPPED)
    portfolios.deposit(
        unit_of_work, owner_id=owner_id, portfolio_id=portfolio, amount_minor=DEPOSIT
    )
    bet_id = bets.place(
        unit_of_work,
        owner_id=owner_id,
        portfolio_id=portfolio,
        odds_snapshot_id=odds_id,
        selection=Selection.HOME,
        stake_minor=STAKE,
    )
    return portfolio, bet_id


def upload(book: Book, text: str, name: str) -> tuple[int, dict[str, Any]]:
    answer = book.client.post(
        "/api/v1/admin/ingest/football-data",
        params={"filename": name},
        content=text.encode(),
        headers={**book.admin, "Content-Type": "text/csv"},
    )
    assert answer.headers["content-type"] == "application/json", answer.text
    body: dict[str, Any] = answer.json()
    return answer.status_code, body


def season_file(*rows: str) -> str:
    return "Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,HTHG,HTAG,B365H,B365D,B365A\n" + "".join(
        f"{row}\n" for row in rows
    )


def future_row(score: str = "3,0,1,0", prices: str = "2.05,3.50,3.70") -> str:
    local = KICKOFF.astimezone(LONDON)
    return f"E0,{local:%d/%m/%Y},{local:%H:%M},Arsenal,Chelsea,{score},{prices}"


def assert_bet_open_and_money_untouched(book: Book) -> None:
    with book.unit_of_work() as uow:
        status = uow.session.scalar(select(BetRow.status).where(BetRow.id == book.bet_id))
        ledger = uow.session.scalars(
            select(LedgerEntryRow.amount_minor).where(
                LedgerEntryRow.portfolio_id == book.portfolio_id
            )
        ).all()
        bankroll = uow.ledger.balance(portfolio_id=book.portfolio_id)
    assert status == "open"
    assert sorted(ledger) == sorted([DEPOSIT, -STAKE])  # no payout
    assert bankroll == sum(ledger) == DEPOSIT - STAKE


def assert_no_result(book: Book) -> None:
    with book.unit_of_work() as uow:
        fixture = uow.fixtures.get(book.fixture_id)
    assert fixture is not None
    assert (fixture.status, fixture.home_goals, fixture.away_goals) == ("scheduled", None, None)
    assert book.engine.bus.tail(book.engine.streams.results, after="0", count=10, block_ms=0) == []


def settle_everything(book: Book) -> None:
    """What every settlement path would do now: the sweep and a direct call."""
    consumer = SettlementConsumer(
        book.engine.bus, book.unit_of_work, streams=book.engine.streams, block_ms=10
    )
    assert consumer.sweep() == []
    assert settlement.settle_fixture(book.unit_of_work, fixture_id=book.fixture_id) == []


def test_an_uploaded_score_for_a_match_not_yet_played_is_refused_and_reported(
    book: Book,
) -> None:
    status, body = upload(book, season_file(future_row()), f"{_season_label(KICKOFF)}.csv")
    assert status == 200, body
    assert body["status"] == "loaded"
    (problem,) = body["problems"]
    assert "Arsenal v Chelsea kicks off at" in problem
    assert problem.endswith("result refused, fixture and prices kept")
    assert_no_result(book)
    settle_everything(book)
    assert_bet_open_and_money_untouched(book)
    # Refused again, not skipped as a file already loaded: it is read again after kick-off.
    again_status, again = upload(book, season_file(future_row()), f"{_season_label(KICKOFF)}.csv")
    assert (again_status, again["status"], len(again["problems"])) == (200, "loaded", 1)
    assert_no_result(book)


def test_a_fed_score_for_a_match_not_yet_played_is_dead_lettered_with_its_reason(
    book: Book,
) -> None:
    later = ODDS | {
        "prices": {"home": "2.00", "draw": "3.50", "away": "3.80"},
        "captured_at": (KICKOFF - timedelta(hours=2)).isoformat(),
    }
    summary = book.engine.submit([RESULT, later])
    assert (summary.results, summary.dead_lettered, summary.stored) == (0, 1, 1)
    assert summary.reasons == {"result_before_kickoff": 1}
    (entry,) = book.engine.bus.tail(
        book.engine.streams.dead_letter, after="0", count=10, block_ms=0
    )
    letter = json.loads(entry.payload)
    assert (letter["stage"], letter["reason"]) == ("ingestion", "result_before_kickoff")
    assert "Arsenal v Chelsea" in letter["message"]
    assert "no result before kick-off" in letter["message"]
    assert json.loads(letter["payload"]) == RESULT
    assert_no_result(book)
    settle_everything(book)
    assert_bet_open_and_money_untouched(book)


def test_a_stored_score_before_kick_off_never_settles(book: Book) -> None:
    # The last line of defence: a result already in the table (written before these rules,
    # or by hand) does not settle a match that has not kicked off.
    with book.unit_of_work() as uow:
        uow.fixtures.record_result(fixture_id=book.fixture_id, home_goals=3, away_goals=0)
        uow.commit()
    settle_everything(book)
    assert_bet_open_and_money_untouched(book)


def _counts(unit_of_work: Callable[[], UnitOfWork]) -> dict[str, int]:
    with unit_of_work() as uow:
        return {
            table.__tablename__: uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (FixtureRow, ResultRow, OddsRow, TeamRow, SourceFile)
        }


@pytest.mark.parametrize("price", ["1e30", "50000"])
def test_a_price_out_of_range_beside_an_empty_cell_refuses_the_file_whole(
    book: Book, price: str
) -> None:
    before = _counts(book.unit_of_work)
    text = season_file(
        "E0,12/08/2023,15:00,Everton,Fulham,0,1,0,0,2.10,3.30,3.60",  # a good row first
        "E0,12/08/2023,15:00,Newcomers,Fulham,2,2,1,1,2.10,3.30,3.60",  # a new team
        f"E0,19/08/2023,15:00,Fulham,Brentford,1,0,0,0,,{price},2.50",
    )
    status, body = upload(book, text, "2023-2024.csv")
    assert status == 422, body
    (detail,) = body["detail"]
    assert detail["type"] == "invalid"
    assert detail["msg"] == (
        f"2023-2024.csv line 4: B365D={price!r} is above the maximum decimal price 1,000;"
        " file rejected"
    )
    assert _counts(book.unit_of_work) == before  # nothing half-written
    assert_bet_open_and_money_untouched(book)


@pytest.mark.parametrize("price", ["1e30", "50000", "1000.01"])
def test_a_fed_price_out_of_range_is_dead_lettered_and_not_stored(book: Book, price: str) -> None:
    before = _counts(book.unit_of_work)
    bad = ODDS | {"prices": {"home": "", "draw": price, "away": "2.50"}}
    summary = book.engine.submit([bad])
    assert (summary.stored, summary.dead_lettered) == (0, 1)
    assert summary.reasons == {"bad_price": 1}
    assert _counts(book.unit_of_work) == before


def test_a_nul_byte_in_a_team_name_refuses_the_file_whole_with_a_json_422(book: Book) -> None:
    # PostgreSQL refuses NUL in text: before the rule, this file answered a plain 500.
    before = _counts(book.unit_of_work)
    text = season_file(
        "E0,12/08/2023,15:00,Everton,Fulham,0,1,0,0,2.10,3.30,3.60",
        "E0,19/08/2023,15:00,Ful\x00ham,Brentford,1,0,0,0,2.10,3.30,2.50",
    )
    status, body = upload(book, text, "2023-2024.csv")
    assert status == 422, body
    (detail,) = body["detail"]
    assert detail["msg"] == (
        "2023-2024.csv line 3: holds the control character U+0000, which no football-data file"
        " has; file rejected"
    )
    assert _counts(book.unit_of_work) == before
    assert_bet_open_and_money_untouched(book)
