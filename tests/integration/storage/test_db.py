"""The schema comes from Alembic, and types round-trip on both backends."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, column, inspect, select, table, text
from sqlalchemy.exc import StatementError

from scoreline.storage.db import current_revision, downgrade, upgrade
from scoreline.storage.tables import Base, Bookmaker, CompetitionRow, ModelVersion, PortfolioRow
from scoreline.storage.types import Price
from scoreline.storage.unit_of_work import UnitOfWork


def test_upgrade_creates_every_table(engine: Engine) -> None:
    assert current_revision(engine) == "0010"
    assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)


def test_migrations_match_the_table_definitions(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []


def test_downgrade_then_upgrade_round_trips(engine: Engine) -> None:
    downgrade(engine, "base")
    assert current_revision(engine) is None
    assert "fixtures" not in inspect(engine).get_table_names()
    upgrade(engine)
    assert current_revision(engine) == "0010"


def test_unit_of_work_rolls_back_without_commit(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    with unit_of_work() as uow:
        uow.session.add(CompetitionRow(code="E0", name="Premier League", country="England"))
        uow.session.flush()
    with unit_of_work() as uow:
        assert uow.session.scalars(select(CompetitionRow)).all() == []


def test_unit_of_work_rolls_back_on_error(unit_of_work: Callable[[], UnitOfWork]) -> None:
    def add_then_fail() -> None:
        with unit_of_work() as uow:
            uow.session.add(Bookmaker(code="PS", name="Pinnacle"))
            uow.session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        add_then_fail()
    with unit_of_work() as uow:
        assert uow.session.scalars(select(Bookmaker)).all() == []


def test_timestamps_come_back_as_utc(unit_of_work: Callable[[], UnitOfWork]) -> None:
    created = datetime(2024, 3, 31, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    with unit_of_work() as uow:
        uow.session.add(
            ModelVersion(name="m", version="1", created_at=created, params={"a": 1}, metrics={})
        )
        uow.commit()
    with unit_of_work() as uow:
        stored = uow.session.scalars(select(ModelVersion)).one()
        assert stored.created_at == created
        assert stored.created_at.tzinfo == UTC
        assert stored.params == {"a": 1}


def test_naive_timestamps_are_refused(unit_of_work: Callable[[], UnitOfWork]) -> None:
    with unit_of_work() as uow:
        uow.session.add(
            ModelVersion(
                name="m", version="1", created_at=datetime(2024, 1, 1), params={}, metrics={}
            )
        )
        with pytest.raises(StatementError, match="no time zone"):
            uow.session.flush()


def test_portfolios_made_before_the_caps_get_the_default_caps(engine: Engine) -> None:
    downgrade(engine, "0004")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (id, email, password_hash, role, is_active, created_at)"
                " VALUES (1, 'a@example.com', 'x', 'trader', :yes, :now)"
            ),
            {"yes": True, "now": now},
        )
        old = table(
            "portfolios",
            *(column(name) for name in ("id", "owner_id", "name", "currency", "created_at")),
            *(column(name, Price()) for name in ("kelly_fraction", "max_stake_fraction")),
            column("min_edge", Price()),
        )
        connection.execute(
            old.insert().values(
                id=1,
                owner_id=1,
                name="old",
                currency="EUR",
                created_at=now,
                kelly_fraction=Decimal("0.25"),
                max_stake_fraction=Decimal("0.05"),
                min_edge=Decimal("0.02"),
            )
        )
    upgrade(engine)
    with engine.connect() as connection:
        caps = connection.execute(
            select(PortfolioRow.max_fixture_fraction, PortfolioRow.max_day_fraction)
        ).one()
    assert caps == (Decimal("0.1000"), Decimal("0.2500"))
