"""worker heartbeats: which ML workers run, and which model version each serves

Every ML worker process upserts one row, keyed by its consumer name, every few
seconds: its host and pid, when it started and was last seen, the model
version it serves (``model_versions.id``), its heartbeat interval and its
counts, and its state (``running``, ``stopping``, ``stopped``). Rows are kept
after a worker stops; the admin status lists those seen within a day. A new
table only, so no existing row changes.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None

_WHEN = scoreline.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "worker_heartbeats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consumer", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", _WHEN, nullable=False),
        sa.Column("last_seen_at", _WHEN, nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("beat_every_s", sa.Float(), nullable=False),
        sa.Column("entries_handled", sa.BigInteger(), nullable=False),
        sa.Column("predictions", sa.BigInteger(), nullable=False),
        sa.Column("dead_lettered", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.CheckConstraint(
            "state IN ('running', 'stopping', 'stopped')", name=op.f("ck_worker_heartbeats_state")
        ),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_versions.id"],
            name=op.f("fk_worker_heartbeats_model_version_id_model_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_heartbeats")),
        sa.UniqueConstraint("consumer", name=op.f("uq_worker_heartbeats_consumer")),
    )
    with op.batch_alter_table("worker_heartbeats") as batch:
        batch.create_index(
            batch.f("ix_worker_heartbeats_last_seen_at"), ["last_seen_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("worker_heartbeats") as batch:
        batch.drop_index(batch.f("ix_worker_heartbeats_last_seen_at"))
    op.drop_table("worker_heartbeats")
