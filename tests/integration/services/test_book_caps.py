"""Hard caps at placement: per bet, per fixture, per day and cash, as shares of equity.

On SQLite and PostgreSQL: the refusals and their messages, a property test over
any sequence of placements, voids, settlements, deposits and withdrawals, and
on PostgreSQL 30 placements racing from threads.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from test_book import SEASON, match, play, snapshot, user

from scoreline.domain import Selection
from scoreline.domain.betting import BetStatus, PortfolioSettings
from scoreline.errors import ConflictError, DataError
from scoreline.services import bets, portfolios, settlement
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import FixtureRow, LedgerEntryRow, ResultRow
from scoreline.storage.unit_of_work import UnitOfWork

CAPS = PortfolioSettings(
    kelly_fraction=Decimal("0.25"),
    max_stake_fraction=Decimal("0.05"),
    max_fixture_fraction=Decimal("0.08"),
    max_day_fraction=Decimal("0.12"),
)

# Three E0 2022-23 matches: the first two kick off on one day, the third on another.
SAME_DAY = (("Fulham", "Liverpool"), ("Leeds", "Wolves"))
OTHER_DAY = ("Man United", "Brighton")


def _share(equity: int, fraction: Decimal) -> int:
    return int((Decimal(equity) * fraction).to_integral_value(ROUND_DOWN))


@pytest.fixture
def loaded(unit_of_work: Callable[[], UnitOfWork]) -> Callable[[], UnitOfWork]:
    ingest_football_data(unit_of_work, [SEASON])
    return unit_of_work


@dataclass
class Match:
    fixture_id: int
    kickoff: datetime
    score: tuple[int, int]
    quote_id: int


def _reset(uow: Callable[[], UnitOfWork], matches: list[Match]) -> None:
    """The matches unplayed again, as before their kick-off."""
    with uow() as w:
        for m in matches:
            result = w.session.get(ResultRow, m.fixture_id)
            if result is not None:
                w.session.delete(result)
            fixture = w.session.get(FixtureRow, m.fixture_id)
            assert fixture is not None
            fixture.status = "scheduled"
        w.commit()


def _matches(uow: Callable[[], UnitOfWork]) -> list[Match]:
    found = []
    for home, away in (*SAME_DAY, OTHER_DAY):
        fixture_id, kickoff, home_goals, away_goals = match(uow, home, away)
        found.append(
            Match(
                fixture_id, kickoff, (home_goals, away_goals), snapshot(uow, fixture_id, "1x2").id
            )
        )
    assert found[0].kickoff.date() == found[1].kickoff.date() != found[2].kickoff.date()
    return found


def _place(uow: Callable[[], UnitOfWork], owner: int, portfolio: int, on: Match, stake: int) -> int:
    return bets.place(
        uow,
        owner_id=owner,
        portfolio_id=portfolio,
        odds_snapshot_id=on.quote_id,
        selection=Selection.HOME,
        stake_minor=stake,
        now=on.kickoff - timedelta(hours=1),
        max_price_age_seconds=7 * 86_400,  # the sample's prices are captured days ahead
    )


def test_each_cap_refuses_with_its_name_and_the_room_left_in_money(
    loaded: Callable[[], UnitOfWork],
) -> None:
    uow = loaded
    alice = user(uow, "alice@example.com")
    book = portfolios.create(uow, owner_id=alice, name="main", settings=CAPS)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=book, amount_minor=1_000_000)
    first, second, other = _matches(uow)

    # Per bet: 5% of equity EUR 10,000.00 is EUR 500.00.
    with pytest.raises(DataError) as refused:
        _place(uow, alice, book, first, 80_000)
    assert str(refused.value) == (
        "stake EUR 800.00 is above the per-bet cap (5% of equity EUR 10,000.00): "
        "EUR 500.00 left; bet refused"
    )
    _place(uow, alice, book, first, 50_000)
    # Per fixture: 8% is EUR 800.00, EUR 500.00 open; equity is still EUR 10,000.00.
    with pytest.raises(
        DataError,
        match=r"per-fixture cap \(8% of equity EUR 10,000\.00\): "
        r"EUR 300\.00 left; bet refused",
    ):
        _place(uow, alice, book, first, 30_001)
    _place(uow, alice, book, first, 30_000)
    # Per day: 12% is EUR 1,200.00, EUR 800.00 open on the day, the second match too.
    _place(uow, alice, book, second, 30_000)
    with pytest.raises(
        DataError,
        match=r"per-day cap \(12% of equity EUR 10,000\.00\): "
        r"EUR 100\.00 left; bet refused",
    ):
        _place(uow, alice, book, second, 10_001)
    _place(uow, alice, book, second, 10_000)
    # Another day has its own room.
    _place(uow, alice, book, other, 50_000)
    # Withdraw all but EUR 100.00: equity is that plus the EUR 1,700.00 open, and the other
    # day's EUR 500.00 is now above its fixture's 8% and its day's 12% of it (on a tie
    # the wider limit is named).
    cash = portfolios.get(uow, owner_id=alice, portfolio_id=book).bankroll_minor
    portfolios.deposit(uow, owner_id=alice, portfolio_id=book, amount_minor=-(cash - 10_000))
    with pytest.raises(DataError) as refused:
        _place(uow, alice, book, other, 1)
    assert str(refused.value) == (
        "stake EUR 0.01 is above the per-day cap (12% of equity EUR 1,800.00): "
        "EUR 0.00 left; bet refused"
    )


def test_cash_binds_when_it_is_below_every_cap(loaded: Callable[[], UnitOfWork]) -> None:
    uow = loaded
    alice = user(uow, "alice@example.com")
    loose = PortfolioSettings(
        max_stake_fraction=Decimal(1), max_fixture_fraction=Decimal(1), max_day_fraction=Decimal(1)
    )
    book = portfolios.create(uow, owner_id=alice, name="main", settings=loose)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=book, amount_minor=10_000)
    first, _, other = _matches(uow)
    _place(uow, alice, book, first, 6_000)
    with pytest.raises(
        DataError, match=r"^stake EUR 40\.01 is above the cash available: EUR 40\.00 left"
    ):
        _place(uow, alice, book, other, 4_001)


# -- any sequence of operations -------------------------------------------------------------


@dataclass
class Model:
    """What the test expects the book to hold, kept by its own arithmetic."""

    cash: int = 0
    open: dict[int, tuple[int, int, date]] = field(
        default_factory=dict
    )  # bet -> fixture, stake, day

    @property
    def equity(self) -> int:
        return self.cash + sum(stake for _, stake, _ in self.open.values())

    def room(self, on: Match) -> int:
        equity = self.equity
        on_fixture = sum(s for f, s, _ in self.open.values() if f == on.fixture_id)
        on_day = sum(s for _, s, d in self.open.values() if d == on.kickoff.date())
        return min(
            _share(equity, CAPS.max_stake_fraction),
            _share(equity, CAPS.max_fixture_fraction) - on_fixture,
            _share(equity, CAPS.max_day_fraction) - on_day,
            self.cash,
        )


_TRADERS = itertools.count()


@pytest.fixture
def three(loaded: Callable[[], UnitOfWork]) -> tuple[Callable[[], UnitOfWork], list[Match]]:
    """The loaded database and its three matches, shared by a property test's examples."""
    return loaded, _matches(loaded)


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("place"), st.integers(0, 2), st.integers(1, 150_000)),
        st.tuples(st.just("void"), st.integers(0, 30), st.just(0)),
        st.tuples(st.just("settle"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("deposit"), st.just(0), st.integers(1, 500_000)),
        st.tuples(st.just("withdraw"), st.just(0), st.integers(1, 500_000)),
    ),
    min_size=1,
    max_size=25,
)


@given(operations=OPERATIONS)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_any_sequence_keeps_cash_equal_to_the_ledger_and_never_passes_a_cap(
    three: tuple[Callable[[], UnitOfWork], list[Match]], operations: list[tuple[str, int, int]]
) -> None:
    uow, matches = three
    _reset(uow, matches)  # each example starts with the three matches unplayed
    owner = user(uow, f"trader{next(_TRADERS)}@example.com")
    book = portfolios.create(uow, owner_id=owner, name="main", settings=CAPS)
    played: set[int] = set()
    model = Model()
    placed: list[tuple[int, Match]] = []
    for kind, index, amount in operations:
        if kind == "place":
            on = matches[index]
            if on.fixture_id in played:
                continue
            room = model.room(on)
            try:
                bet_id = _place(uow, owner, book, on, amount)
            except DataError:
                assert amount > room, f"refused {amount} with {room} of room"
            else:
                assert amount <= room, f"accepted {amount} with only {room} of room"
                model.cash -= amount
                model.open[bet_id] = (on.fixture_id, amount, on.kickoff.date())
                placed.append((bet_id, on))
        elif kind == "void" and placed:
            bet_id, on = placed[index % len(placed)]
            try:
                bets.void(
                    uow,
                    owner_id=owner,
                    bet_id=bet_id,
                    reason="changed my mind",
                    now=on.kickoff - timedelta(hours=2),
                )
            except ConflictError:
                assert bet_id not in model.open
            else:
                model.cash += model.open.pop(bet_id)[1]
        elif kind == "settle":
            on = matches[index]
            if on.fixture_id in played:
                continue
            play(uow, on.fixture_id, on.score)
            settlement.settle_fixture(uow, fixture_id=on.fixture_id)
            played.add(on.fixture_id)
            for bet_id in [b for b, (f, _, _) in model.open.items() if f == on.fixture_id]:
                record = bets.get(uow, owner_id=owner, bet_id=bet_id)
                assert record.status is BetStatus.SETTLED
                model.cash += record.payout_minor or 0
                del model.open[bet_id]
        elif kind in {"deposit", "withdraw"}:
            change = amount if kind == "deposit" else -amount
            try:
                portfolios.deposit(uow, owner_id=owner, portfolio_id=book, amount_minor=change)
            except (ConflictError, DataError):
                assert model.cash + change < 0
            else:
                model.cash += change
        with uow() as w:
            ledger = w.session.scalar(
                select(func.coalesce(func.sum(LedgerEntryRow.amount_minor), 0)).where(
                    LedgerEntryRow.portfolio_id == book
                )
            )
        shown = portfolios.get(uow, owner_id=owner, portfolio_id=book)
        assert shown.bankroll_minor == ledger == model.cash
        assert shown.open_stakes_minor == model.equity - model.cash


# -- a race on PostgreSQL ------------------------------------------------------------------


@pytest.mark.postgres
def test_thirty_concurrent_placements_never_jointly_pass_a_cap_or_the_cash(
    postgres_url: str,
) -> None:
    from conftest import _truncate_all  # noqa: PLC0415
    from scoreline.storage.db import make_engine, unit_of_work_factory  # noqa: PLC0415

    engine = make_engine(postgres_url)
    _truncate_all(engine)
    uow = unit_of_work_factory(engine)
    ingest_football_data(uow, [SEASON])
    alice = user(uow, "alice@example.com")
    book = portfolios.create(uow, owner_id=alice, name="main", settings=CAPS)
    portfolios.deposit(uow, owner_id=alice, portfolio_id=book, amount_minor=1_000_000)
    first, second, _ = _matches(uow)
    # Each stake fits every cap alone; the fixture cap (EUR 800.00) takes 5 of them on the
    # first match and the day cap (EUR 1,200.00) 3 more on the second: 8 of 30.
    stake = 15_000
    start = threading.Barrier(30)
    accepted: list[int] = []
    refused: list[str] = []
    lock = threading.Lock()

    def race(on: Match) -> None:
        start.wait()
        try:
            bet_id = _place(uow, alice, book, on, stake)
        except DataError as error:
            with lock:
                refused.append(str(error))
        else:
            with lock:
                accepted.append(bet_id)

    threads = [threading.Thread(target=race, args=((first, second)[i % 2],)) for i in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(accepted) + len(refused) == 30
    with uow() as w:
        stakes = w.bets.list_open_stakes(portfolio_id=book)
        cash = w.ledger.balance(portfolio_id=book)
        fixture_of = {s.fixture_id for s in stakes}
    engine.dispose()
    on_first = sum(s.stake_minor for s in stakes if s.fixture_id == first.fixture_id)
    on_day = sum(s.stake_minor for s in stakes)
    assert fixture_of <= {first.fixture_id, second.fixture_id}
    assert on_first <= 80_000
    assert sum(s.stake_minor for s in stakes if s.fixture_id == second.fixture_id) <= 80_000
    assert on_day <= 120_000
    assert cash == 1_000_000 - on_day >= 0
    # The caps were filled as far as whole stakes go, not refused out of caution.
    assert on_day == 8 * stake
    assert len(accepted) == 8
    assert all("cap" in message and "left; bet refused" in message for message in refused)
