"""Watched artists; per-country radio spins and artist audience.

Revision ID: c3a1f0d2b4e6
Revises: b7d3c1a2e4f5
Create Date: 2026-12-01 22:45:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c3a1f0d2b4e6"
down_revision: str | Sequence[str] | None = "b7d3c1a2e4f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "watched_artist",
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["artist_id"], ["artist.id"]),
        sa.PrimaryKeyConstraint("artist_id"),
    )
    op.create_table(
        "track_airplay_country",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("track_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("country_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("spins", sa.BigInteger(), nullable=False),
        sa.Column("stations", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["track_id"], ["track.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("track_id", "date", "country_code"),
    )
    op.create_index(
        op.f("ix_track_airplay_country_track_id"), "track_airplay_country", ["track_id"]
    )
    op.create_table(
        "artist_audience_country",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("artist_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("metric", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("country_code", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("city", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["artist_id"], ["artist.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("artist_id", "platform", "metric", "date", "country_code", "city"),
    )
    op.create_index(
        op.f("ix_artist_audience_country_artist_id"), "artist_audience_country", ["artist_id"]
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_artist_audience_country_artist_id"), "artist_audience_country")
    op.drop_table("artist_audience_country")
    op.drop_index(op.f("ix_track_airplay_country_track_id"), "track_airplay_country")
    op.drop_table("track_airplay_country")
    op.drop_table("watched_artist")
