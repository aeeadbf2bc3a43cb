"""Initial schema: charts, tracks, artists, audience, failures and work claims.

Revision ID: e15973b718c8
Revises:
Create Date: 2026-11-26 14:46:51.732888

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "e15973b718c8"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "artist",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("country_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("genres", sa.JSON(), nullable=True),
        sa.Column("image_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("metadata_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_artist_metadata_fetched_at"), "artist", ["metadata_fetched_at"], unique=False
    )
    op.create_index(op.f("ix_artist_uuid"), "artist", ["uuid"], unique=True)

    op.create_table(
        "audience_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("entity_uuid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("series", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("newest_date", sa.Date(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entity_kind", "entity_uuid", "series"),
    )
    op.create_index(
        op.f("ix_audience_check_checked_at"), "audience_check", ["checked_at"], unique=False
    )
    op.create_index(
        op.f("ix_audience_check_entity_uuid"), "audience_check", ["entity_uuid"], unique=False
    )

    op.create_table(
        "chart",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("country_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("frequency", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("chart_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("max_results_count", sa.Integer(), nullable=True),
        sa.Column("metric_type", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_chart_slug"), "chart", ["slug"], unique=True)

    op.create_table(
        "failed_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stage", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("item_uuid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("stage", "item_uuid"),
    )
    op.create_index(
        op.f("ix_failed_item_resolved_at"), "failed_item", ["resolved_at"], unique=False
    )
    op.create_index(op.f("ix_failed_item_stage"), "failed_item", ["stage"], unique=False)

    op.create_table(
        "track",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uuid", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("credit_name", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("isrc", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("release_date", sa.Date(), nullable=True),
        sa.Column("image_url", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("genres", sa.JSON(), nullable=True),
        sa.Column("labels", sa.JSON(), nullable=True),
        sa.Column("metadata_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_track_isrc"), "track", ["isrc"], unique=False)
    op.create_index(
        op.f("ix_track_metadata_fetched_at"), "track", ["metadata_fetched_at"], unique=False
    )
    op.create_index(op.f("ix_track_uuid"), "track", ["uuid"], unique=True)

    op.create_table(
        "work_claim",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(op.f("ix_work_claim_expires_at"), "work_claim", ["expires_at"], unique=False)

    op.create_table(
        "artist_audience_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["artist_id"],
            ["artist.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("artist_id", "platform", "metric", "date"),
    )
    op.create_index(
        op.f("ix_artist_audience_point_artist_id"),
        "artist_audience_point",
        ["artist_id"],
        unique=False,
    )

    op.create_table(
        "ranking_snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chart_id", sa.Integer(), nullable=False),
        sa.Column("ranking_date", sa.Date(), nullable=False),
        sa.Column("ranking_datetime", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["chart_id"],
            ["chart.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chart_id", "ranking_date"),
    )
    op.create_index(
        op.f("ix_ranking_snapshot_chart_id"), "ranking_snapshot", ["chart_id"], unique=False
    )
    op.create_index(
        op.f("ix_ranking_snapshot_ranking_date"), "ranking_snapshot", ["ranking_date"], unique=False
    )

    op.create_table(
        "track_artist",
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["artist_id"],
            ["artist.id"],
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["track.id"],
        ),
        sa.PrimaryKeyConstraint("track_id", "artist_id"),
    )
    op.create_index(op.f("ix_track_artist_artist_id"), "track_artist", ["artist_id"], unique=False)

    op.create_table(
        "track_audience_point",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["track.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("track_id", "platform", "date"),
    )
    op.create_index(
        op.f("ix_track_audience_point_track_id"), "track_audience_point", ["track_id"], unique=False
    )

    op.create_table(
        "ranking_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("old_position", sa.Integer(), nullable=True),
        sa.Column("position_evolution", sa.Integer(), nullable=True),
        sa.Column("time_on_chart", sa.Integer(), nullable=True),
        sa.Column("time_on_chart_unit", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=True),
        sa.Column("metric", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["ranking_snapshot.id"],
        ),
        sa.ForeignKeyConstraint(
            ["track_id"],
            ["track.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("snapshot_id", "track_id"),
    )
    op.create_index(op.f("ix_ranking_entry_position"), "ranking_entry", ["position"], unique=False)
    op.create_index(
        op.f("ix_ranking_entry_snapshot_id"), "ranking_entry", ["snapshot_id"], unique=False
    )
    op.create_index(op.f("ix_ranking_entry_track_id"), "ranking_entry", ["track_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_ranking_entry_track_id"), table_name="ranking_entry")
    op.drop_index(op.f("ix_ranking_entry_snapshot_id"), table_name="ranking_entry")
    op.drop_index(op.f("ix_ranking_entry_position"), table_name="ranking_entry")

    op.drop_table("ranking_entry")
    op.drop_index(op.f("ix_track_audience_point_track_id"), table_name="track_audience_point")

    op.drop_table("track_audience_point")
    op.drop_index(op.f("ix_track_artist_artist_id"), table_name="track_artist")

    op.drop_table("track_artist")
    op.drop_index(op.f("ix_ranking_snapshot_ranking_date"), table_name="ranking_snapshot")
    op.drop_index(op.f("ix_ranking_snapshot_chart_id"), table_name="ranking_snapshot")

    op.drop_table("ranking_snapshot")
    op.drop_index(op.f("ix_artist_audience_point_artist_id"), table_name="artist_audience_point")

    op.drop_table("artist_audience_point")
    op.drop_index(op.f("ix_work_claim_expires_at"), table_name="work_claim")

    op.drop_table("work_claim")
    op.drop_index(op.f("ix_track_uuid"), table_name="track")
    op.drop_index(op.f("ix_track_metadata_fetched_at"), table_name="track")
    op.drop_index(op.f("ix_track_isrc"), table_name="track")

    op.drop_table("track")
    op.drop_index(op.f("ix_failed_item_stage"), table_name="failed_item")
    op.drop_index(op.f("ix_failed_item_resolved_at"), table_name="failed_item")

    op.drop_table("failed_item")
    op.drop_index(op.f("ix_chart_slug"), table_name="chart")

    op.drop_table("chart")
    op.drop_index(op.f("ix_audience_check_entity_uuid"), table_name="audience_check")
    op.drop_index(op.f("ix_audience_check_checked_at"), table_name="audience_check")

    op.drop_table("audience_check")
    op.drop_index(op.f("ix_artist_uuid"), table_name="artist")
    op.drop_index(op.f("ix_artist_metadata_fetched_at"), table_name="artist")

    op.drop_table("artist")
