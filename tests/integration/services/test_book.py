"""Portfolios, bets, settlement, voids and the audit chain, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DBAPIError

from conftest import SAMPLE_DATA
from scoreline.domain import Selection
from scoreline.domain.betting import PortfolioSettings
from scoreline.errors import ConflictError, DataError, NotFoundError
from scoreline.pricing.settlement import BetOutcome, payout_minor
from scoreline.services import bets, performance, portfolios, settlement, stake_sizing
from scoreline.services.audit import verify_chain
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import (
    AuditSnapshotRow,
    BetRow,
    FixtureRow,
    LedgerEntryRow,
    OddsRow,
    ResultRow,
    TeamRow,
    UserRow,
)
from scoreline.storage.unit_of_work import UnitOfWork

SEASON = SAMPLE_DATA / "E0" / "2022-2023.csv"

UNCAPPED = PortfolioSettings(
    max_stake_fraction=Decimal(1), max_fixture_fraction=Decimal(1), max_day_fraction=Decimal(1)
)
"""Caps that never bind: these tests are about the book's records, not its caps
(``test_caps_*`` and ``test_book_caps_*`` are about those)."""


def user(unit_of_work: Callable[[], UnitOfWork], email: str) -> int:
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


def match(
    unit_of_work: Callable[[], UnitOfWork], home: str, away: str
) -> tuple[int, datetime, int, int]:
    """(fixture id, kick-off, home goals, away goals) of a sample match, made unplayed again:
    its result is lifted off, as it was before kick-off when bets were taken (``play`` puts
    it back)."""
    with unit_of_work() as uow:
        home_id = uow.session.scalar(select(TeamRow.id).where(TeamRow.name == home))
        away_id = uow.session.scalar(select(TeamRow.id).where(TeamRow.name == away))
        fixture = uow.session.scalars(
            select(FixtureRow).where(
                FixtureRow.home_team_id == home_id, FixtureRow.away_team_id == away_id
            )
        ).one()
        result = uow.session.get(ResultRow, fixture.id)
        assert result is not None
        found = fixture.id, fixture.kickoff_utc, result.home_goals, result.away_goals
        uow.session.delete(result)
        fixture.status = "scheduled"
        uow.commit()
        return found


def play(unit_of_work: Callable[[], UnitOfWork], fixture_id: int, score: tuple[int, int]) -> None:
    """The final whistle: the match's result recorded."""
    with unit_of_work() as uow:
        uow.fixtures.record_result(fixture_id=fixture_id, home_goals=score[0], away_goals=score[1])
        uow.commit()


def snapshot(
    unit_of_work: Callable[[], UnitOfWork], fixture_id: int, market: str, code: str = "PS"
) -> OddsRow:
    from scoreline.storage.tables import Bookmaker  # noqa: PLC0415

    with unit_of_work() as uow:
        row = uow.session.scalars(
            select(OddsRow)
            .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
            .where(
                OddsRow.fixture_id == fixture_id,
                OddsRow.market == market,
                Bookmaker.code == code,
                OddsRow.kind == "prematch",
            )
        ).first()
        assert row is not None
        uow.session.expunge(row)
        return row


def stake_on(
    uow: Callable[[], UnitOfWork],
    quote: OddsRow,
    *,
    owner: int,
    portfolio: int,
    selection: Selection,
    stake: int,
    at: datetime,
) -> int:
    """Place a bet at ``quote``'s price; the bet id."""
    return bets.place(
        uow,
        owner_id=owner,
        portfolio_id=portfolio,
        odds_snapshot_id=quote.id,
        selection=selection,
        stake_minor=stake,
        now=at,
    )


@pytest.fixture
def loaded(unit_of_work: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    ingest_football_data(unit_of_work, [SEASON])
    return unit_of_work


def test_a_bet_lives_placed_settled_and_recorded(loaded: Callable[[], UnitOfWork]) -> None:
    uow = loaded
    alice = user(uow, "alice@example.com")
    portfolio = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    assert (
        portfolios.deposit(uow, owner_id=alice, portfolio_id=portfolio, amount_minor=100_000)
        == 100_000
    )
    # Man City 4-1 Liverpool on 1 April 2023 (E0 2022-23).
    fixture_id, kickoff, home_goals, away_goals = match(uow, "Man City", "Liverpool")
    assert (home_goals, away_goals) == (4, 1)
    quote = snapshot(uow, fixture_id, "1x2")
    before = kickoff - timedelta(hours=2)
    bet_id = stake_on(
        uow,
        quote,
        owner=alice,
        portfolio=portfolio,
        selection=Selection.HOME,
        stake=10_000,
        at=before,
    )
    with uow() as w:
        assert w.ledger.balance(portfolio_id=portfolio) == 90_000
    assert settlement.settle_fixture(uow, fixture_id=fixture_id) == []  # no result yet
    play(uow, fixture_id, (home_goals, away_goals))
    assert settlement.settle_fixture(uow, fixture_id=fixture_id) == [bet_id]
    assert settlement.settle_fixture(uow, fixture_id=fixture_id) == []  # never twice
    expected = int((Decimal(10_000) * quote.home).quantize(Decimal(1)))  # type: ignore[operator]
    with uow() as w:
        bet = w.session.get(BetRow, bet_id)
        assert bet is not None
        assert (bet.status, bet.outcome, bet.payout_minor) == ("settled", "won", expected)
        assert w.ledger.balance(portfolio_id=portfolio) == 90_000 + expected
        kinds = w.session.scalars(select(AuditSnapshotRow.kind).order_by(AuditSnapshotRow.id)).all()
        assert kinds == ["placed", "settled"]
    report = verify_chain(uow)
    assert report.ok
    assert report.checked == 2


def test_an_asian_quarter_line_settles_half_won(loaded: Callable[[], UnitOfWork]) -> None:
    uow = loaded
    bob = user(uow, "bob@example.com")
    portfolio = portfolios.create(uow, owner_id=bob, name="ah", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=bob, portfolio_id=portfolio, amount_minor=50_000)
    fixture_id, kickoff, home_goals, away_goals = match(uow, "Man City", "Liverpool")
    quote = snapshot(uow, fixture_id, "asian_handicap", code="PS")
    bet_id = stake_on(
        uow,
        quote,
        owner=bob,
        portfolio=portfolio,
        selection=Selection.HOME,
        stake=1_000,
        at=kickoff - timedelta(hours=1),
    )
    play(uow, fixture_id, (home_goals, away_goals))
    settlement.settle_fixture(uow, fixture_id=fixture_id)
    line = Decimal(quote.line_quarters) / 4
    margin = home_goals - away_goals + line  # the home side's result against its handicap
    with uow() as w:
        bet = w.session.get(BetRow, bet_id)
        assert bet is not None
        expected = {Decimal("0.25"): "half_won", Decimal("-0.25"): "half_lost"}.get(
            margin, "won" if margin > 0 else "lost" if margin < 0 else "push"
        )
        assert bet.outcome == expected


def test_nobody_touches_another_users_portfolio_or_bets(loaded: Callable[[], UnitOfWork]) -> None:
    uow = loaded
    alice, mallory = user(uow, "alice@example.com"), user(uow, "mallory@example.com")
    portfolio = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=portfolio, amount_minor=10_000)
    fixture_id, kickoff, _, _ = match(uow, "Man City", "Liverpool")
    quote = snapshot(uow, fixture_id, "1x2")
    with pytest.raises(NotFoundError, match=f"portfolio {portfolio} not found"):
        portfolios.deposit(uow, owner_id=mallory, portfolio_id=portfolio, amount_minor=-10_000)
    with pytest.raises(NotFoundError):
        stake_on(
            uow,
            quote,
            owner=mallory,
            portfolio=portfolio,
            selection=Selection.AWAY,
            stake=100,
            at=kickoff - timedelta(hours=1),
        )
    bet_id = stake_on(
        uow,
        quote,
        owner=alice,
        portfolio=portfolio,
        selection=Selection.AWAY,
        stake=100,
        at=kickoff - timedelta(hours=1),
    )
    with pytest.raises(NotFoundError, match=f"bet {bet_id} not found"):
        bets.void(uow, owner_id=mallory, bet_id=bet_id, reason="mine now")


def test_bad_bets_are_refused_and_nothing_is_written(loaded: Callable[[], UnitOfWork]) -> None:
    uow = loaded
    alice = user(uow, "alice@example.com")
    portfolio = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=portfolio, amount_minor=1_000)
    fixture_id, kickoff, _, _ = match(uow, "Man City", "Liverpool")
    quote = snapshot(uow, fixture_id, "1x2")
    before = kickoff - timedelta(hours=1)
    cases: list[tuple[type[Exception], str, dict[str, object]]] = [
        (
            DataError,
            "stake EUR 10.01 is above the cash available: EUR 10.00 left; bet refused",
            {"stake_minor": 1_001, "now": before},
        ),
        (ConflictError, "kicked off at", {"stake_minor": 100, "now": kickoff}),
        (DataError, "not a selection of 1x2", {"selection": Selection.OVER, "now": before}),
        (DataError, "stake_minor must be", {"stake_minor": 0, "now": before}),
        (NotFoundError, "odds snapshot 0 not found", {"odds_snapshot_id": 0, "now": before}),
    ]
    for error, message, change in cases:
        arguments: dict[str, object] = {
            "owner_id": alice,
            "portfolio_id": portfolio,
            "odds_snapshot_id": quote.id,
            "selection": Selection.HOME,
            "stake_minor": 100,
        } | change
        with pytest.raises(error, match=message):
            bets.place(uow, **arguments)  # type: ignore[arg-type]
    with uow() as w:
        assert w.session.scalar(select(BetRow.id)) is None
        assert w.ledger.balance(portfolio_id=portfolio) == 1_000
    with pytest.raises(
        ConflictError, match=r"cannot withdraw EUR 10\.01: the cash available is EUR 10\.00"
    ):
        portfolios.deposit(uow, owner_id=alice, portfolio_id=portfolio, amount_minor=-1_001)


def test_a_void_refunds_once_and_a_settled_bet_cannot_be_voided(
    loaded: Callable[[], UnitOfWork],
) -> None:
    uow = loaded
    alice = user(uow, "alice@example.com")
    portfolio = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=portfolio, amount_minor=5_000)
    fixture_id, kickoff, home_goals, away_goals = match(uow, "Man City", "Liverpool")
    quote = snapshot(uow, fixture_id, "1x2")
    first = stake_on(
        uow,
        quote,
        owner=alice,
        portfolio=portfolio,
        selection=Selection.DRAW,
        stake=1_000,
        at=kickoff - timedelta(hours=1),
    )
    second = stake_on(
        uow,
        quote,
        owner=alice,
        portfolio=portfolio,
        selection=Selection.AWAY,
        stake=1_000,
        at=kickoff - timedelta(hours=1),
    )
    before = kickoff - timedelta(minutes=30)
    bets.void(uow, owner_id=alice, bet_id=first, reason="changed my mind", now=before)
    with pytest.raises(ConflictError, match="not open"):
        bets.void(uow, owner_id=alice, bet_id=first, reason="again", now=before)
    play(uow, fixture_id, (home_goals, away_goals))
    settlement.settle_fixture(uow, fixture_id=fixture_id)
    with pytest.raises(ConflictError, match="not open"):
        bets.void(uow, owner_id=alice, bet_id=second, reason="too late", now=before)
    with uow() as w:
        # 5,000 deposited; the void refunded its stake; the away bet lost (4-1).
        assert w.ledger.balance(portfolio_id=portfolio) == 4_000
    assert verify_chain(uow).checked == 4


def test_the_ledger_and_the_audit_chain_refuse_rewrites(loaded: Callable[[], UnitOfWork]) -> None:
    uow = loaded
    alice = user(uow, "alice@example.com")
    portfolio = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=portfolio, amount_minor=5_000)
    fixture_id, kickoff, _, _ = match(uow, "Man City", "Liverpool")
    quote = snapshot(uow, fixture_id, "1x2")
    stake_on(
        uow,
        quote,
        owner=alice,
        portfolio=portfolio,
        selection=Selection.HOME,
        stake=100,
        at=kickoff - timedelta(hours=1),
    )
    for statement in (
        update(LedgerEntryRow).values(amount_minor=1_000_000),
        update(AuditSnapshotRow).values(payload="{}"),
        text("DELETE FROM audit_snapshots"),
        text("DELETE FROM ledger_entries"),
    ):
        with uow() as w, pytest.raises(DBAPIError, match="append-only"):
            w.session.execute(statement)


def test_verify_names_the_first_broken_link(
    loaded: Callable[[], UnitOfWork], engine: Engine
) -> None:
    uow = loaded
    alice = user(uow, "alice@example.com")
    portfolio = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=portfolio, amount_minor=5_000)
    fixture_id, kickoff, _, _ = match(uow, "Man City", "Liverpool")
    quote = snapshot(uow, fixture_id, "1x2")
    for selection in (Selection.HOME, Selection.DRAW, Selection.AWAY):
        stake_on(
            uow,
            quote,
            owner=alice,
            portfolio=portfolio,
            selection=selection,
            stake=100,
            at=kickoff - timedelta(hours=1),
        )
    assert verify_chain(uow).checked == 3
    with uow() as w:
        second = w.session.scalars(select(AuditSnapshotRow.id).order_by(AuditSnapshotRow.id)).all()[
            1
        ]
    # Someone with DDL rights drops the guard and edits a stake: the chain says where.
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(
                text("ALTER TABLE audit_snapshots DISABLE TRIGGER audit_snapshots_append_only")
            )
        else:
            connection.execute(text("DROP TRIGGER audit_snapshots_no_update"))
        connection.execute(
            text(
                "UPDATE audit_snapshots SET payload = replace(payload, :was, :now) WHERE id = :id"
            ),
            {"id": second, "was": '"stake_minor":100', "now": '"stake_minor":1'},
        )
    if engine.dialect.name == "postgresql":  # the session's database is shared by later tests
        with engine.begin() as connection:
            connection.execute(
                text("ALTER TABLE audit_snapshots ENABLE TRIGGER audit_snapshots_append_only")
            )
    report = verify_chain(uow)
    assert not report.ok
    assert report.broken_at == second
    assert report.checked == 1
    assert "does not match its hash" in (report.reason or "")


@pytest.mark.postgres
def test_concurrent_settlements_pay_once(postgres_url: str) -> None:
    from conftest import _truncate_all  # noqa: PLC0415
    from scoreline.storage.db import make_engine, unit_of_work_factory  # noqa: PLC0415

    engine = make_engine(postgres_url)
    _truncate_all(engine)
    uow = unit_of_work_factory(engine)
    ingest_football_data(uow, [SEASON])
    alice = user(uow, "alice@example.com")
    portfolio = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=portfolio, amount_minor=100_000)
    fixture_id, kickoff, home_goals, away_goals = match(uow, "Man City", "Liverpool")
    quote = snapshot(uow, fixture_id, "1x2")
    for _ in range(20):
        stake_on(
            uow,
            quote,
            owner=alice,
            portfolio=portfolio,
            selection=Selection.HOME,
            stake=1_000,
            at=kickoff - timedelta(hours=1),
        )
    play(uow, fixture_id, (home_goals, away_goals))
    start = threading.Barrier(4)
    settled: list[list[int]] = []

    def race() -> None:
        start.wait()
        settled.append(settlement.settle_fixture(uow, fixture_id=fixture_id))

    threads = [threading.Thread(target=race) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(i for ids in settled for i in ids) == sorted({i for ids in settled for i in ids})
    assert sum(len(ids) for ids in settled) == 20
    with uow() as w:
        payouts = w.session.scalars(
            select(LedgerEntryRow.amount_minor).where(LedgerEntryRow.kind == "payout")
        ).all()
        assert len(payouts) == 20
        deposits = 100_000
        pnl = sum(payouts) - 20 * 1_000
        assert w.ledger.balance(portfolio_id=portfolio) == deposits + pnl
    assert verify_chain(uow).ok
    engine.dispose()


def test_portfolios_list_with_their_money_and_open_exposure(
    loaded: Callable[[], UnitOfWork],
) -> None:
    uow = loaded
    alice, bob = user(uow, "alice@example.com"), user(uow, "bob@example.com")
    main = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.create(uow, owner_id=alice, name=" spare ", currency="gbp")
    portfolios.deposit(uow, owner_id=alice, portfolio_id=main, amount_minor=10_000)
    with pytest.raises(ConflictError, match="already have a portfolio named 'main'"):
        portfolios.create(uow, owner_id=alice, name="main")
    fixture_id, kickoff, _, _ = match(uow, "Man City", "Liverpool")
    quote = snapshot(uow, fixture_id, "1x2")
    for selection, stake in ((Selection.HOME, 1_000), (Selection.DRAW, 500)):
        stake_on(
            uow,
            quote,
            owner=alice,
            portfolio=main,
            selection=selection,
            stake=stake,
            at=kickoff - timedelta(hours=1),
        )
    found, total = portfolios.list_(uow, owner_id=alice, limit=10, offset=0)
    assert total == 2
    assert [
        (b.portfolio.name, b.portfolio.currency, b.bankroll_minor, b.open_stakes_minor)
        for b in found
    ] == [("main", "EUR", 8_500, 1_500), ("spare", "GBP", 0, 0)]
    assert portfolios.list_(uow, owner_id=bob, limit=10, offset=0) == ([], 0)

    exposure = portfolios.exposure(uow, owner_id=alice, portfolio_id=main)
    assert exposure.open_stakes_minor == 1_500
    (fixture,) = exposure.by_fixture
    assert (fixture.fixture_id, fixture.competition, fixture.bets) == (fixture_id, "E0", 2)
    assert (fixture.home_team, fixture.away_team, fixture.kickoff) == (
        "Man City",
        "Liverpool",
        kickoff,
    )
    assert quote.home is not None
    assert quote.draw is not None
    won = BetOutcome.WON
    assert fixture.potential_payout_minor == (
        payout_minor(1_000, quote.home, won) + payout_minor(500, quote.draw, won)
    )
    assert [(c.competition, c.stake_minor, c.bets) for c in exposure.by_competition] == [
        ("E0", 1_500, 2)
    ]
    with pytest.raises(NotFoundError):
        portfolios.exposure(uow, owner_id=bob, portfolio_id=main)


def test_settings_change_all_at_once_for_the_owner_and_size_stakes(
    loaded: Callable[[], UnitOfWork],
) -> None:
    uow = loaded
    alice, bob = user(uow, "alice@example.com"), user(uow, "bob@example.com")
    main = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=main, amount_minor=10_000)
    settings = PortfolioSettings(kelly_fraction=Decimal("0.5"), max_day_fraction=Decimal("0.5"))
    portfolios.update_settings(uow, owner_id=alice, portfolio_id=main, settings=settings)
    assert portfolios.get(uow, owner_id=alice, portfolio_id=main).portfolio.settings == settings
    with pytest.raises(NotFoundError):
        portfolios.update_settings(uow, owner_id=bob, portfolio_id=main, settings=settings)
    sizer = stake_sizing.sizer_for_owner(uow, owner_id=alice, portfolio_id=main)
    assert (sizer.settings, sizer.cash_minor, sizer.equity_minor) == (settings, 10_000, 10_000)
    with pytest.raises(NotFoundError, match=f"portfolio {main} not found"):
        stake_sizing.sizer_for_owner(uow, owner_id=bob, portfolio_id=main)


def test_performance_adds_up_to_the_ledger(loaded: Callable[[], UnitOfWork]) -> None:
    uow = loaded
    alice = user(uow, "alice@example.com")
    main = portfolios.create(uow, owner_id=alice, name="main", settings=UNCAPPED)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=main, amount_minor=10_000)
    fixture_id, kickoff, home_goals, away_goals = match(uow, "Man City", "Liverpool")  # 4-1
    quote = snapshot(uow, fixture_id, "1x2")
    placed = [
        stake_on(
            uow,
            quote,
            owner=alice,
            portfolio=main,
            selection=selection,
            stake=stake,
            at=kickoff - timedelta(hours=1),
        )
        for selection, stake in ((Selection.HOME, 1_000), (Selection.AWAY, 500))
    ]
    play(uow, fixture_id, (home_goals, away_goals))
    settlement.settle_fixture(uow, fixture_id=fixture_id)
    report = performance.report(uow, owner_id=alice, portfolio_id=main)
    with uow() as w:
        balance = w.ledger.balance(portfolio_id=main)
    assert (report.summary.n_bets, report.summary.n_won, report.summary.n_lost) == (2, 1, 1)
    assert report.summary.profit_minor == balance - 10_000
    # The bets were backdated before the deposit, which was made now: each at its own time.
    assert report.series[0].at == kickoff - timedelta(hours=1)
    assert (report.series[0].cash_minor, report.series[0].equity_minor) == (-1_500, 0)
    assert (report.series[-1].cash_minor, report.series[-1].equity_minor) == (balance, balance)
    assert list(report.by_competition) == ["E0"]
    assert list(report.by_bookmaker) == ["PS"]
    assert {point.bet_id for point in report.clv} <= set(placed)
    later = performance.report(
        uow, owner_id=alice, portfolio_id=main, start=datetime.now(UTC) + timedelta(days=1)
    )
    assert later.summary.n_bets == 0
    assert later.clv == []
