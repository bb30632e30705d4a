"""live pipeline: predictions name their tick, markets and feature hash; the odds outbox

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 14:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "odds_outbox",
        sa.Column("odds_snapshot_id", _BIG_ID, autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["odds_snapshot_id"],
            ["odds_snapshots.id"],
            name=op.f("fk_odds_outbox_odds_snapshot_id_odds_snapshots"),
        ),
        sa.PrimaryKeyConstraint("odds_snapshot_id", name=op.f("pk_odds_outbox")),
    )
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("odds_snapshot_id", _BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("markets", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("feature_hash", sa.String(length=64), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_predictions_odds_snapshot_id"), ["odds_snapshot_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_predictions_odds_snapshot_id_odds_snapshots"),
            "odds_snapshots",
            ["odds_snapshot_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_predictions_odds_snapshot_id_odds_snapshots"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_predictions_odds_snapshot_id"))
        batch_op.drop_column("feature_hash")
        batch_op.drop_column("markets")
        batch_op.drop_column("odds_snapshot_id")
    op.drop_table("odds_outbox")
