"""The REST gateway end to end on SQLite and PostgreSQL: sign-in, keys, isolation, bets, errors."""

from __future__ import annotations

import logging
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
from scoreline.services import settlement
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import FixtureRow
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"
KICKOFF = "2099-08-20T15:00:00Z"

UNCAPPED = {"max_stake_fraction": "1", "max_fixture_fraction": "1", "max_day_fraction": "1"}
"""Caps that never bind: these bets are about settlement and performance, not the caps."""


@pytest.fixture
def client(unit_of_work: Callable[[], UnitOfWork]) -> Iterator[TestClient]:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    # A future fixture with prices, as the live feed would bring it.
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="t"))
    summary = engine.submit(
        [
            {
                "type": "odds",
                "provider": "replay",
                "competition": "E0",
                "home_team": "Arsenal",
                "away_team": "Chelsea",
                "kickoff": KICKOFF,
                "bookmaker": "PS",
                "market": "1x2",
                "line": None,
                "prices": {"home": "2.10", "draw": "3.50", "away": "3.60"},
                "captured_at": "2099-08-19T10:00:00Z",
            }
        ]
    )
    assert summary.stored == 1
    settings = Settings(jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db")
    with TestClient(create_app(build_context(settings, unit_of_work))) as made:
        yield made


def signed_in(client: TestClient, email: str, role: str = "trader") -> dict[str, str]:
    """Create a user (through the admin) and return the headers of their session."""
    admin = login(client, "admin@example.com")
    created = client.post(
        "/api/v1/admin/users",
        json={"email": email, "password": PASSWORD, "role": role},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return login(client, email)


def login(client: TestClient, email: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    first = client.post(
        "/api/v1/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
    )
    assert first.status_code == 201, first.text
    assert first.json()["role"] == "admin"
    return login(client, "admin@example.com")


def future_snapshot(client: TestClient, headers: dict[str, str]) -> tuple[int, int]:
    page = client.get("/api/v1/fixtures", params={"status": "scheduled"}, headers=headers).json()
    fixture = next(
        f for f in page["items"] if f["home_team"] == "Arsenal" and f["away_team"] == "Chelsea"
    )
    odds = client.get(f"/api/v1/fixtures/{fixture['id']}/odds", headers=headers).json()
    return fixture["id"], odds[0]["id"]


def play(unit_of_work: Callable[[], UnitOfWork], fixture_id: int, score: tuple[int, int]) -> None:
    """The match is played: its kick-off passes, then its result comes (a result before the
    kick-off would be refused, and would not settle)."""
    with unit_of_work() as uow:
        played = datetime.now(UTC) - timedelta(hours=2)
        uow.session.execute(
            update(FixtureRow)
            .where(FixtureRow.id == fixture_id)
            .values(kickoff_utc=played, match_date=played.date())
        )
        uow.fixtures.record_result(fixture_id=fixture_id, home_goals=score[0], away_goals=score[1])
        uow.commit()


def test_sign_in_refresh_and_bootstrap_once(client: TestClient, admin: dict[str, str]) -> None:
    again = client.post(
        "/api/v1/auth/bootstrap", json={"email": "x@example.com", "password": PASSWORD}
    )
    assert again.status_code == 409
    assert again.json()["detail"][0]["type"] == "conflict"
    wrong = client.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": "nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json() == {
        "detail": [{"loc": [], "msg": "wrong email or password", "type": "unauthorized"}]
    }
    tokens = client.post(
        "/api/v1/auth/login", json={"email": "ADMIN@example.com", "password": PASSWORD}
    ).json()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.json()["email"] == "admin@example.com"
    renewed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401  # a refresh token is spent once
    assert client.get("/api/v1/me").status_code == 401


def test_login_is_rate_limited(client: TestClient, admin: dict[str, str]) -> None:
    codes = [
        client.post(
            "/api/v1/auth/login", json={"email": "admin@example.com", "password": "guess"}
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    locked = client.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429  # even the right password waits out the window
    assert int(locked.headers["Retry-After"]) > 0


def test_nobody_reads_or_changes_another_users_book(
    client: TestClient, admin: dict[str, str]
) -> None:
    alice, bob = signed_in(client, "alice@example.com"), signed_in(client, "bob@example.com")
    created = client.post("/api/v1/portfolios", json={"name": "main"}, headers=alice)
    assert created.status_code == 201, created.text
    mine = created.json()["id"]
    assert (
        client.post(
            f"/api/v1/portfolios/{mine}/deposits", json={"amount_minor": 100_000}, headers=alice
        ).json()["bankroll_minor"]
        == 100_000
    )
    _, snapshot = future_snapshot(client, alice)
    bet = client.post(
        f"/api/v1/portfolios/{mine}/bets",
        json={"odds_snapshot_id": snapshot, "selection": "home", "stake_minor": 5_000},
        headers=alice,
    )
    assert bet.status_code == 201, bet.text
    assert bet.json()["odds"] == "2.1000"
    bet_id = bet.json()["id"]
    foreign: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/api/v1/portfolios/{mine}", None),
        ("GET", f"/api/v1/portfolios/{mine}/bets", None),
        ("GET", f"/api/v1/portfolios/{mine}/performance", None),
        ("GET", f"/api/v1/portfolios/{mine}/value-bets?competition=E0", None),
        ("GET", f"/api/v1/portfolios/{mine}/value-bets", None),
        ("PUT", f"/api/v1/portfolios/{mine}/settings", {"kelly_fraction": "1"}),
        ("POST", f"/api/v1/portfolios/{mine}/deposits", {"amount_minor": -100_000}),
        (
            "POST",
            f"/api/v1/portfolios/{mine}/bets",
            {"odds_snapshot_id": snapshot, "selection": "away", "stake_minor": 1},
        ),
        ("POST", f"/api/v1/bets/{bet_id}/void", None),
    ]
    for method, path, body in foreign:
        answer = client.request(method, path, json=body, headers=bob)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["detail"][0]["type"] == "not_found"
    assert client.get("/api/v1/portfolios", headers=bob).json()["total"] == 0
    state = client.get(f"/api/v1/portfolios/{mine}", headers=alice).json()
    assert (state["bankroll_minor"], state["open_stakes_minor"]) == (95_000, 5_000)


def test_roles_and_api_keys(client: TestClient, admin: dict[str, str]) -> None:
    viewer = signed_in(client, "carol@example.com", role="viewer")
    assert client.post("/api/v1/portfolios", json={"name": "x"}, headers=viewer).status_code == 403
    assert client.get("/api/v1/admin/users", headers=viewer).status_code == 403
    assert client.get("/api/v1/competitions", headers=viewer).json()["items"][0]["code"] == "E0"
    trader = signed_in(client, "dave@example.com")
    beyond = client.post("/api/v1/keys", json={"name": "bot", "scopes": ["admin"]}, headers=trader)
    assert beyond.status_code == 403
    made = client.post("/api/v1/keys", json={"name": "bot", "scopes": ["read"]}, headers=trader)
    assert made.status_code == 201
    secret = made.json()["secret"]
    listed = client.get("/api/v1/keys", headers=trader).json()
    assert listed["total"] == 1
    assert "secret" not in listed["items"][0]
    key = {"X-API-Key": secret}
    assert client.get("/api/v1/portfolios", headers=key).status_code == 200
    assert client.post("/api/v1/portfolios", json={"name": "y"}, headers=key).status_code == 403
    other = signed_in(client, "erin@example.com")
    assert client.delete(f"/api/v1/keys/{made.json()['id']}", headers=other).status_code == 404
    assert client.delete(f"/api/v1/keys/{made.json()['id']}", headers=trader).status_code == 204
    revoked = client.get("/api/v1/portfolios", headers=key)
    assert revoked.status_code == 401
    assert client.get("/api/v1/portfolios", headers={"X-API-Key": "sl_nothing"}).status_code == 401


def test_catalog_pages_and_errors_are_json(client: TestClient, admin: dict[str, str]) -> None:
    page = client.get(
        "/api/v1/fixtures", params={"competition": "E0", "limit": 10, "offset": 5}, headers=admin
    ).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (381, 10, 5, 10)
    kickoffs = [f["kickoff"] for f in page["items"]]
    assert kickoffs == sorted(kickoffs)
    bad = client.get("/api/v1/fixtures", params={"limit": 0}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["type"] == "invalid"
    assert bad.json()["detail"][0]["loc"] == ["query", "limit"]
    missing = client.get("/api/v1/fixtures/999999", headers=admin)
    assert missing.json() == {
        "detail": [{"loc": [], "msg": "fixture 999999 not found", "type": "not_found"}]
    }
    huge = client.get(f"/api/v1/fixtures/{2**63}", headers=admin)
    assert huge.status_code == 422  # refused at the edge, never a driver overflow
    unknown = client.get("/api/v1/nothing-here", headers=admin)
    assert unknown.json()["detail"][0]["type"] == "not_found"
    naive = client.get("/api/v1/fixtures", params={"start": "2023-01-01T00:00:00"}, headers=admin)
    assert naive.status_code == 422
    answer = client.get("/health/live")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert client.get("/health/ready").json()["checks"]["database"] == "ok"
    assert "scoreline_api_requests_total" in client.get("/metrics").text


def test_a_bet_settles_and_performance_adds_up(
    client: TestClient, admin: dict[str, str], unit_of_work: Callable[[], UnitOfWork]
) -> None:
    alice = signed_in(client, "alice@example.com")
    portfolio = client.post(
        "/api/v1/portfolios", json={"name": "main", **UNCAPPED}, headers=alice
    ).json()["id"]
    client.post(
        f"/api/v1/portfolios/{portfolio}/deposits", json={"amount_minor": 10_000}, headers=alice
    )
    fixture_id, snapshot = future_snapshot(client, alice)
    for selection, stake in (("home", 1_000), ("draw", 500)):
        placed = client.post(
            f"/api/v1/portfolios/{portfolio}/bets",
            json={"odds_snapshot_id": snapshot, "selection": selection, "stake_minor": stake},
            headers=alice,
        )
        assert placed.status_code == 201, placed.text
    too_much = client.post(
        f"/api/v1/portfolios/{portfolio}/bets",
        json={"odds_snapshot_id": snapshot, "selection": "away", "stake_minor": 9_000},
        headers=alice,
    )
    assert too_much.status_code == 422  # more than the cash: refused as a hard cap
    assert "is above the cash available" in too_much.json()["detail"][0]["msg"]
    play(unit_of_work, fixture_id, (2, 0))
    assert len(settlement.settle_fixture(unit_of_work, fixture_id=fixture_id)) == 2
    bets = client.get(f"/api/v1/portfolios/{portfolio}/bets", headers=alice).json()["items"]
    assert sorted((b["selection"], b["outcome"], b["payout_minor"]) for b in bets) == [
        ("draw", "lost", 0),
        ("home", "won", 2_100),
    ]
    performance = client.get(f"/api/v1/portfolios/{portfolio}/performance", headers=alice).json()
    total = performance["summary"]
    assert (total["n_bets"], total["staked_minor"], total["profit_minor"]) == (2, 1_500, 600)
    assert performance["by_competition"]["E0"]["profit_minor"] == 600
    assert Decimal(total["yield"]) == Decimal("0.4")  # 600 on 1,500 staked
    assert Decimal(total["roi"]) == Decimal("0.06")  # 600 on the 10,000 of capital
    assert Decimal(total["bankroll_return"]) == Decimal("0.06")  # 600 on 10,000 deposited
    assert performance["clv"] == []  # no closing prices were stored for this fixture
    drawdown = [Decimal(p["drawdown"]) for p in performance["drawdown"]]
    assert len(drawdown) == len(performance["bankroll"]) == 4  # deposit, 2 bets, settlement
    assert all(0 <= d < 1 for d in drawdown)
    assert Decimal(performance["max_drawdown"]) == max(drawdown)
    state = client.get(f"/api/v1/portfolios/{portfolio}", headers=alice).json()
    assert state["bankroll_minor"] == 10_000 + 600  # deposits plus settled P&L
    assert datetime.fromisoformat(performance["bankroll"][-1]["at"]) <= datetime.now(UTC)


def test_performance_reads_roi_yield_and_money_as_a_user_does(
    client: TestClient, admin: dict[str, str], unit_of_work: Callable[[], UnitOfWork]
) -> None:
    alice = signed_in(client, "roi@example.com")
    portfolio = client.post(
        "/api/v1/portfolios", json={"name": "roi", **UNCAPPED}, headers=alice
    ).json()["id"]
    url = f"/api/v1/portfolios/{portfolio}"
    client.post(f"{url}/deposits", json={"amount_minor": 10_000}, headers=alice)
    fixture_id, snapshot = future_snapshot(client, alice)
    for selection, stake in (("home", 1_000), ("draw", 500)):  # at 2.10 and 3.50
        client.post(
            f"{url}/bets",
            json={"odds_snapshot_id": snapshot, "selection": selection, "stake_minor": stake},
            headers=alice,
        )
    play(unit_of_work, fixture_id, (2, 0))
    settlement.settle_fixture(unit_of_work, fixture_id=fixture_id)
    before = client.get(f"{url}/performance", headers=alice).json()
    # 1,234.50 paid in after the bets: capital, not a return.
    client.post(f"{url}/deposits", json={"amount_minor": 123_450}, headers=alice)
    after = client.get(f"{url}/performance", headers=alice).json()
    figures = after["summary"]
    assert Decimal(figures["yield"]) == Decimal("0.4")  # 600 profit on 1,500 staked
    assert Decimal(figures["roi"]) == Decimal("0.06")  # 10,000 grew to 10,600; then a deposit
    assert Decimal(figures["bankroll_return"]) == Decimal(600) / Decimal(133_450)
    # The deposit is one more point at its own time; every point before it is as it was.
    assert after["bankroll"][:-1] == before["bankroll"]
    assert after["bankroll"][-1]["bankroll_minor"] == after["bankroll"][-1]["equity_minor"]
    assert after["bankroll"][-1]["bankroll_minor"] == 10_600 + 123_450
    cash = [(p["bankroll_minor"], p["equity_minor"]) for p in after["bankroll"]]
    assert cash == [
        (10_000, 10_000),
        (9_000, 10_000),
        (8_500, 10_000),
        (10_600, 10_600),
        (134_050, 134_050),
    ]
    assert Decimal(after["max_drawdown"]) == max(Decimal(p["drawdown"]) for p in after["drawdown"])
    assert figures["clv_ci95"] is None  # no closing prices
    assert (figures["n_with_edge"], figures["expected_profit_minor"]) == (0, 0)  # no model
    refused = client.post(f"{url}/deposits", json={"amount_minor": -99_999_900}, headers=alice)
    assert refused.status_code == 409
    assert refused.json()["detail"][0]["msg"] == (
        "cannot withdraw EUR 999,999.00: the cash available is EUR 1,340.50"
        " (open stakes stay in their bets until they settle)"
    )


def test_no_secret_reaches_the_logs(
    client: TestClient, admin: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Every credential the gateway handles, sent right and wrong, with every logger at DEBUG."""
    caplog.set_level(logging.DEBUG)
    secrets: list[str] = [PASSWORD, "a wrong passphrase to keep out", admin["Authorization"][7:]]
    for password in (PASSWORD, secrets[1]):
        client.post("/api/v1/auth/login", json={"email": "admin@example.com", "password": password})
    tokens = client.post(
        "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
    ).json()
    secrets += [tokens["access_token"], tokens["refresh_token"]]
    renewed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    secrets += [renewed.json()["access_token"], renewed.json()["refresh_token"]]
    client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})  # reused
    made = client.post("/api/v1/keys", json={"name": "bot"}, headers=admin).json()
    secrets.append(made["secret"])
    assert client.get("/api/v1/me", headers={"X-API-Key": made["secret"]}).status_code == 200
    forged = made["secret"][:-4] + "AAAA" if not made["secret"].endswith("AAAA") else "sl_x"
    assert client.get("/api/v1/me", headers={"X-API-Key": forged}).status_code == 401
    created = client.post(
        "/api/v1/admin/users",
        json={"email": "frank@example.com", "password": "frank's own passphrase", "role": "viewer"},
        headers=admin,
    )
    assert created.status_code == 201
    secrets.append("frank's own passphrase")
    session = client.post(
        "/api/v1/auth/session", json={"email": "admin@example.com", "password": PASSWORD}
    )
    assert session.status_code == 200
    secrets += [value for value in session.cookies.values() if value]
    client.post("/api/v1/auth/logout", json={"refresh_token": renewed.json()["refresh_token"]})
    assert caplog.records, "nothing was logged at DEBUG: the check would be empty"
    logged = "\n".join(
        f"{rec.getMessage()} {rec.args!r} {rec.exc_text or ''}" for rec in caplog.records
    )
    leaked = [secret[:12] + "…" for secret in secrets if secret in logged]
    assert leaked == [], f"secrets in the logs: {leaked}"
