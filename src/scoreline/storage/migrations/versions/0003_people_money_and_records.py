"""people, money and records: users, keys, portfolios, the ledger, bets, the audit chain

The ledger and the audit snapshots are append-only: triggers on both backends
refuse UPDATE and DELETE, so no code path can rewrite them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 15:23:33.571900
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "last_used_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_api_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("public_id", name=op.f("uq_api_keys_public_id")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_user_id"), ["user_id"], unique=False)

    op.create_table(
        "portfolios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "kelly_fraction", scoreline.storage.types.Price(precision=10, scale=4), nullable=False
        ),
        sa.Column(
            "max_stake_fraction",
            scoreline.storage.types.Price(precision=10, scale=4),
            nullable=False,
        ),
        sa.Column("min_edge", scoreline.storage.types.Price(precision=10, scale=4), nullable=False),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_portfolios_owner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolios")),
        sa.UniqueConstraint("owner_id", "name", name=op.f("uq_portfolios_owner_id_name")),
    )
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portfolios_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "refresh_tokens",
        sa.Column("jti", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_refresh_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("jti", name=op.f("pk_refresh_tokens")),
    )
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_refresh_tokens_user_id"), ["user_id"], unique=False)

    op.create_table(
        "bets",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("fixture_id", sa.Integer(), nullable=False),
        sa.Column(
            "odds_snapshot_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "prediction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("selection", sa.String(length=8), nullable=False),
        sa.Column("line_quarters", sa.SmallInteger(), nullable=False),
        sa.Column("odds", scoreline.storage.types.Price(precision=10, scale=4), nullable=False),
        sa.Column("stake_minor", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("payout_minor", sa.BigInteger(), nullable=True),
        sa.Column("placed_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("settled_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["fixture_id"], ["fixtures.id"], name=op.f("fk_bets_fixture_id_fixtures")
        ),
        sa.ForeignKeyConstraint(
            ["odds_snapshot_id"],
            ["odds_snapshots.id"],
            name=op.f("fk_bets_odds_snapshot_id_odds_snapshots"),
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"], ["portfolios.id"], name=op.f("fk_bets_portfolio_id_portfolios")
        ),
        sa.ForeignKeyConstraint(
            ["prediction_id"], ["predictions.id"], name=op.f("fk_bets_prediction_id_predictions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bets")),
    )
    with op.batch_alter_table("bets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bets_fixture_id"), ["fixture_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bets_portfolio_id"), ["portfolio_id"], unique=False)

    op.create_table(
        "audit_snapshots",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("bet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bet_id"], ["bets.id"], name=op.f("fk_audit_snapshots_bet_id_bets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_snapshots")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_snapshots_hash")),
    )
    with op.batch_alter_table("audit_snapshots", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_snapshots_bet_id"), ["bet_id"], unique=False)

    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("portfolio_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("bet_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bet_id"], ["bets.id"], name=op.f("fk_ledger_entries_bet_id_bets")
        ),
        sa.ForeignKeyConstraint(
            ["portfolio_id"],
            ["portfolios.id"],
            name=op.f("fk_ledger_entries_portfolio_id_portfolios"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
    )
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entries_bet_id"), ["bet_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_ledger_entries_portfolio_id"), ["portfolio_id"], unique=False
        )

    _append_only("ledger_entries")
    _append_only("audit_snapshots")


def downgrade() -> None:
    for table in ("ledger_entries", "audit_snapshots"):
        for statement in _drop_append_only(table):
            op.execute(statement)
    with op.batch_alter_table("ledger_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entries_portfolio_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entries_bet_id"))

    op.drop_table("ledger_entries")
    with op.batch_alter_table("audit_snapshots", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_snapshots_bet_id"))

    op.drop_table("audit_snapshots")
    with op.batch_alter_table("bets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bets_portfolio_id"))
        batch_op.drop_index(batch_op.f("ix_bets_fixture_id"))

    op.drop_table("bets")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refresh_tokens_user_id"))

    op.drop_table("refresh_tokens")
    with op.batch_alter_table("portfolios", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portfolios_owner_id"))

    op.drop_table("portfolios")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_user_id"))

    op.drop_table("api_keys")
    op.drop_table("users")


def _append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on ``table`` (records are never rewritten)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '{table} is append-only: % refused', TG_OP;
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{table} is append-only: {action} refused'); END"
        )


def _drop_append_only(table: str) -> list[str]:
    if op.get_bind().dialect.name == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP FUNCTION IF EXISTS {table}_append_only()",
        ]
    return [f"DROP TRIGGER IF EXISTS {table}_no_{a} " for a in ("update", "delete")]
