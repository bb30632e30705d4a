"""a fixture's true kick-off, when a replay moved it onto another clock

``scoreline up`` replays past matches on today's clock, compressed, so that the
book's time rules (what is upcoming, when a bet is too late, when a result may
be recorded) work as they do live. Their features and refits must see the
gaps the matches really had: ``fixtures.true_kickoff_utc`` keeps the kick-off
the match was played at, beside the wall-clock ``kickoff_utc`` the book uses.
It is NULL for every real fixture (files and live feeds), whose kick-off is
true already, so no existing row changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("fixtures") as batch:
        batch.add_column(
            sa.Column(
                "true_kickoff_utc",
                scoreline.storage.types.UTCDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("fixtures") as batch:
        batch.drop_column("true_kickoff_utc")
