"""Bets placed anywhere and bookmaker accounts, through the REST API on SQLite and PostgreSQL.

A bet taken at another bookmaker is recorded at the price obtained; the match is
played (its kick-off passes, then the result comes), settlement pays it as any
bet, Asian quarter line included, and the ledger, the performance figures, the
accounts' figures and the audit chain all agree.
"""

from __future__ import annotations

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
KICKOFF = "2099-08-20T15:00:00Z"
API = "/api/v1"


def _tick(bookmaker: str, market: str, line: str | None, prices: dict[str, str], kind: str) -> Any:
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": KICKOFF,
        "bookmaker": bookmaker,
        "market": market,
        "line": line,
        "prices": prices,
        "captured_at": "2099-08-19T10:00:00Z" if kind == "prematch" else "2099-08-20T14:59:00Z",
        "kind": kind,
    }


@pytest.fixture
def client(unit_of_work: Callable[[], UnitOfWork]) -> Iterator[TestClient]:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="t"))
    summary = engine.submit(
        [
            _tick("PS", "1x2", None, {"home": "2.10", "draw": "3.50", "away": "3.60"}, "prematch"),
            # Bet365's close on the Asian handicap: the bet recorded below beats it.
            _tick("B365", "asian_handicap", "-0.75", {"home": "1.90", "away": "1.95"}, "closing"),
        ]
    )
    assert summary.stored == 2
    settings = Settings(jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db")
    with TestClient(create_app(build_context(settings, unit_of_work))) as made:
        made.post(
            f"{API}/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
        )
        yield made


def _user(client: TestClient, email: str) -> dict[str, str]:
    admin = _login(client, "admin@example.com")
    made = client.post(
        f"{API}/admin/users",
        json={"email": email, "password": PASSWORD, "role": "trader"},
        headers=admin,
    )
    assert made.status_code == 201, made.text
    return _login(client, email)


def _login(client: TestClient, email: str) -> dict[str, str]:
    answer = client.post(f"{API}/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _portfolio(client: TestClient, headers: dict[str, str], deposit: int = 10_000) -> int:
    portfolio: int = client.post(
        f"{API}/portfolios", json={"name": "main"}, headers=headers
    ).json()["id"]
    paid = client.post(
        f"{API}/portfolios/{portfolio}/deposits", json={"amount_minor": deposit}, headers=headers
    )
    assert paid.status_code == 200, paid.text
    return portfolio


def _fixture(client: TestClient, headers: dict[str, str]) -> int:
    page = client.get(f"{API}/fixtures", params={"status": "scheduled"}, headers=headers).json()
    return int(
        next(
            f["id"]
            for f in page["items"]
            if f["home_team"] == "Arsenal" and f["away_team"] == "Chelsea"
        )
    )


def _play(unit_of_work: Callable[[], UnitOfWork], fixture_id: int, score: tuple[int, int]) -> None:
    """The match is played: its kick-off passes, then its result comes."""
    _kick_off(unit_of_work, fixture_id)
    with unit_of_work() as uow:
        uow.fixtures.record_result(fixture_id=fixture_id, home_goals=score[0], away_goals=score[1])
        uow.commit()


def _kick_off(unit_of_work: Callable[[], UnitOfWork], fixture_id: int) -> None:
    with unit_of_work() as uow:
        played = datetime.now(UTC) - timedelta(hours=2)
        uow.session.execute(
            update(FixtureRow)
            .where(FixtureRow.id == fixture_id)
            .values(kickoff_utc=played, match_date=played.date())
        )
        uow.commit()


def _record(client: TestClient, headers: dict[str, str], portfolio: int, **fields: Any) -> Any:
    return client.post(f"{API}/portfolios/{portfolio}/external-bets", json=fields, headers=headers)


def test_a_bet_from_another_bookmaker_settles_and_adds_up(
    client: TestClient, unit_of_work: Callable[[], UnitOfWork]
) -> None:
    alice = _user(client, "alice@example.com")
    portfolio = _portfolio(client, alice)
    fixture = _fixture(client, alice)
    account = client.post(
        f"{API}/portfolios/{portfolio}/bookmaker-accounts",
        json={"name": "Bet365", "balance_minor": 250_000, "max_stake_minor": 5_000},
        headers=alice,
    )
    assert account.status_code == 201, account.text
    assert account.json()["balance"] == "EUR 2,500.00"
    assert account.json()["known"] is True  # we hold Bet365's prices (code B365)
    handicap = _record(
        client,
        alice,
        portfolio,
        fixture_id=fixture,
        market="asian_handicap",
        line="-0.75",
        selection="home",
        price="1.95",
        stake_minor=1_000,
        bookmaker_account_id=account.json()["id"],
    )
    assert handicap.status_code == 201, handicap.text
    assert handicap.json()["odds_snapshot_id"] is None
    assert (handicap.json()["bookmaker"], handicap.json()["line"]) == ("Bet365", "-0.75")
    # A bookmaker we hold no prices from, no account: still a bet.
    exchange = _record(
        client,
        alice,
        portfolio,
        fixture_id=fixture,
        market="1x2",
        selection="home",
        price="2.2",
        stake_minor=500,
        bookmaker="Smarkets",
        placed_at=(datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
    )
    assert exchange.status_code == 201, exchange.text
    state = client.get(f"{API}/portfolios/{portfolio}", headers=alice).json()
    assert (state["bankroll_minor"], state["open_stakes_minor"]) == (8_500, 1_500)

    _play(unit_of_work, fixture, (2, 1))
    assert len(settlement.settle_fixture(unit_of_work, fixture_id=fixture)) == 2

    bets = client.get(f"{API}/portfolios/{portfolio}/bets", headers=alice).json()["items"]
    by_bookmaker = {b["bookmaker"]: (b["outcome"], b["payout_minor"]) for b in bets}
    # -0.75 won by one goal: half the stake wins on -0.5 at 1.95, half is pushed on -1.
    assert by_bookmaker == {"Bet365": ("half_won", 1_475), "Smarkets": ("won", 1_100)}
    state = client.get(f"{API}/portfolios/{portfolio}", headers=alice).json()
    assert (state["bankroll_minor"], state["open_stakes_minor"]) == (10_000 + 475 + 600, 0)

    performance = client.get(f"{API}/portfolios/{portfolio}/performance", headers=alice).json()
    assert performance["summary"]["profit_minor"] == 1_075
    assert performance["by_bookmaker"]["B365"]["profit_minor"] == 475
    assert performance["by_bookmaker"]["Smarkets"]["profit_minor"] == 600
    assert [Decimal(p["clv"]) for p in performance["clv"]] == [
        Decimal("1.95") / Decimal("1.90") - 1
    ]

    report = client.get(
        f"{API}/portfolios/{portfolio}/bookmaker-accounts/report", headers=alice
    ).json()
    assert len(report) == 1
    figures = report[0]["figures"]
    assert (figures["n_bets"], figures["staked_minor"], figures["profit_minor"]) == (1, 1_000, 475)
    assert Decimal(figures["clv_mean"]) == Decimal("1.95") / Decimal("1.90") - 1
    assert report[0]["n_open"] == 0

    chain = audit.verify_chain(unit_of_work)
    assert chain.ok, chain.reason
    assert chain.checked == 4  # two placed, two settled


def test_a_recorded_bet_is_refused_after_kick_off_and_with_a_result(
    client: TestClient, unit_of_work: Callable[[], UnitOfWork]
) -> None:
    alice = _user(client, "alice@example.com")
    portfolio = _portfolio(client, alice)
    fixture = _fixture(client, alice)
    bet = {"fixture_id": fixture, "market": "1x2", "selection": "away", "price": "3.40"}
    _kick_off(unit_of_work, fixture)
    late = _record(client, alice, portfolio, **bet, stake_minor=100, bookmaker="Betfair")
    assert late.status_code == 409
    assert "kicked off" in late.json()["detail"][0]["msg"]
    _play(unit_of_work, fixture, (0, 1))
    known = _record(client, alice, portfolio, **bet, stake_minor=100, bookmaker="Betfair")
    assert known.status_code == 409
    assert "has a result, 0-1" in known.json()["detail"][0]["msg"]
    state = client.get(f"{API}/portfolios/{portfolio}", headers=alice).json()
    assert (state["bankroll_minor"], state["open_stakes_minor"]) == (10_000, 0)


@pytest.mark.parametrize(
    ("change", "status", "words"),
    [
        ({"price": "1.00"}, 422, "below the minimum decimal price"),
        ({"price": "1001"}, 422, "above the maximum decimal price"),
        ({"price": "2.12345"}, 422, "more than 4 decimal places"),
        ({"price": "two"}, 422, "decimal"),
        ({"line": "-0.5"}, 422, "1x2 takes no line"),
        ({"selection": "over"}, 422, "over is not a selection of 1x2"),
        ({"market": "asian_handicap", "line": "-0.3"}, 422, "not a multiple of 0.25"),
        ({"market": "over_under", "selection": "over", "line": "0"}, 422, "out of range"),
        ({"market": "over_under", "selection": "over"}, 422, "over_under needs a line"),
        ({"bookmaker": "AVG"}, 422, "market-wide figure"),
        ({"bookmaker": None}, 422, "name the bookmaker"),
        ({"stake_minor": 10_001}, 409, "exceeds the cash available EUR 100.00"),
        ({"placed_at": "2099-01-01T00:00:00Z"}, 422, "in the future"),
        ({"placed_at": "2020-01-01T00:00:00"}, 422, "timezone"),
        ({"bookmaker_account_id": 999}, 404, "bookmaker account 999 not found"),
        ({"fixture_id": 999_999}, 404, "fixture 999999 not found"),
    ],
)
def test_a_bad_bet_is_refused_and_moves_no_money(
    client: TestClient, change: dict[str, Any], status: int, words: str
) -> None:
    alice = _user(client, "alice@example.com")
    portfolio = _portfolio(client, alice)
    bet = {
        "fixture_id": _fixture(client, alice),
        "market": "1x2",
        "selection": "home",
        "price": "2.10",
        "stake_minor": 100,
        "bookmaker": "Betfair",
    } | change
    refused = _record(client, alice, portfolio, **{k: v for k, v in bet.items() if v is not None})
    assert refused.status_code == status, refused.text
    assert words in " ".join(d["msg"] for d in refused.json()["detail"])
    state = client.get(f"{API}/portfolios/{portfolio}", headers=alice).json()
    assert (state["bankroll_minor"], state["open_stakes_minor"]) == (10_000, 0)


def test_accounts_are_kept_limited_and_only_by_their_owner(
    client: TestClient, unit_of_work: Callable[[], UnitOfWork]
) -> None:
    alice, bob = _user(client, "alice@example.com"), _user(client, "bob@example.com")
    portfolio = _portfolio(client, alice)
    accounts = f"{API}/portfolios/{portfolio}/bookmaker-accounts"
    made = client.post(accounts, json={"name": "Pinnacle", "balance_minor": 123_450}, headers=alice)
    assert made.status_code == 201, made.text
    account = made.json()
    assert (account["currency"], account["balance"], account["max_stake"]) == (
        "EUR",
        "EUR 1,234.50",
        None,
    )
    twin = client.post(accounts, json={"name": "pinnacle", "balance_minor": 0}, headers=alice)
    assert twin.status_code == 409
    other = client.post(accounts, json={"name": "Dafabet", "balance_minor": 0}, headers=alice)
    assert other.status_code == 201
    assert other.json()["known"] is False  # no prices of Dafabet are held
    assert [a["name"] for a in client.get(accounts, headers=alice).json()] == [
        "Dafabet",
        "Pinnacle",
    ]
    one = f"{API}/bookmaker-accounts/{account['id']}"
    assert client.get(one, headers=bob).status_code == 404
    assert (
        client.get(f"{API}/portfolios/{portfolio}/bookmaker-accounts", headers=bob).status_code
        == 404
    )

    restated = client.put(
        one,
        json={"name": "Pinnacle", "balance_minor": 99_000, "max_stake_minor": 20_000},
        headers=alice,
    )
    assert restated.status_code == 200, restated.text
    assert (restated.json()["balance"], restated.json()["max_stake"]) == (
        "EUR 990.00",
        "EUR 200.00",
    )
    assert (
        client.put(one, json={"name": "Dafabet", "balance_minor": 0}, headers=alice).status_code
        == 409
    )
    assert (
        client.put(one, json={"name": "x", "balance_minor": -1}, headers=alice).status_code == 422
    )

    cut = client.post(
        f"{one}/limitations",
        json={
            "occurred_on": "2026-11-30",
            "market": "asian_handicap",
            "refused": "EUR 500 on Arsenal -0.75; offered EUR 50",
            "max_stake_minor": 5_000,
        },
        headers=alice,
    )
    assert cut.status_code == 201, cut.text
    note = client.post(
        f"{one}/limitations",
        json={"occurred_on": "2026-12-01", "refused": "price changed twice"},
        headers=alice,
    )
    assert note.status_code == 201
    future = client.post(
        f"{one}/limitations", json={"occurred_on": "2999-01-01", "refused": "x"}, headers=alice
    )
    assert future.status_code == 422
    assert (
        client.post(
            f"{one}/limitations", json={"occurred_on": "2026-12-01", "refused": "x"}, headers=bob
        ).status_code
        == 404
    )
    events = client.get(f"{one}/limitations", headers=alice).json()
    assert [(e["occurred_on"], e["market"], e["max_stake_minor"]) for e in events] == [
        ("2026-12-01", None, None),
        ("2026-11-30", "asian_handicap", 5_000),
    ]
    assert client.get(one, headers=alice).json()["max_stake"] == "EUR 50.00"  # the cut holds

    staked = _record(
        client,
        alice,
        portfolio,
        fixture_id=_fixture(client, alice),
        market="1x2",
        selection="draw",
        price="3.55",
        stake_minor=5_000,
        bookmaker="PINNACLE",  # found by name, case aside
    )
    assert staked.status_code == 201, staked.text
    assert staked.json()["bookmaker_account_id"] == account["id"]
    report = {
        r["account"]["name"]: r for r in client.get(f"{accounts}/report", headers=alice).json()
    }
    assert (report["Pinnacle"]["n_open"], report["Pinnacle"]["open_staked_minor"]) == (1, 5_000)
    assert report["Pinnacle"]["n_limitations"] == 2
    assert report["Dafabet"]["figures"]["n_bets"] == 0

    kept = client.delete(one, headers=alice)
    assert kept.status_code == 409
    assert "has 1 bet" in kept.json()["detail"][0]["msg"]
    gone = client.delete(f"{API}/bookmaker-accounts/{other.json()['id']}", headers=alice)
    assert gone.status_code == 204
    assert (
        client.get(f"{API}/bookmaker-accounts/{other.json()['id']}", headers=alice).status_code
        == 404
    )
