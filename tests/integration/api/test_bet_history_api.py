"""Bet history through the REST gateway on SQLite and PostgreSQL: every bet with its close,
CLV and P&L, the filters, the CSV export, and a bet's page with its audit snapshots.

The book: two future fixtures (E0 Arsenal v Chelsea, D1 Bayern Munich v Dortmund)
priced by PS, B365 and WH; five bets; then the closes come (PS and B365 close
Arsenal v Chelsea, WH never does), Arsenal win 2-0 and it settles, one D1 bet is
voided and the other stays open.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import update

from conftest import SAMPLE_DATA
from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services import audit, settlement
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import FixtureRow
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"
ARSENAL = ("E0", "Arsenal", "Chelsea", "2099-08-20T15:00:00Z")
BAYERN = ("D1", "Bayern Munich", "Dortmund", "2099-08-21T15:00:00Z")


def _odds(
    fixture: tuple[str, str, str, str], bookmaker: str, prices: tuple[str, str, str], kind: str
) -> dict[str, Any]:
    competition, home, away, kickoff = fixture
    captured = "2099-08-20T14:59:00Z" if kind == "closing" else "2099-08-19T10:00:00Z"
    return {
        "type": "odds",
        "provider": "replay",
        "competition": competition,
        "home_team": home,
        "away_team": away,
        "kickoff": kickoff,
        "bookmaker": bookmaker,
        "market": "1x2",
        "line": None,
        "prices": dict(zip(("home", "draw", "away"), prices, strict=True)),
        "captured_at": captured,
        "kind": kind,
    }


@pytest.fixture
def feed(unit_of_work: Callable[[], UnitOfWork]) -> IngestionEngine:
    for league in ("E0", "D1"):
        ingest_football_data(unit_of_work, [SAMPLE_DATA / league / "2022-2023.csv"])
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="history"))
    summary = engine.submit(
        [
            _odds(ARSENAL, "PS", ("2.10", "3.50", "3.60"), "prematch"),
            _odds(ARSENAL, "B365", ("2.20", "3.40", "3.50"), "prematch"),
            _odds(ARSENAL, "WH", ("2.25", "3.30", "3.40"), "prematch"),
            _odds(BAYERN, "PS", ("1.50", "4.50", "6.00"), "prematch"),
        ]
    )
    assert summary.stored == 4
    return engine


@pytest.fixture
def client(unit_of_work: Callable[[], UnitOfWork], feed: IngestionEngine) -> Iterator[TestClient]:
    settings = Settings(jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db")
    with TestClient(create_app(build_context(settings, unit_of_work))) as made:
        first = made.post(
            "/api/v1/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
        )
        assert first.status_code == 201, first.text
        yield made


def _signed_in(client: TestClient, email: str) -> dict[str, str]:
    admin = _login(client, "admin@example.com")
    created = client.post(
        "/api/v1/admin/users",
        json={"email": email, "password": PASSWORD, "role": "trader"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return _login(client, email)


def _login(client: TestClient, email: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _snapshots(client: TestClient, headers: dict[str, str]) -> dict[tuple[str, str], int]:
    """The pre-match snapshot ids by (home team, bookmaker)."""
    page = client.get("/api/v1/fixtures", params={"status": "scheduled"}, headers=headers).json()
    found = {}
    for fixture in page["items"]:
        if fixture["home_team"] not in {"Arsenal", "Bayern Munich"}:
            continue
        odds = client.get(f"/api/v1/fixtures/{fixture['id']}/odds", headers=headers).json()
        for quote in odds:
            found[(fixture["home_team"], quote["bookmaker"])] = quote["id"]
    return found


def _play(unit_of_work: Callable[[], UnitOfWork], fixture_id: int) -> None:
    """Arsenal v Chelsea kicks off two hours ago and ends 2-0."""
    with unit_of_work() as uow:
        played = datetime.now(UTC) - timedelta(hours=2)
        uow.session.execute(
            update(FixtureRow)
            .where(FixtureRow.id == fixture_id)
            .values(kickoff_utc=played, match_date=played.date())
        )
        uow.fixtures.record_result(fixture_id=fixture_id, home_goals=2, away_goals=0)
        uow.commit()


class Book:
    """Alice's book once played: her headers, her portfolio's URL and her bet ids by name."""

    def __init__(self, headers: dict[str, str], url: str, ids: dict[str, int], mid: datetime):
        self.headers, self.url, self.ids, self.mid = headers, url, ids, mid


@pytest.fixture
def book(client: TestClient, feed: IngestionEngine, unit_of_work: Callable[[], UnitOfWork]) -> Book:
    alice = _signed_in(client, "alice@example.com")
    created = client.post("/api/v1/portfolios", json={"name": "main"}, headers=alice)
    url = f"/api/v1/portfolios/{created.json()['id']}"
    client.post(f"{url}/deposits", json={"amount_minor": 100_000}, headers=alice)
    quotes = _snapshots(client, alice)
    orders = {
        "b365_home": (("Arsenal", "B365"), "home", 1_000),
        "ps_draw": (("Arsenal", "PS"), "draw", 500),
        "wh_home": (("Arsenal", "WH"), "home", 100),
    }
    later = {
        "open_away": (("Bayern Munich", "PS"), "away", 300),
        "voided_home": (("Bayern Munich", "PS"), "home", 200),
    }
    ids: dict[str, int] = {}
    mid = datetime.now(UTC)
    for group in (orders, later):
        for name, (quote, selection, stake) in group.items():
            placed = client.post(
                f"{url}/bets",
                json={
                    "odds_snapshot_id": quotes[quote],
                    "selection": selection,
                    "stake_minor": stake,
                },
                headers=alice,
            )
            assert placed.status_code == 201, placed.text
            ids[name] = placed.json()["id"]
        if group is orders:
            mid = datetime.now(UTC)
    voided = client.post(f"/api/v1/bets/{ids['voided_home']}/void", headers=alice)
    assert voided.status_code == 204, voided.text
    closes = feed.submit(
        [
            _odds(ARSENAL, "PS", ("1.95", "3.40", "3.90"), "closing"),
            _odds(ARSENAL, "B365", ("2.00", "3.60", "3.80"), "closing"),
        ]
    )
    assert closes.stored == 2
    fixture_id = client.get(f"/api/v1/bets/{ids['b365_home']}", headers=alice).json()["bet"][
        "fixture_id"
    ]
    _play(unit_of_work, fixture_id)
    assert len(settlement.settle_fixture(unit_of_work, fixture_id=fixture_id)) == 3
    return Book(alice, url, ids, mid)


def _history(client: TestClient, book: Book, **params: str) -> dict[str, Any]:
    answer = client.get(f"{book.url}/history", params=params, headers=book.headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _names(book: Book, items: list[dict[str, Any]]) -> list[str]:
    by_id = {bet_id: name for name, bet_id in book.ids.items()}
    return [by_id[item["id"]] for item in items]


def test_history_shows_every_bet_with_its_close_clv_and_profit(
    client: TestClient, book: Book
) -> None:
    page = _history(client, book)
    assert page["total"] == 5
    assert _names(book, page["items"]) == [
        "voided_home",
        "open_away",
        "wh_home",
        "ps_draw",
        "b365_home",
    ]
    bets = dict(zip(_names(book, page["items"]), page["items"], strict=True))
    won = bets["b365_home"]
    assert (won["status"], won["outcome"], won["bookmaker"]) == ("settled", "won", "B365")
    assert (won["competition"], won["home_team"], won["away_team"]) == ("E0", "Arsenal", "Chelsea")
    # Its own bookmaker's close: 2.20 taken against B365's close of 2.00.
    assert (Decimal(won["closing_odds"]), won["closing_source"]) == (Decimal("2.00"), "bookmaker")
    assert Decimal(won["clv"]) == Decimal("0.1")
    assert (won["payout_minor"], won["profit_minor"], won["currency"]) == (2_200, 1_200, "EUR")
    lost = bets["ps_draw"]  # 3.50 against PS's close of 3.40
    assert (Decimal(lost["closing_odds"]), lost["closing_source"]) == (Decimal("3.40"), "bookmaker")
    assert Decimal(lost["clv"]) == Decimal("3.50") / Decimal("3.40") - 1
    assert lost["profit_minor"] == -500
    # WH never closed: the market's close (PS, 1.95) stands in, and says so.
    market = bets["wh_home"]
    assert (market["closing_source"], market["closing_bookmaker"]) == ("market", "PS")
    assert Decimal(market["clv"]) == Decimal("2.25") / Decimal("1.95") - 1
    assert market["profit_minor"] == 125  # 100 at 2.25 won
    still_open = bets["open_away"]
    assert (still_open["status"], still_open["profit_minor"], still_open["clv"]) == (
        "open",
        None,
        None,
    )
    voided = bets["voided_home"]
    assert (voided["status"], voided["outcome"], voided["profit_minor"]) == ("void", "void", 0)


def test_history_filters_by_dates_competition_market_bookmaker_and_result(
    client: TestClient, book: Book
) -> None:
    def names(**params: str) -> list[str]:
        return sorted(_names(book, _history(client, book, **params)["items"]))

    assert names(competition="D1") == ["open_away", "voided_home"]
    assert names(bookmaker="B365") == ["b365_home"]
    assert names(bookmaker="PS", competition="E0") == ["ps_draw"]
    assert names(outcome="won") == ["b365_home", "wh_home"]
    assert names(status="open") == ["open_away"]
    assert names(status="void") == ["voided_home"]
    assert names(market="over_under") == []
    assert len(names(market="1x2")) == 5
    mid = book.mid.isoformat()
    assert names(placed_to=mid) == ["b365_home", "ps_draw", "wh_home"]
    assert names(placed_from=mid) == ["open_away", "voided_home"]
    paged = _history(client, book, limit="2", offset="1", competition="E0")
    assert (paged["total"], _names(book, paged["items"])) == (3, ["ps_draw", "b365_home"])
    # The plain bets list takes the same filters, and keeps its old shape.
    plain = client.get(f"{book.url}/bets", params={"competition": "D1"}, headers=book.headers)
    assert plain.status_code == 200, plain.text
    assert plain.json()["total"] == 2
    assert "clv" not in plain.json()["items"][0]
    bad = client.get(f"{book.url}/history", params={"outcome": "maybe"}, headers=book.headers)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["query", "outcome"]


def test_csv_export_has_one_row_per_bet_in_money_and_ratios(client: TestClient, book: Book) -> None:
    answer = client.get(f"{book.url}/history.csv", headers=book.headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [int(row["bet_id"]) for row in rows] == sorted(book.ids.values(), reverse=True)
    won = next(row for row in rows if int(row["bet_id"]) == book.ids["b365_home"])
    assert (won["currency"], won["stake"], won["payout"], won["profit"]) == (
        "EUR",
        "10.00",
        "22.00",
        "12.00",
    )
    assert (Decimal(won["odds"]), Decimal(won["closing_odds"])) == (Decimal("2.2"), Decimal(2))
    assert (won["closing_source"], won["clv"]) == ("bookmaker", "0.100000")
    lost = next(row for row in rows if int(row["bet_id"]) == book.ids["ps_draw"])
    assert (lost["profit"], lost["clv"]) == ("-5.00", "0.029412")  # 3.50 / 3.40 - 1
    still_open = next(row for row in rows if int(row["bet_id"]) == book.ids["open_away"])
    assert (still_open["status"], still_open["payout"], still_open["profit"]) == ("open", "", "")
    only_d1 = client.get(f"{book.url}/history.csv?competition=D1", headers=book.headers)
    assert len(list(csv.DictReader(io.StringIO(only_d1.text)))) == 2


def test_a_bets_page_shows_its_audit_snapshots_chained(client: TestClient, book: Book) -> None:
    answer = client.get(f"/api/v1/bets/{book.ids['b365_home']}", headers=book.headers)
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert (page["bet"]["status"], Decimal(page["bet"]["clv"])) == ("settled", Decimal("0.1"))
    placed, settled = page["audit"]
    assert (placed["kind"], settled["kind"]) == ("placed", "settled")
    for entry in (placed, settled):  # each hash covers the payload shown and the link before
        assert entry["hash"] == audit.chain_hash(entry["prev_hash"], entry["payload"])
    placed_payload = json.loads(placed["payload"])
    assert placed_payload["bet"]["id"] == book.ids["b365_home"]
    assert placed_payload["odds_snapshot"]["bookmaker"] == "B365"
    assert json.loads(settled["payload"])["outcome"] == "won"
    voided = client.get(f"/api/v1/bets/{book.ids['voided_home']}", headers=book.headers).json()
    assert [entry["kind"] for entry in voided["audit"]] == ["placed", "voided"]
    assert json.loads(voided["audit"][1]["payload"])["refund_minor"] == 200


def test_another_users_bet_and_history_are_not_found(client: TestClient, book: Book) -> None:
    bob = _signed_in(client, "bob@example.com")
    for url in (
        f"/api/v1/bets/{book.ids['b365_home']}",
        f"{book.url}/history",
        f"{book.url}/history.csv",
    ):
        answer = client.get(url, headers=bob)
        assert answer.status_code == 404, url
        assert answer.json()["detail"][0]["type"] == "not_found"
