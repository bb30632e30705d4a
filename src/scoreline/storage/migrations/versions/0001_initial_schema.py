"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-26 12:09:09.393451
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import scoreline.storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:

    op.create_table(
        "bookmakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmakers")),
        sa.UniqueConstraint("code", name=op.f("uq_bookmakers_code")),
    )
    op.create_table(
        "competitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competitions")),
        sa.UniqueConstraint("code", name=op.f("uq_competitions_code")),
    )
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("version", sa.String(length=60), nullable=False),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("trained_from", sa.Date(), nullable=True),
        sa.Column("trained_to", sa.Date(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("artifact_path", sa.String(length=500), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_model_versions_name_version")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("name", "country", name=op.f("uq_teams_name_country")),
    )
    op.create_table(
        "seasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=9), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_seasons_competition_id_competitions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seasons")),
        sa.UniqueConstraint(
            "competition_id", "label", name=op.f("uq_seasons_competition_id_label")
        ),
    )
    op.create_table(
        "team_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("country", sa.String(length=60), nullable=False),
        sa.Column("alias", sa.String(length=120), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_aliases_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_aliases")),
        sa.UniqueConstraint(
            "provider", "country", "alias", name=op.f("uq_team_aliases_provider_country_alias")
        ),
    )
    with op.batch_alter_table("team_aliases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_aliases_team_id"), ["team_id"], unique=False)

    op.create_table(
        "fixtures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("home_team_id", sa.Integer(), nullable=False),
        sa.Column("away_team_id", sa.Integer(), nullable=False),
        sa.Column("match_date", sa.Date(), nullable=False),
        sa.Column(
            "kickoff_utc", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("has_kickoff_time", sa.Boolean(), nullable=False),
        sa.Column("neutral", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("referee", sa.String(length=80), nullable=True),
        sa.ForeignKeyConstraint(
            ["away_team_id"], ["teams.id"], name=op.f("fk_fixtures_away_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["competitions.id"],
            name=op.f("fk_fixtures_competition_id_competitions"),
        ),
        sa.ForeignKeyConstraint(
            ["home_team_id"], ["teams.id"], name=op.f("fk_fixtures_home_team_id_teams")
        ),
        sa.ForeignKeyConstraint(
            ["season_id"], ["seasons.id"], name=op.f("fk_fixtures_season_id_seasons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fixtures")),
        sa.UniqueConstraint(
            "home_team_id",
            "away_team_id",
            "match_date",
            name=op.f("uq_fixtures_home_team_id_away_team_id_match_date"),
        ),
    )
    with op.batch_alter_table("fixtures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_fixtures_away_team_id"), ["away_team_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_fixtures_match_date"), ["match_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_fixtures_season_id"), ["season_id"], unique=False)

    op.create_table(
        "source_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("season_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("padding_rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["season_id"], ["seasons.id"], name=op.f("fk_source_files_season_id_seasons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_files")),
        sa.UniqueConstraint(
            "provider", "season_id", name=op.f("uq_source_files_provider_season_id")
        ),
    )
    op.create_table(
        "ingest_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_file_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_file_id"],
            ["source_files.id"],
            name=op.f("fk_ingest_problems_source_file_id_source_files"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_problems")),
    )
    with op.batch_alter_table("ingest_problems", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ingest_problems_source_file_id"), ["source_file_id"], unique=False
        )

    op.create_table(
        "odds_snapshots",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fixture_id", sa.Integer(), nullable=False),
        sa.Column("bookmaker_id", sa.Integer(), nullable=False),
        sa.Column("market", sa.String(length=16), nullable=False),
        sa.Column("line_quarters", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column(
            "captured_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("home", scoreline.storage.types.Price(precision=10, scale=4), nullable=True),
        sa.Column("draw", scoreline.storage.types.Price(precision=10, scale=4), nullable=True),
        sa.Column("away", scoreline.storage.types.Price(precision=10, scale=4), nullable=True),
        sa.Column("over", scoreline.storage.types.Price(precision=10, scale=4), nullable=True),
        sa.Column("under", scoreline.storage.types.Price(precision=10, scale=4), nullable=True),
        sa.ForeignKeyConstraint(
            ["bookmaker_id"],
            ["bookmakers.id"],
            name=op.f("fk_odds_snapshots_bookmaker_id_bookmakers"),
        ),
        sa.ForeignKeyConstraint(
            ["fixture_id"], ["fixtures.id"], name=op.f("fk_odds_snapshots_fixture_id_fixtures")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_odds_snapshots")),
        sa.UniqueConstraint(
            "fixture_id",
            "bookmaker_id",
            "market",
            "line_quarters",
            "kind",
            "captured_at",
            name="uq_odds_snapshots_natural_key",
        ),
    )
    op.create_table(
        "predictions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("fixture_id", sa.Integer(), nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("trigger", sa.String(length=60), nullable=False),
        sa.Column("created_at", scoreline.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("home_goals_expectation", sa.Float(), nullable=False),
        sa.Column("away_goals_expectation", sa.Float(), nullable=False),
        sa.Column("rho", sa.Float(), nullable=False),
        sa.Column("p_home", sa.Float(), nullable=False),
        sa.Column("p_draw", sa.Float(), nullable=False),
        sa.Column("p_away", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fixture_id"], ["fixtures.id"], name=op.f("fk_predictions_fixture_id_fixtures")
        ),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_versions.id"],
            name=op.f("fk_predictions_model_version_id_model_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_predictions")),
        sa.UniqueConstraint(
            "fixture_id",
            "model_version_id",
            "trigger",
            name=op.f("uq_predictions_fixture_id_model_version_id_trigger"),
        ),
    )
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_predictions_fixture_id"), ["fixture_id"], unique=False)

    op.create_table(
        "results",
        sa.Column("fixture_id", sa.Integer(), nullable=False),
        sa.Column("home_goals", sa.SmallInteger(), nullable=False),
        sa.Column("away_goals", sa.SmallInteger(), nullable=False),
        sa.Column("home_goals_ht", sa.SmallInteger(), nullable=True),
        sa.Column("away_goals_ht", sa.SmallInteger(), nullable=True),
        sa.Column("home_shots", sa.SmallInteger(), nullable=True),
        sa.Column("away_shots", sa.SmallInteger(), nullable=True),
        sa.Column("home_shots_on_target", sa.SmallInteger(), nullable=True),
        sa.Column("away_shots_on_target", sa.SmallInteger(), nullable=True),
        sa.Column("home_corners", sa.SmallInteger(), nullable=True),
        sa.Column("away_corners", sa.SmallInteger(), nullable=True),
        sa.Column("home_fouls", sa.SmallInteger(), nullable=True),
        sa.Column("away_fouls", sa.SmallInteger(), nullable=True),
        sa.Column("home_yellow_cards", sa.SmallInteger(), nullable=True),
        sa.Column("away_yellow_cards", sa.SmallInteger(), nullable=True),
        sa.Column("home_red_cards", sa.SmallInteger(), nullable=True),
        sa.Column("away_red_cards", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fixture_id"], ["fixtures.id"], name=op.f("fk_results_fixture_id_fixtures")
        ),
        sa.PrimaryKeyConstraint("fixture_id", name=op.f("pk_results")),
    )


def downgrade() -> None:

    op.drop_table("results")
    with op.batch_alter_table("predictions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_predictions_fixture_id"))

    op.drop_table("predictions")
    op.drop_table("odds_snapshots")
    with op.batch_alter_table("ingest_problems", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingest_problems_source_file_id"))

    op.drop_table("ingest_problems")
    op.drop_table("source_files")
    with op.batch_alter_table("fixtures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fixtures_season_id"))
        batch_op.drop_index(batch_op.f("ix_fixtures_match_date"))
        batch_op.drop_index(batch_op.f("ix_fixtures_away_team_id"))

    op.drop_table("fixtures")
    with op.batch_alter_table("team_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_team_aliases_team_id"))

    op.drop_table("team_aliases")
    op.drop_table("seasons")
    op.drop_table("teams")
    op.drop_table("model_versions")
    op.drop_table("competitions")
    op.drop_table("bookmakers")
