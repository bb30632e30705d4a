"""alerts: thresholds and webhook per user, followed fixtures, and the alerts told

A trader is told of new value bets above their edge threshold and of line moves
beyond their chosen size on the fixtures they follow (``domain.alerts``), in the
dashboard and optionally at a webhook. ``alerts`` keeps what was told, once per
user and cause (``uq_alerts_user_id_dedup_key``), so a redelivered stream entry tells nothing
twice. New tables only: no existing row changes.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = scoreline.storage.types.UTCDateTime(timezone=True)


def _price() -> scoreline.storage.types.Price:
    return scoreline.storage.types.Price(precision=10, scale=4)


def upgrade() -> None:
    op.create_table(
        "alert_settings",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("value_edge_min", _price(), nullable=True),
        sa.Column("line_move_min", _price(), nullable=True),
        sa.Column("webhook_url", sa.String(length=2048), nullable=True),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_alert_settings_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_alert_settings")),
    )
    op.create_table(
        "followed_fixtures",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fixture_id", sa.Integer(), nullable=False),
        sa.Column("followed_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_followed_fixtures_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["fixture_id"], ["fixtures.id"], name=op.f("fk_followed_fixtures_fixture_id_fixtures")
        ),
        sa.PrimaryKeyConstraint("user_id", "fixture_id", name=op.f("pk_followed_fixtures")),
    )
    with op.batch_alter_table("followed_fixtures") as batch:
        batch.create_index(batch.f("ix_followed_fixtures_fixture_id"), ["fixture_id"], unique=False)
    op.create_table(
        "alerts",
        sa.Column("id", _BIG_ID, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("fixture_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("line_quarters", sa.SmallInteger(), nullable=False),
        sa.Column("selection", sa.String(length=8), nullable=False),
        sa.Column("bookmaker", sa.String(length=64), nullable=False),
        sa.Column("price", _price(), nullable=False),
        sa.Column("previous_price", _price(), nullable=True),
        sa.Column("change", _price(), nullable=True),
        sa.Column("edge", _price(), nullable=True),
        sa.Column("odds_snapshot_id", sa.BigInteger(), nullable=True),
        sa.Column("dedup_key", sa.String(length=96), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("read_at", _WHEN, nullable=True),
        sa.Column("webhook_state", sa.String(length=8), nullable=True),
        sa.Column("webhook_detail", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_alerts_user_id_users")),
        sa.ForeignKeyConstraint(
            ["fixture_id"], ["fixtures.id"], name=op.f("fk_alerts_fixture_id_fixtures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("user_id", "dedup_key", name=op.f("uq_alerts_user_id_dedup_key")),
    )
    with op.batch_alter_table("alerts") as batch:
        batch.create_index(batch.f("ix_alerts_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_index(batch.f("ix_alerts_user_id"))
    op.drop_table("alerts")
    with op.batch_alter_table("followed_fixtures") as batch:
        batch.drop_index(batch.f("ix_followed_fixtures_fixture_id"))
    op.drop_table("followed_fixtures")
    op.drop_table("alert_settings")
