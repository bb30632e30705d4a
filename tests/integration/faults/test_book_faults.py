"""Issue 17, the book under a late click and a racing settlement, on SQLite and PostgreSQL.

What a clumsy or hostile client tried, replayed over real connections: a void
after kick-off, a bet on a fixture that has started or has a result, a bet at a
superseded price, at the market-wide MAX row and at a price older than the
freshness window; and voids, placements and settlements racing on the same
portfolio and the same bets, from threads and from two processes. Each answer
is JSON, nothing deadlocks, every bet ends voided or settled exactly once, the
bankroll equals the ledger, and the audit chain verifies.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, func, select, update

from conftest import ROOT, SAMPLE_DATA
from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.domain import Selection
from scoreline.errors import ConflictError, StorageContentionError
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services import bets, lock_order, portfolios, settlement
from scoreline.services.audit import verify_chain
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import make_engine, unit_of_work_factory
from scoreline.storage.tables import (
    AuditSnapshotRow,
    BetRow,
    Bookmaker,
    FixtureRow,
    LedgerEntryRow,
    OddsRow,
    UserRow,
)
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"
SEASON = SAMPLE_DATA / "E0" / "2022-2023.csv"
DEPOSIT = 1_000_000
NOW = datetime.now(UTC).replace(microsecond=0)
"""The session's clock at import: ticks are stamped relative to it."""


def _iso(moment: datetime) -> str:
    """How a feed and the book write an instant (worked out here, not by the code under test)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _tick(
    home: str,
    away: str,
    kickoff: datetime,
    prices: tuple[str, str, str],
    *,
    captured_at: datetime,
    bookmaker: str = "PS",
) -> dict[str, Any]:
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": home,
        "away_team": away,
        "kickoff": _iso(kickoff),
        "bookmaker": bookmaker,
        "market": "1x2",
        "line": None,
        "prices": dict(zip(("home", "draw", "away"), prices, strict=True)),
        "captured_at": _iso(captured_at),
    }


@dataclass
class Book:
    """A loaded database, a feed into it, and (for the API tests) a signed-in trader."""

    unit_of_work: Callable[[], UnitOfWork]
    feed: IngestionEngine

    def price(self, *ticks: dict[str, Any]) -> None:
        """Ticks as the feed sends them; each must be stored."""
        summary = self.feed.submit(list(ticks))
        assert summary.stored == len(ticks), summary

    def fixture_id(self, home: str, away: str) -> int:
        with self.unit_of_work() as uow:
            found = uow.session.scalar(
                select(FixtureRow.id)
                .join(OddsRow, OddsRow.fixture_id == FixtureRow.id)
                .where(FixtureRow.kickoff_utc > datetime(2024, 1, 1, tzinfo=UTC))
                .where(FixtureRow.home_team_id == _team_id(uow, home))
                .where(FixtureRow.away_team_id == _team_id(uow, away))
            )
        assert found is not None
        return int(found)

    def snapshots(self, fixture_id: int, bookmaker: str = "PS") -> list[int]:
        """The fixture's snapshots of ``bookmaker`` in capture order."""
        with self.unit_of_work() as uow:
            return list(
                uow.session.scalars(
                    select(OddsRow.id)
                    .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
                    .where(OddsRow.fixture_id == fixture_id, Bookmaker.code == bookmaker)
                    .order_by(OddsRow.captured_at, OddsRow.id)
                )
            )

    def kick_off(self, fixture_id: int, at: datetime) -> None:
        """Time passes: the fixture's kick-off is now ``at``."""
        with self.unit_of_work() as uow:
            uow.session.execute(
                update(FixtureRow).where(FixtureRow.id == fixture_id).values(kickoff_utc=at)
            )
            uow.commit()

    def record_result(self, fixture_id: int, home_goals: int, away_goals: int) -> None:
        with self.unit_of_work() as uow:
            uow.fixtures.record_result(
                fixture_id=fixture_id, home_goals=home_goals, away_goals=away_goals
            )
            uow.commit()


def _team_id(uow: UnitOfWork, name: str) -> int:
    from scoreline.storage.tables import TeamRow  # noqa: PLC0415

    found = uow.session.scalar(select(TeamRow.id).where(TeamRow.name == name))
    assert found is not None, name
    return int(found)


def _book(unit_of_work: Callable[[], UnitOfWork]) -> Book:
    ingest_football_data(unit_of_work, [SEASON])
    feed = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="faults"))
    return Book(unit_of_work, feed)


@pytest.fixture
def book(unit_of_work: Callable[[], UnitOfWork]) -> Book:
    return _book(unit_of_work)


# -- through the API -----------------------------------------------------------------------


@dataclass
class Trader:
    client: TestClient
    headers: dict[str, str]
    portfolio_id: int

    def place(self, snapshot_id: int, selection: str = "home", stake: int = 5_000) -> Any:
        return self.client.post(
            f"/api/v1/portfolios/{self.portfolio_id}/bets",
            json={"odds_snapshot_id": snapshot_id, "selection": selection, "stake_minor": stake},
            headers=self.headers,
        )

    def void(self, bet_id: int) -> Any:
        return self.client.post(f"/api/v1/bets/{bet_id}/void", headers=self.headers)

    def bankroll(self) -> int:
        answer = self.client.get(f"/api/v1/portfolios/{self.portfolio_id}", headers=self.headers)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["bankroll_minor"])


def _trader(client: TestClient) -> Trader:
    admin = {"email": "admin@example.com", "password": PASSWORD}
    assert client.post("/api/v1/auth/bootstrap", json=admin).status_code == 201
    as_admin = _login(client, admin["email"])
    trader = {"email": "trader@example.com", "password": PASSWORD, "role": "trader"}
    assert client.post("/api/v1/admin/users", json=trader, headers=as_admin).status_code == 201
    headers = _login(client, trader["email"])
    made = client.post("/api/v1/portfolios", json={"name": "main"}, headers=headers)
    assert made.status_code == 201, made.text
    portfolio_id = made.json()["id"]
    deposit = client.post(
        f"/api/v1/portfolios/{portfolio_id}/deposits",
        json={"amount_minor": DEPOSIT},
        headers=headers,
    )
    assert deposit.status_code == 200, deposit.text
    return Trader(client, headers, portfolio_id)


def _login(client: TestClient, email: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _settings(**changes: Any) -> Settings:
    return Settings(jwt_secret=SecretStr("f" * 48), database_url="sqlite:///unused.db", **changes)


@pytest.fixture
def trader(book: Book) -> Iterator[Trader]:
    app = create_app(build_context(_settings(), book.unit_of_work))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield _trader(client)


def _refused(answer: Any, status: int, kind: str) -> str:
    """The message of a JSON error of ``status`` and ``type``."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    (detail,) = answer.json()["detail"]
    assert detail["type"] == kind, detail
    return str(detail["msg"])


def _open_bets(book: Book) -> list[tuple[int, str]]:
    with book.unit_of_work() as uow:
        return [(r.id, r.status) for r in uow.session.scalars(select(BetRow).order_by(BetRow.id))]


def test_a_void_after_kick_off_is_refused_naming_it_and_refunds_nothing(
    book: Book, trader: Trader
) -> None:
    kickoff = NOW + timedelta(days=2)
    book.price(
        _tick("Arsenal", "Chelsea", kickoff, ("2.10", "3.50", "3.60"), captured_at=NOW),
        _tick("Liverpool", "Everton", kickoff, ("1.80", "3.80", "4.50"), captured_at=NOW),
    )
    late, early = book.fixture_id("Arsenal", "Chelsea"), book.fixture_id("Liverpool", "Everton")
    late_bet = trader.place(book.snapshots(late)[0]).json()["id"]
    early_bet = trader.place(book.snapshots(early)[0], stake=2_000).json()["id"]
    assert trader.bankroll() == DEPOSIT - 7_000
    # Before kick-off a void refunds; a minute after it, the same click is refused.
    assert trader.void(early_bet).status_code == 204
    started = NOW - timedelta(minutes=1)
    book.kick_off(late, started)
    message = _refused(trader.void(late_bet), 409, "conflict")
    assert f"kicked off at {_iso(started)}" in message, message
    assert f"bet {late_bet}" in message
    assert trader.bankroll() == DEPOSIT - 5_000
    assert _open_bets(book) == [(late_bet, "open"), (early_bet, "void")]
    with book.unit_of_work() as uow:
        refunds = uow.session.scalars(
            select(LedgerEntryRow.bet_id).where(LedgerEntryRow.kind == "refund")
        ).all()
    assert refunds == [early_bet]
    assert verify_chain(book.unit_of_work).checked == 3


def test_no_bet_on_a_fixture_that_has_started_or_has_a_result(book: Book, trader: Trader) -> None:
    kickoff = NOW + timedelta(days=2)
    book.price(
        _tick("Arsenal", "Chelsea", kickoff, ("2.10", "3.50", "3.60"), captured_at=NOW),
        _tick("Brighton", "Fulham", kickoff, ("1.90", "3.60", "4.20"), captured_at=NOW),
    )
    started, resulted = book.fixture_id("Arsenal", "Chelsea"), book.fixture_id("Brighton", "Fulham")
    kicked_off_at = NOW - timedelta(seconds=30)
    book.kick_off(started, kicked_off_at)
    # A result for a match two days ahead, as a bad upload once stored it.
    book.record_result(resulted, 2, 0)
    message = _refused(trader.place(book.snapshots(started)[0]), 409, "conflict")
    assert f"fixture {started} (Arsenal v Chelsea) kicked off at {_iso(kicked_off_at)}" in message
    message = _refused(trader.place(book.snapshots(resulted)[0], stake=10_000), 409, "conflict")
    assert f"fixture {resulted} (Brighton v Fulham) has a result, 2-0" in message
    assert trader.bankroll() == DEPOSIT
    assert _open_bets(book) == []


def test_a_superseded_price_is_refused_naming_the_current_one(book: Book, trader: Trader) -> None:
    kickoff = NOW + timedelta(days=2)
    book.price(
        _tick(
            "Arsenal",
            "Chelsea",
            kickoff,
            ("2.10", "3.50", "3.60"),
            captured_at=NOW - timedelta(minutes=10),
        )
    )
    book.price(
        _tick(
            "Arsenal",
            "Chelsea",
            kickoff,
            ("2.05", "3.50", "3.70"),
            captured_at=NOW - timedelta(minutes=5),
        )
    )
    fixture = book.fixture_id("Arsenal", "Chelsea")
    was, current = book.snapshots(fixture)
    message = _refused(trader.place(was), 409, "conflict")
    assert f"snapshot {was} (PS home 2.1000) is no longer the price" in message, message
    assert f"the current one is 2.0500, snapshot {current}" in message
    assert trader.bankroll() == DEPOSIT
    # The client retries at the snapshot the refusal named.
    placed = trader.place(current)
    assert placed.status_code == 201, placed.text
    assert placed.json()["odds"] == "2.0500"
    assert trader.bankroll() == DEPOSIT - 5_000


def test_the_market_maximum_row_is_not_a_price_anyone_offers(book: Book, trader: Trader) -> None:
    kickoff = NOW + timedelta(days=2)
    book.price(
        _tick("Arsenal", "Chelsea", kickoff, ("2.10", "3.50", "3.60"), captured_at=NOW),
        _tick(
            "Arsenal",
            "Chelsea",
            kickoff,
            ("2.30", "3.75", "3.95"),
            captured_at=NOW,
            bookmaker="MAX",
        ),
    )
    fixture = book.fixture_id("Arsenal", "Chelsea")
    (maximum,) = book.snapshots(fixture, "MAX")
    message = _refused(trader.place(maximum), 422, "invalid")
    assert f"snapshot {maximum} is the market-wide MAX figure" in message, message
    assert trader.bankroll() == DEPOSIT
    assert _open_bets(book) == []


def test_a_price_older_than_the_freshness_window_is_refused_even_when_latest(
    book: Book, trader: Trader
) -> None:
    kickoff = NOW + timedelta(days=2)
    captured = NOW - timedelta(hours=25)
    book.price(_tick("Arsenal", "Chelsea", kickoff, ("2.10", "3.50", "3.60"), captured_at=captured))
    fixture = book.fixture_id("Arsenal", "Chelsea")
    (stale,) = book.snapshots(fixture)
    message = _refused(trader.place(stale), 409, "conflict")
    assert f"(snapshot {stale}) was captured at {_iso(captured)}, more than 24 hours ago" in message
    # A fresh price arrives: the bet goes through at it.
    book.price(_tick("Arsenal", "Chelsea", kickoff, ("2.12", "3.50", "3.55"), captured_at=NOW))
    fresh = book.snapshots(fixture)[-1]
    assert trader.place(fresh).status_code == 201
    assert trader.bankroll() == DEPOSIT - 5_000


def test_the_freshness_window_is_a_setting(book: Book) -> None:
    kickoff = NOW + timedelta(days=2)
    book.price(
        _tick(
            "Arsenal",
            "Chelsea",
            kickoff,
            ("2.10", "3.50", "3.60"),
            captured_at=NOW - timedelta(hours=2),
        ),
        _tick(
            "Liverpool",
            "Everton",
            kickoff,
            ("1.80", "3.80", "4.50"),
            captured_at=NOW - timedelta(minutes=20),
        ),
    )
    app = create_app(build_context(_settings(bet_price_max_age_seconds=3_600), book.unit_of_work))
    with TestClient(app, raise_server_exceptions=False) as client:
        trader = _trader(client)
        two_hours = book.snapshots(book.fixture_id("Arsenal", "Chelsea"))[0]
        assert "more than 1 hour ago" in _refused(trader.place(two_hours), 409, "conflict")
        twenty_minutes = book.snapshots(book.fixture_id("Liverpool", "Everton"))[0]
        assert trader.place(twenty_minutes).status_code == 201


def test_a_lock_race_lost_on_every_run_answers_503_json_after_bounded_retries(
    book: Book, trader: Trader, monkeypatch: pytest.MonkeyPatch
) -> None:
    kickoff = NOW + timedelta(days=2)
    book.price(_tick("Arsenal", "Chelsea", kickoff, ("2.10", "3.50", "3.60"), captured_at=NOW))
    bet_id = trader.place(book.snapshots(book.fixture_id("Arsenal", "Chelsea"))[0]).json()["id"]
    runs: list[int] = []

    def deadlocked(*_: Any, **__: Any) -> None:
        runs.append(1)
        raise StorageContentionError("the database rolled the transaction back: deadlock")

    monkeypatch.setattr(bets, "_void", deadlocked)
    monkeypatch.setattr(lock_order, "_PAUSE_S", 0.001)
    answer = trader.void(bet_id)
    assert "deadlock" in _refused(answer, 503, "unavailable")
    assert answer.headers["retry-after"] == "1"
    assert len(runs) == lock_order.ATTEMPTS
    assert trader.bankroll() == DEPOSIT - 5_000


# -- races ---------------------------------------------------------------------------------

PAIRS = [
    ("Arsenal", "Chelsea"),
    ("Liverpool", "Everton"),
    ("Brighton", "Fulham"),
    ("Man City", "Man United"),
    ("Tottenham", "Newcastle"),
    ("Aston Villa", "Brentford"),
    ("Crystal Palace", "Leeds"),
    ("Leicester", "Southampton"),
    ("West Ham", "Wolves"),
    ("Bournemouth", "Nott'm Forest"),
]
BETS_PER_ROUND = 12
STAKE = 1_000


@dataclass
class Race:
    """One portfolio with open bets on fixtures that kicked off ten minutes ago (placed and
    voided at an injected "just before kick-off"), each fixture with its result in."""

    book: Book
    owner_id: int
    portfolio_id: int
    kickoff: datetime
    rounds: list[tuple[int, list[int]]]  # fixture id, its open bet ids


def _race(book: Book, rounds: int) -> Race:
    with book.unit_of_work() as uow:
        owner = UserRow(
            email="racer@example.com",
            password_hash="x",
            role="trader",
            is_active=True,
            created_at=NOW,
        )
        uow.session.add(owner)
        uow.session.flush()
        owner_id = owner.id
        uow.commit()
    portfolio_id = portfolios.create(book.unit_of_work, owner_id=owner_id, name="race")
    portfolios.deposit(
        book.unit_of_work, owner_id=owner_id, portfolio_id=portfolio_id, amount_minor=DEPOSIT
    )
    kickoff = NOW - timedelta(minutes=10)
    made: list[tuple[int, list[int]]] = []
    for home, away in PAIRS[:rounds]:
        book.price(
            _tick(
                home,
                away,
                kickoff,
                ("2.00", "3.40", "3.90"),
                captured_at=kickoff - timedelta(hours=2),
            )
        )
        fixture = book.fixture_id(home, away)
        (snapshot,) = book.snapshots(fixture)
        sides = [Selection.HOME, Selection.DRAW, Selection.AWAY]
        placed = [
            bets.place(
                book.unit_of_work,
                owner_id=owner_id,
                portfolio_id=portfolio_id,
                odds_snapshot_id=snapshot,
                selection=sides[i % 3],
                stake_minor=STAKE,
                now=kickoff - timedelta(hours=1),
            )
            for i in range(BETS_PER_ROUND)
        ]
        book.record_result(fixture, 2, 1)
        made.append((fixture, placed))
    return Race(book, owner_id, portfolio_id, kickoff, made)


def _void_all(
    race: Race, bet_ids: list[int], errors: list[BaseException], now: datetime | None = None
) -> None:
    """Late clicks: voids stamped a second before kick-off (unless ``now`` says otherwise),
    landing while settlement runs."""
    for bet_id in bet_ids:
        try:
            bets.void(
                race.book.unit_of_work,
                owner_id=race.owner_id,
                bet_id=bet_id,
                reason="race",
                now=now or race.kickoff - timedelta(seconds=1),
            )
        except ConflictError:
            pass  # settled first: the one answer allowed besides success
        except BaseException as error:
            errors.append(error)


def _place_ahead(race: Race, snapshot_id: int, errors: list[BaseException]) -> None:
    """Bets on a match days ahead, from the same portfolio, while settlement pays into it."""
    for _ in range(4):
        try:
            bets.place(
                race.book.unit_of_work,
                owner_id=race.owner_id,
                portfolio_id=race.portfolio_id,
                odds_snapshot_id=snapshot_id,
                selection=Selection.HOME,
                stake_minor=STAKE,
            )
        except BaseException as error:
            errors.append(error)


def _settle(race: Race, fixture_id: int, errors: list[BaseException]) -> None:
    try:
        settlement.settle_fixture(race.book.unit_of_work, fixture_id=fixture_id)
    except BaseException as error:
        errors.append(error)


def _together(*works: Callable[[], None]) -> None:
    """Run ``works`` on threads released at once; fail if one is still stuck after a minute."""
    start = threading.Barrier(len(works))

    def run(work: Callable[[], None]) -> None:
        start.wait()
        work()

    threads = [threading.Thread(target=run, args=(work,)) for work in works]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a racer is stuck: a deadlock nobody broke"


def _assert_each_bet_closed_once_and_the_money_adds_up(race: Race) -> dict[str, int]:
    """Every bet voided or settled exactly once; bankroll = ledger = what the bets say; the
    audit chain verifies. How many bets ended each way."""
    with race.book.unit_of_work() as uow:
        rows = uow.session.execute(
            select(BetRow.id, BetRow.status, BetRow.stake_minor, BetRow.payout_minor).order_by(
                BetRow.id
            )
        ).all()
        ledger = uow.session.execute(
            select(LedgerEntryRow.bet_id, LedgerEntryRow.kind, LedgerEntryRow.amount_minor)
        ).all()
        links = uow.session.execute(select(AuditSnapshotRow.bet_id, AuditSnapshotRow.kind)).all()
        balance = uow.ledger.balance(portfolio_id=race.portfolio_id)
        ledger_sum = uow.session.scalar(
            select(func.sum(LedgerEntryRow.amount_minor)).where(
                LedgerEntryRow.portfolio_id == race.portfolio_id
            )
        )
    ended = {"void": 0, "settled": 0}
    expected = DEPOSIT
    for bet in rows:
        assert bet.status in ended, (bet.id, bet.status)
        ended[bet.status] += 1
        closing = [kind for bet_id, kind in links if bet_id == bet.id and kind != "placed"]
        moves = sorted((kind, amount) for bet_id, kind, amount in ledger if bet_id == bet.id)
        expected -= bet.stake_minor
        if bet.status == "void":
            assert closing == ["voided"], (bet.id, closing)
            assert moves == [("refund", bet.stake_minor), ("stake", -bet.stake_minor)]
            expected += bet.stake_minor
        else:
            assert closing == ["settled"], (bet.id, closing)
            payout = bet.payout_minor or 0
            assert moves == sorted(
                [("stake", -bet.stake_minor)] + ([("payout", payout)] if payout else [])
            ), (bet.id, moves)
            expected += payout
    assert balance == ledger_sum == expected
    assert balance >= 0
    report = verify_chain(race.book.unit_of_work)
    assert report.ok, report
    assert report.checked == 2 * len(rows)
    return ended


def test_voids_and_settlements_racing_from_threads_close_each_bet_once(
    book: Book, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    rounds = 8 if engine.dialect.name == "postgresql" else 4
    race = _race(book, rounds)
    ahead = NOW + timedelta(days=2)
    book.price(_tick("Leeds", "Arsenal", ahead, ("2.40", "3.30", "3.00"), captured_at=NOW))
    (snapshot_ahead,) = book.snapshots(book.fixture_id("Leeds", "Arsenal"))
    errors: list[BaseException] = []
    with caplog.at_level(logging.WARNING, logger=lock_order.__name__):
        for fixture_id, bet_ids in race.rounds:
            # Two voiders from opposite ends of the fixture's bets, against settlement,
            # which takes them in id order, while the same portfolio bets on another match.
            half = len(bet_ids) // 2
            _together(
                partial(_void_all, race, bet_ids[half:][::-1], errors),
                partial(_void_all, race, bet_ids[:half], errors),
                partial(_settle, race, fixture_id, errors),
                partial(_place_ahead, race, snapshot_ahead, errors),
            )
        with book.unit_of_work() as uow:  # the match ahead has not kicked off: void its bets
            ahead_ids = uow.session.scalars(
                select(BetRow.id).where(BetRow.odds_snapshot_id == snapshot_ahead)
            ).all()
        assert len(ahead_ids) == 4 * rounds
        _void_all(race, list(ahead_ids), errors, now=NOW)
    assert errors == []
    # The order of locks, not the retry, keeps them apart: no transaction was rolled back.
    assert [r.getMessage() for r in caplog.records] == []
    ended = _assert_each_bet_closed_once_and_the_money_adds_up(race)
    assert ended["void"] + ended["settled"] == rounds * (BETS_PER_ROUND + 4)
    assert ended["settled"] > 0


_VOIDER = """
import json, sys
from datetime import datetime
from scoreline.errors import ConflictError
from scoreline.services import bets
from scoreline.storage.db import make_engine, unit_of_work_factory

job = json.loads(sys.argv[1])
unit_of_work = unit_of_work_factory(make_engine(job["url"]))
now = datetime.fromisoformat(job["now"])
with unit_of_work() as uow:  # connected and warm before the start
    uow.bets.get(bet_id=job["bets"][0], owner_id=job["owner"])
print("ready", flush=True)
sys.stdin.readline()
outcomes = []
for bet_id in job["bets"]:
    try:
        bets.void(unit_of_work, owner_id=job["owner"], bet_id=bet_id, reason="race", now=now)
        outcomes.append("voided")
    except ConflictError:
        outcomes.append("conflict")
print(json.dumps(outcomes))
"""

_SETTLER = """
import json, sys, time
from scoreline.services import settlement
from scoreline.storage.db import make_engine, unit_of_work_factory

job = json.loads(sys.argv[1])
unit_of_work = unit_of_work_factory(make_engine(job["url"]))
with unit_of_work() as uow:  # connected and warm before the start
    uow.fixtures.get(job["fixtures"][0])
print("ready", flush=True)
sys.stdin.readline()
settled = []
for fixture_id in job["fixtures"]:
    time.sleep(job["pause_s"])  # the voider's clicks land before, during and after each
    settled.append(settlement.settle_fixture(unit_of_work, fixture_id=fixture_id))
print(json.dumps(settled))
"""


@pytest.mark.postgres
def test_voids_and_settlements_racing_from_two_processes_close_each_bet_once(
    postgres_url: str,
) -> None:
    from conftest import _truncate_all  # noqa: PLC0415

    engine = make_engine(postgres_url)
    try:
        _truncate_all(engine)
        _race_two_processes(postgres_url, _race(_book(unit_of_work_factory(engine)), 6))
    finally:
        engine.dispose()


def _race_two_processes(postgres_url: str, race: Race) -> None:
    """A voider and a settler, each a process of its own, on the same bets."""
    fixtures = [fixture for fixture, _ in race.rounds]
    # Each fixture's last bet first, across every fixture: the voider meets the settler
    # on every fixture, not only where their paths cross.
    voids = [ids[i] for i in reversed(range(BETS_PER_ROUND)) for _, ids in reversed(race.rounds)]
    jobs = [
        (
            _VOIDER,
            {
                "url": postgres_url,
                "owner": race.owner_id,
                "bets": voids,
                "now": (race.kickoff - timedelta(seconds=1)).isoformat(),
            },
        ),
        (_SETTLER, {"url": postgres_url, "fixtures": fixtures, "pause_s": 0.05}),
    ]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, json.dumps(job)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for script, job in jobs
    ]
    for process in processes:  # both loaded and connected: then both go at once
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    outputs = [process.communicate(timeout=120) for process in processes]
    for process, (_, err) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, err
        assert "rolled back" not in err, err  # no retry was needed either
    voided = json.loads(outputs[0][0])
    settled = [bet for ids in json.loads(outputs[1][0]) for bet in ids]
    ended = _assert_each_bet_closed_once_and_the_money_adds_up(race)
    assert ended == {"void": voided.count("voided"), "settled": len(settled)}
    assert voided.count("conflict") == len(settled)
