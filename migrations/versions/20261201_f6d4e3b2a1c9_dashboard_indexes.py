"""Indexes the dashboard's reads need: the newest stored day, and open failures by item.

Plain CREATE INDEX (no table rebuild), so the BI views stay as they are.

Revision ID: f6d4e3b2a1c9
Revises: e5c3d2a1f6b8
Create Date: 2026-12-01 23:30:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "f6d4e3b2a1c9"
down_revision: str | Sequence[str] | None = "e5c3d2a1f6b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_track_audience_point_date", "track_audience_point", ["date"]),
    ("ix_artist_audience_point_date", "artist_audience_point", ["date"]),
    ("ix_failed_item_item_uuid", "failed_item", ["item_uuid"]),
)


def upgrade() -> None:
    """Upgrade schema."""
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    """Downgrade schema."""
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
