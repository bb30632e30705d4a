"""Performance through the services: the figures of a real book, and any book's series.

The property test drives placements, voids, settlements, deposits and
withdrawals through the services on SQLite (fewer examples than the pure
property tests in tests/unit/pricing/test_equity.py, each one a real book),
and checks the report against the ledger the services wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from conftest import FIT_BEFORE, SAMPLE_DATA, Loaded
from scoreline.domain import Selection
from scoreline.domain.betting import PortfolioSettings
from scoreline.errors import ConflictError, DataError
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.pricing import kelly
from scoreline.services import bets, performance, portfolios, settlement
from scoreline.services.ingest import ingest_football_data
from scoreline.services.predicting import predict_fixtures
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade
from scoreline.storage.tables import (
    BetRow,
    Bookmaker,
    FixtureRow,
    LedgerEntryRow,
    OddsRow,
    ResultRow,
    UserRow,
)
from scoreline.storage.unit_of_work import UnitOfWork

UnitOfWorkFactory = Callable[[], UnitOfWork]
PAIRS = [("Arsenal", "Chelsea"), ("Liverpool", "Everton"), ("Brighton", "Fulham")]


UNCAPPED = PortfolioSettings(
    max_stake_fraction=Decimal(1), max_fixture_fraction=Decimal(1), max_day_fraction=Decimal(1)
)
"""Caps that never bind: these tests are about performance figures, not the caps
(tests/integration/services/test_book_caps.py is about those)."""


def _user(unit_of_work: UnitOfWorkFactory, email: str) -> int:
    with unit_of_work() as uow:
        row = UserRow(
            email=email,
            password_hash="x",
            role="trader",
            is_active=True,
            created_at=datetime.now(UTC),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return row.id


def test_expected_profit_is_stake_times_the_edge_recorded_at_placement(loaded: Loaded) -> None:
    uow = loaded.unit_of_work
    predict_fixtures(uow, artifacts_dir=loaded.artifacts, start=FIT_BEFORE, days=30)
    owner = _user(uow, "edge@example.com")
    portfolio = portfolios.create(uow, owner_id=owner, name="edge", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=owner, portfolio_id=portfolio, amount_minor=100_000)
    with uow() as w:
        fixture = w.session.scalars(
            select(FixtureRow)
            .where(FixtureRow.kickoff_utc >= FIT_BEFORE)
            .order_by(FixtureRow.kickoff_utc)
        ).first()
        assert fixture is not None
        quote = w.session.scalars(
            select(OddsRow)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(
                OddsRow.fixture_id == fixture.id,
                OddsRow.market == "1x2",
                OddsRow.kind == "prematch",
                Bookmaker.code == "PS",
            )
        ).first()
        assert quote is not None
        fixture_id, kickoff, quote_id, price = fixture.id, fixture.kickoff_utc, quote.id, quote.home
        # Bets are taken before the result exists: lift it off, and put it back after the bet.
        result = w.session.get(ResultRow, fixture_id)
        assert result is not None
        score = (result.home_goals, result.away_goals)
        w.session.delete(result)
        fixture.status = "scheduled"
        w.commit()
        active = w.model_versions.active()
        assert active is not None
        prediction = w.predictions.latest(fixture_ids=[fixture_id], model_version_id=active.id)
    assert price is not None
    bets.place(
        uow,
        owner_id=owner,
        portfolio_id=portfolio,
        odds_snapshot_id=quote_id,
        selection=Selection.HOME,
        stake_minor=2_500,
        now=kickoff - timedelta(hours=1),
        max_price_age_seconds=7 * 86_400,  # the file's pre-match prices were taken days before
    )
    with uow() as w:
        w.fixtures.record_result(fixture_id=fixture_id, home_goals=score[0], away_goals=score[1])
        w.commit()
    settlement.settle_fixture(uow, fixture_id=fixture_id)
    report = performance.report(uow, owner_id=owner, portfolio_id=portfolio)
    worth = 2_500 * kelly.money_edge(prediction[0].probabilities[0], price)
    assert report.summary.n_with_edge == 1
    assert report.summary.expected_profit_minor == int(worth.to_integral_value(ROUND_HALF_EVEN))
    assert report.summary.profit_with_edge_minor == report.summary.profit_minor


# -- any book, through the services ------------------------------------------------------


@pytest.fixture(scope="module")
def book_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UnitOfWorkFactory]:
    """SQLite with E0 2022-23's teams and three fixtures that kicked off yesterday without a
    result yet, each priced three hours before kick-off by the feed."""
    folder: Path = tmp_path_factory.mktemp("perf")
    engine = make_engine(f"sqlite:///{folder / 'book.db'}")
    upgrade(engine)
    unit_of_work = unit_of_work_factory(engine)
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    kickoff = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    feed = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="perf"))
    summary = feed.submit(
        [
            {
                "type": "odds",
                "provider": "replay",
                "competition": "E0",
                "home_team": home,
                "away_team": away,
                "kickoff": kickoff.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "bookmaker": "PS",
                "market": "1x2",
                "line": None,
                "prices": {"home": "2.10", "draw": "3.40", "away": "3.70"},
                "captured_at": (kickoff - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            for home, away in PAIRS
        ]
    )
    assert summary.stored == len(PAIRS)
    yield unit_of_work
    engine.dispose()


def _quotes(unit_of_work: UnitOfWorkFactory) -> list[tuple[int, int, datetime]]:
    """(fixture id, snapshot id, kick-off) of the three priced fixtures."""
    with unit_of_work() as uow:
        rows = uow.session.execute(
            select(FixtureRow.id, OddsRow.id, FixtureRow.kickoff_utc)
            .join(OddsRow, OddsRow.fixture_id == FixtureRow.id)
            .where(OddsRow.captured_at > datetime(2024, 1, 1, tzinfo=UTC))
            .order_by(FixtureRow.id)
        )
        return [(int(a), int(b), c) for a, b, c in rows]


Step = tuple[str, int, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(["deposit", "withdraw", "place", "void", "settle"]),
        st.integers(1, 50_000),
        st.integers(0, 20),
    ),
    min_size=1,
    max_size=12,
)
_counter = iter(range(10**9))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps, deposit=st.integers(1, 100_000))
def test_any_book_through_the_services(
    book_db: UnitOfWorkFactory, plan: list[Step], deposit: int
) -> None:
    uow = book_db
    owner = _user(uow, f"p{next(_counter)}@example.com")
    portfolio = portfolios.create(uow, owner_id=owner, name="book", settings=UNCAPPED)
    quotes = _quotes(uow)
    placed: list[int] = []
    for kind, amount, which in plan:
        fixture_id, snapshot_id, kickoff = quotes[which % len(quotes)]
        try:
            if kind in {"deposit", "withdraw"}:
                sign = 1 if kind == "deposit" else -1
                portfolios.deposit(
                    uow, owner_id=owner, portfolio_id=portfolio, amount_minor=sign * amount
                )
            elif kind == "place":
                placed.append(
                    bets.place(
                        uow,
                        owner_id=owner,
                        portfolio_id=portfolio,
                        odds_snapshot_id=snapshot_id,
                        selection=Selection.HOME,
                        stake_minor=amount,
                        now=kickoff - timedelta(hours=2, minutes=59 - which),
                    )
                )
            elif kind == "void" and placed:
                bets.void(uow, owner_id=owner, bet_id=placed[which % len(placed)], reason="t")
            elif kind == "settle":
                with uow() as w:
                    w.fixtures.record_result(fixture_id=fixture_id, home_goals=1, away_goals=0)
                    w.commit()
                settlement.settle_fixture(uow, fixture_id=fixture_id)
        except (ConflictError, DataError):
            continue  # what the rules refuse (more than the cash, a closed bet) is skipped
    before = performance.report(uow, owner_id=owner, portfolio_id=portfolio)
    with uow() as w:
        ledger = [
            (row.created_at, row.amount_minor)
            for row in w.session.scalars(
                select(LedgerEntryRow).where(LedgerEntryRow.portfolio_id == portfolio)
            )
        ]
        open_stakes = w.bets.open_stakes(portfolio_ids=[portfolio])[portfolio]
        n_settled = len(
            w.session.scalars(
                select(BetRow.id).where(
                    BetRow.portfolio_id == portfolio, BetRow.status == "settled"
                )
            ).all()
        )
    # cash is the ledger's sum at every point; equity adds what is still open at the end
    for point in before.series:
        assert point.cash_minor == sum(a for at, a in ledger if at <= point.at)
    if before.series:
        assert before.series[-1].equity_minor == before.series[-1].cash_minor + open_stakes
    # the headline is the worst point of its series
    assert before.max_drawdown == max((p.drawdown for p in before.series), default=0)
    assert before.summary.n_bets == n_settled
    # a deposit made now changes no point before it
    moment = datetime.now(UTC)
    portfolios.deposit(uow, owner_id=owner, portfolio_id=portfolio, amount_minor=deposit)
    after = performance.report(uow, owner_id=owner, portfolio_id=portfolio)
    assert [p for p in after.series if p.at < moment] == [p for p in before.series if p.at < moment]
    assert (
        after.series[-1].cash_minor
        == (before.series[-1].cash_minor if before.series else 0) + deposit
    )
    assert Decimal(after.max_drawdown) == max(p.drawdown for p in after.series)
