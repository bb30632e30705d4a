"""portfolio caps on the exposure per fixture and per day

A portfolio already caps each suggested stake (``max_stake_fraction``); these
cap what is open on one fixture and on one kick-off day (UTC), as shares of
the bankroll. Existing portfolios get the defaults new ones get: 10% per
fixture, 25% per day.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 03:10:00
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None

_COLUMNS = {"max_fixture_fraction": Decimal("0.10"), "max_day_fraction": Decimal("0.25")}


def upgrade() -> None:
    # Added empty, filled through the Price type (an integer of 1/10,000ths on SQLite, a
    # NUMERIC on PostgreSQL), then made required: one path for both backends.
    with op.batch_alter_table("portfolios") as batch:
        for name in _COLUMNS:
            batch.add_column(sa.Column(name, scoreline.storage.types.Price(), nullable=True))
    portfolios = sa.table(
        "portfolios", *(sa.column(name, scoreline.storage.types.Price()) for name in _COLUMNS)
    )
    op.execute(portfolios.update().values(**_COLUMNS))
    with op.batch_alter_table("portfolios") as batch:
        for name in _COLUMNS:
            batch.alter_column(name, existing_type=scoreline.storage.types.Price(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("portfolios") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
