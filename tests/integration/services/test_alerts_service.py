"""Alerts below the API on SQLite and PostgreSQL: value bets against each trader's threshold,
line moves on followed fixtures from the price last heard of, never against the clock.

Expected edges and moves are worked out here from the seeded prices and probabilities.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.domain.alerts import AlertKind, AlertRules
from scoreline.errors import DataError, NotFoundError
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pricing.fair import FairRule
from scoreline.services import alerts
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import FixtureRow, OddsRow, PredictionRow, UserRow
from scoreline.storage.unit_of_work import UnitOfWork
from seeding import add_model_version

KICKOFF = datetime(2099, 8, 20, 15, tzinfo=UTC)
BEFORE = datetime(2099, 8, 19, 13, tzinfo=UTC)  # after the seeded ticks, before kick-off
MATCH = ("Arsenal", "Chelsea")


def tick(
    bookmaker: str, market: str, prices: dict[str, str], *, at: str, line: str | None = None
) -> dict[str, Any]:
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": MATCH[0],
        "away_team": MATCH[1],
        "kickoff": KICKOFF.isoformat(),
        "bookmaker": bookmaker,
        "market": market,
        "line": line,
        "prices": prices,
        "captured_at": at,
        "kind": "prematch",
    }


@dataclass
class Book:
    unit_of_work: Callable[[], UnitOfWork]
    engine: IngestionEngine
    fixture: int
    users: dict[str, int]

    def send(self, *ticks: dict[str, Any]) -> list[int]:
        """Store ticks as the ingestion engine does; their snapshot ids."""
        assert self.engine.submit(list(ticks)).stored == len(ticks)
        with self.unit_of_work() as uow:
            ids = uow.session.scalars(select(OddsRow.id).order_by(OddsRow.id.desc())).all()
        return sorted(ids[: len(ticks)])


@pytest.fixture
def book(unit_of_work: Callable[[], UnitOfWork]) -> Book:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="alerts"))
    at = "2099-08-19T10:00:00Z"
    seeded = engine.submit(
        [
            tick("PS", "1x2", {"home": "2.00", "draw": "3.60", "away": "3.90"}, at=at),
            tick("B365", "1x2", {"home": "2.05", "draw": "3.40", "away": "3.70"}, at=at),
            tick("MAX", "1x2", {"home": "2.50", "draw": "4.00", "away": "4.50"}, at=at),
            tick("PS", "over_under", {"over": "1.95", "under": "1.95"}, at=at, line="2.5"),
        ]
    )
    assert seeded.stored == 4
    with unit_of_work() as uow:
        fixture = uow.session.scalar(select(FixtureRow.id).where(FixtureRow.kickoff_utc == KICKOFF))
        assert fixture is not None
        version_id = add_model_version(uow, "20990101T000000000000Z-000000000001", active=True)
        uow.session.add(
            PredictionRow(
                fixture_id=fixture,
                model_version_id=version_id,
                trigger="test",
                created_at=datetime.now(UTC),
                home_goals_expectation=1.6,
                away_goals_expectation=1.1,
                rho=-0.05,
                p_home=0.55,
                p_draw=0.25,
                p_away=0.20,
                markets={"over_under": {"2.5": [0.52, 0.48]}},
            )
        )
        users = {}
        for name in ("ann", "bob", "cat"):
            row = UserRow(
                email=f"{name}@example.com",
                password_hash="x",
                role="trader",
                is_active=True,
                created_at=datetime.now(UTC),
            )
            uow.session.add(row)
            uow.session.flush()
            users[name] = row.id
        uow.commit()
    return Book(unit_of_work, engine, fixture, users)


def told(book: Book, user: str) -> list[Any]:
    views, _, _ = alerts.list_(
        book.unit_of_work, user_id=book.users[user], unread_only=False, limit=100, offset=0
    )
    return [view.alert for view in views]


def test_new_value_bets_are_told_once_to_each_trader_whose_threshold_they_clear(
    book: Book,
) -> None:
    alerts.set_rules(
        book.unit_of_work, user_id=book.users["ann"], chosen=AlertRules(Decimal("0.05"))
    )
    alerts.set_rules(
        book.unit_of_work, user_id=book.users["bob"], chosen=AlertRules(Decimal("0.20"))
    )
    # cat set nothing: every alert off.
    new = alerts.value_bets(
        book.unit_of_work, fixture_ids=[book.fixture], fair_rule=FairRule(), now=BEFORE
    )
    # Home: best real price B365 2.05 (MAX's 2.50 is no bookmaker): 0.55 * 2.05 - 1 = 0.1275.
    # Draw 0.25 * 3.60 - 1 < 0, away 0.20 * 3.90 - 1 < 0, over 0.52 * 1.95 - 1 = 0.014 < 0.05.
    assert len(new) == 1
    (alert,) = told(book, "ann")
    assert (alert.kind, alert.market, alert.selection, alert.bookmaker) == (
        AlertKind.VALUE_BET, "1x2", "home", "B365",
    )  # fmt: skip
    assert (alert.price, alert.edge) == (Decimal("2.0500"), Decimal("0.1275"))
    assert told(book, "bob") == []
    assert told(book, "cat") == []
    views, total, unread = alerts.list_(
        book.unit_of_work, user_id=book.users["ann"], unread_only=True, limit=10, offset=0
    )
    assert (total, unread) == (1, 1)
    assert views[0].title == "Value bet: Arsenal"
    assert views[0].message == "Arsenal v Chelsea: Arsenal at 2.05 (B365), edge +12.8%"
    # The same prediction again (a redelivery, another tick): nothing new.
    again = alerts.value_bets(
        book.unit_of_work, fixture_ids=[book.fixture], fair_rule=FairRule(), now=BEFORE
    )
    assert again == []
    assert len(told(book, "ann")) == 1


def test_value_bets_are_never_told_against_the_clock(book: Book) -> None:
    alerts.set_rules(
        book.unit_of_work, user_id=book.users["ann"], chosen=AlertRules(Decimal("0.05"))
    )
    after_kickoff = KICKOFF + timedelta(minutes=1)
    stale = datetime(2099, 8, 20, 10, 1, tzinfo=UTC)  # 24 h 1 min after the prices, pre-match
    for now in (after_kickoff, stale):
        found = alerts.value_bets(
            book.unit_of_work, fixture_ids=[book.fixture], fair_rule=FairRule(), now=now
        )
        assert found == []
    assert told(book, "ann") == []


def test_line_moves_are_measured_from_the_price_last_heard_of(book: Book) -> None:
    ann, bob = book.users["ann"], book.users["bob"]
    alerts.set_rules(
        book.unit_of_work, user_id=ann, chosen=AlertRules(line_move_min=Decimal("0.05"))
    )
    alerts.set_rules(
        book.unit_of_work, user_id=bob, chosen=AlertRules(line_move_min=Decimal("0.05"))
    )
    alerts.follow(book.unit_of_work, user_id=ann, fixture_id=book.fixture, now=BEFORE)
    # bob does not follow the fixture: told nothing whatever it does.
    (first,) = book.send(
        tick(
            "PS", "1x2", {"home": "2.10", "draw": "3.50", "away": "3.70"}, at="2099-08-19T13:05:00Z"
        )
    )
    new = alerts.line_moves(book.unit_of_work, odds_ids=[first], now=BEFORE + timedelta(minutes=6))
    # From PS's price when ann followed: home 2.00 -> 2.10 is +5.00%, away 3.90 -> 3.70 is
    # -5.13%; the draw's 3.60 -> 3.50 (-2.78%) is under 5%.
    assert len(new) == 2
    moves = {a.selection: a for a in told(book, "ann")}
    assert set(moves) == {"home", "away"}
    assert (moves["home"].previous_price, moves["home"].price, moves["home"].change) == (
        Decimal("2.0000"), Decimal("2.1000"), Decimal("0.0500"),
    )  # fmt: skip
    assert moves["away"].change == Decimal("-0.0513")
    assert told(book, "bob") == []
    # 2.10 -> 2.15 is +2.4% from the last alert's price: nothing, though it is +7.5% from
    # the follow's; 2.15 -> 2.25 is +7.1% from 2.10: told, from 2.10.
    small, big = book.send(
        tick(
            "PS", "1x2", {"home": "2.15", "draw": "3.50", "away": "3.70"}, at="2099-08-19T13:10:00Z"
        ),
        tick(
            "PS", "1x2", {"home": "2.25", "draw": "3.50", "away": "3.70"}, at="2099-08-19T13:15:00Z"
        ),
    )
    later = BEFORE + timedelta(minutes=20)
    assert alerts.line_moves(book.unit_of_work, odds_ids=[small], now=later) == []
    (moved,) = alerts.line_moves(book.unit_of_work, odds_ids=[big], now=later)
    newest = told(book, "ann")[0]
    assert (newest.id, newest.previous_price, newest.change) == (
        moved, Decimal("2.1000"), Decimal("0.0714"),
    )  # fmt: skip
    # A redelivery tells nothing twice; an aggregate's move is no bookmaker's.
    assert alerts.line_moves(book.unit_of_work, odds_ids=[first, big], now=later) == []
    (aggregate,) = book.send(
        tick(
            "MAX",
            "1x2",
            {"home": "3.50", "draw": "4.00", "away": "4.50"},
            at="2099-08-19T13:20:00Z",
        )
    )
    assert alerts.line_moves(book.unit_of_work, odds_ids=[aggregate], now=later) == []
    # After kick-off nothing moves a line for anyone.
    (late,) = book.send(
        tick(
            "PS", "1x2", {"home": "3.00", "draw": "3.50", "away": "3.70"}, at="2099-08-20T15:05:00Z"
        )
    )
    assert (
        alerts.line_moves(book.unit_of_work, odds_ids=[late], now=KICKOFF + timedelta(minutes=6))
        == []
    )
    assert len(told(book, "ann")) == 3


def test_a_fixture_followed_before_any_price_is_measured_from_its_opening(book: Book) -> None:
    ann = book.users["ann"]
    alerts.set_rules(
        book.unit_of_work, user_id=ann, chosen=AlertRules(line_move_min=Decimal("0.1"))
    )
    alerts.follow(book.unit_of_work, user_id=ann, fixture_id=book.fixture, now=BEFORE)
    opening, moved = book.send(
        tick(
            "B365",
            "over_under",
            {"over": "2.00", "under": "1.80"},
            at="2099-08-19T13:01:00Z",
            line="3.5",
        ),
        tick(
            "B365",
            "over_under",
            {"over": "2.30", "under": "1.60"},
            at="2099-08-19T13:02:00Z",
            line="3.5",
        ),
    )
    now = BEFORE + timedelta(minutes=5)
    assert alerts.line_moves(book.unit_of_work, odds_ids=[opening], now=now) == []
    assert len(alerts.line_moves(book.unit_of_work, odds_ids=[moved], now=now)) == 2
    views, _, _ = alerts.list_(book.unit_of_work, user_id=ann, unread_only=False, limit=5, offset=0)
    by = {v.alert.selection: v for v in views}
    assert by["over"].alert.change == Decimal("0.1500")  # 2.00 -> 2.30
    assert by["under"].alert.change == Decimal("-0.1111")  # 1.80 -> 1.60
    assert by["over"].message == "Arsenal v Chelsea: B365 Over 3.5 2.00 → 2.30 (+15.0%)"


def test_settings_are_checked_and_reads_are_per_user(book: Book) -> None:
    ann, bob = book.users["ann"], book.users["bob"]
    for bad, field in (
        (AlertRules(Decimal("0")), "value_edge_min"),
        (AlertRules(line_move_min=Decimal("1.5")), "line_move_min"),
        (AlertRules(Decimal("0.00001")), "value_edge_min"),
        (AlertRules(webhook_url="ftp://example.com/hook"), "webhook_url"),
        (AlertRules(webhook_url="https://user:pw@example.com/"), "webhook_url"),
    ):
        with pytest.raises(DataError, match=field):
            alerts.set_rules(book.unit_of_work, user_id=ann, chosen=bad)
    assert alerts.rules(book.unit_of_work, user_id=ann) == AlertRules()
    with pytest.raises(NotFoundError, match="fixture 999999 not found"):
        alerts.follow(book.unit_of_work, user_id=ann, fixture_id=999_999)
    with pytest.raises(NotFoundError, match="you do not follow"):
        alerts.unfollow(book.unit_of_work, user_id=ann, fixture_id=book.fixture)
    alerts.set_rules(book.unit_of_work, user_id=ann, chosen=AlertRules(Decimal("0.05")))
    (alert_id,) = alerts.value_bets(
        book.unit_of_work, fixture_ids=[book.fixture], fair_rule=FairRule(), now=BEFORE
    )
    # bob marking ann's alert read changes nothing of hers.
    assert alerts.mark_read(book.unit_of_work, user_id=bob, ids=[alert_id]) == 0
    assert alerts.list_(book.unit_of_work, user_id=ann, unread_only=True, limit=5, offset=0)[2] == 1
    assert alerts.mark_read(book.unit_of_work, user_id=ann, ids=None) == 0
    assert told(book, "ann")[0].read_at is not None
