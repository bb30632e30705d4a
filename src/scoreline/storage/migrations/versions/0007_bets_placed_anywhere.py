"""bets placed anywhere; bookmaker accounts and their limitation events

A bet taken at another bookmaker is recorded at the price actually obtained,
so it names no stored odds snapshot: ``bets.odds_snapshot_id`` becomes
nullable, and such a bet carries the bookmaker's name as the user gave it
(``bets.bookmaker``), the known bookmaker of that name when there is one
(``bets.bookmaker_id``, for its closing price) and, optionally, the account it
was staked from (``bets.bookmaker_account_id``). A check keeps every bet
naming either a snapshot or a bookmaker.

``bookmaker_accounts`` are a portfolio's accounts (the balance as the user
last recorded it, in minor units of the account's currency, and the largest
stake the account is known to take); ``limitation_events`` are what each
account refused, and when.

SQLite rebuilds ``bets`` to change a column's nullability, which the
migration environment allows by running migrations with foreign keys off on
SQLite and checking them all before the commit (``migrations/env.py``).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = scoreline.storage.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "bookmaker_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.Column("max_stake_minor", sa.BigInteger(), nullable=True),
        sa.Column("bookmaker_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_bookmaker_accounts_portfolio_id_portfolios"),
        ),
        sa.ForeignKeyConstraint(
            ["bookmaker_id"],
            ["bookmakers.id"],
            name=op.f("fk_bookmaker_accounts_bookmaker_id_bookmakers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmaker_accounts")),
        sa.UniqueConstraint(
            "portfolio_id", "name", name=op.f("uq_bookmaker_accounts_portfolio_id_name")
        ),
    )
    op.create_table(
        "limitation_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=True),
        sa.Column("refused", sa.String(length=200), nullable=False),
        sa.Column("max_stake_minor", sa.BigInteger(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["bookmaker_accounts.id"],
            name=op.f("fk_limitation_events_account_id_bookmaker_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_limitation_events")),
    )
    with op.batch_alter_table("limitation_events") as batch:
        batch.create_index(batch.f("ix_limitation_events_account_id"), ["account_id"], unique=False)
    with op.batch_alter_table("bets") as batch:
        batch.alter_column("odds_snapshot_id", existing_type=_BIG_ID, nullable=True)
        batch.add_column(sa.Column("bookmaker", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("bookmaker_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("bookmaker_account_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_bets_bookmaker_id_bookmakers"), "bookmakers", ["bookmaker_id"], ["id"]
        )
        batch.create_foreign_key(
            batch.f("fk_bets_bookmaker_account_id_bookmaker_accounts"),
            "bookmaker_accounts",
            ["bookmaker_account_id"],
            ["id"],
        )
        batch.create_index(
            batch.f("ix_bets_bookmaker_account_id"), ["bookmaker_account_id"], unique=False
        )
        batch.create_check_constraint(
            "snapshot_or_bookmaker", "odds_snapshot_id IS NOT NULL OR bookmaker IS NOT NULL"
        )


def downgrade() -> None:
    """Back to 0006: refused while a bet recorded from another bookmaker exists, since
    0006 cannot hold it (void or export it first)."""
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT 1 FROM bets WHERE odds_snapshot_id IS NULL")).first():
        raise RuntimeError("bets without an odds snapshot exist; revision 0006 cannot hold them")
    with op.batch_alter_table("bets") as batch:
        batch.drop_constraint(batch.f("ck_bets_snapshot_or_bookmaker"), type_="check")
        batch.drop_index(batch.f("ix_bets_bookmaker_account_id"))
        batch.drop_constraint(
            batch.f("fk_bets_bookmaker_account_id_bookmaker_accounts"), type_="foreignkey"
        )
        batch.drop_constraint(batch.f("fk_bets_bookmaker_id_bookmakers"), type_="foreignkey")
        batch.drop_column("bookmaker_account_id")
        batch.drop_column("bookmaker_id")
        batch.drop_column("bookmaker")
        batch.alter_column("odds_snapshot_id", existing_type=_BIG_ID, nullable=False)
    with op.batch_alter_table("limitation_events") as batch:
        batch.drop_index(batch.f("ix_limitation_events_account_id"))
    op.drop_table("limitation_events")
    op.drop_table("bookmaker_accounts")
