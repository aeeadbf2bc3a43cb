"""Trust the data: off-chart entries, each chart's last sync options, permanent failures.

Revision ID: b7d3c1a2e4f5
Revises: e15973b718c8
Create Date: 2026-12-01 22:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d3c1a2e4f5"
down_revision: str | Sequence[str] | None = "e15973b718c8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("ranking_entry") as batch:
        batch.add_column(
            sa.Column("off_chart", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute("UPDATE ranking_entry SET off_chart = (position <= 0)")
    with op.batch_alter_table("chart") as batch:
        batch.add_column(sa.Column("sync_options", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("failed_item") as batch:
        batch.add_column(
            sa.Column("permanent", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("failed_item") as batch:
        batch.drop_column("permanent")
    with op.batch_alter_table("chart") as batch:
        batch.drop_column("last_synced_at")
        batch.drop_column("sync_options")
    with op.batch_alter_table("ranking_entry") as batch:
        batch.drop_column("off_chart")
