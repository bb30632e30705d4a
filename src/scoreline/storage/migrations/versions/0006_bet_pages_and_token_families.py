"""a portfolio's bets by page, newest first; refresh-token families

``bets`` gets (portfolio_id, id) and (portfolio_id, status, id), which answer
a page of a portfolio's bets, newest first, of every status or of one, from
the index in order; the first replaces the index on portfolio_id alone, which
it covers. ``refresh_tokens.family`` names the sign-in a token descends from
(the jti of its first token), so that replaying a spent token ends the whole
family; tokens issued before this revision are each a family of their own.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("bets") as batch:
        batch.create_index("ix_bets_portfolio_id_id", ["portfolio_id", "id"], unique=False)
        batch.create_index(
            "ix_bets_portfolio_id_status_id", ["portfolio_id", "status", "id"], unique=False
        )
        batch.drop_index(batch.f("ix_bets_portfolio_id"))
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.add_column(sa.Column("family", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_refresh_tokens_family"), ["family"], unique=False)
    tokens = sa.table("refresh_tokens", sa.column("jti", sa.String), sa.column("family", sa.String))
    op.execute(tokens.update().values(family=tokens.c.jti))


def downgrade() -> None:
    with op.batch_alter_table("refresh_tokens") as batch:
        batch.drop_index(batch.f("ix_refresh_tokens_family"))
        batch.drop_column("family")
    with op.batch_alter_table("bets") as batch:
        batch.create_index(batch.f("ix_bets_portfolio_id"), ["portfolio_id"], unique=False)
        batch.drop_index("ix_bets_portfolio_id_status_id")
        batch.drop_index("ix_bets_portfolio_id_id")
