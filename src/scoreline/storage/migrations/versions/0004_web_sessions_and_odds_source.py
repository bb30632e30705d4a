"""web sessions for the dashboard; where each odds snapshot came from

``odds_snapshots.source`` tells a football-data row (``file``) from a live
tick (``live``), so reloading a corrected season file never removes or
rewrites what the feeds stored. Every row present before this revision came
from the files or from a replay of them; they are marked ``file``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 23:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_sessions_token_hash")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"], unique=False)
    # A constant default: PostgreSQL adds the column without rewriting the table.
    with op.batch_alter_table("odds_snapshots") as batch:
        batch.add_column(
            sa.Column("source", sa.String(length=8), server_default="file", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("odds_snapshots") as batch:
        batch.drop_column("source")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
