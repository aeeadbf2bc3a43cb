"""Charts, their ranking snapshots and the entries of each snapshot."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from chartcascade.models._base import optional_timestamp_field, timestamp_field


# A Soundcharts song chart, known by its slug.
class Chart(SQLModel, table=True):
    __tablename__ = "chart"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(unique=True, index=True, max_length=200)
    name: str | None = None
    platform: str | None = Field(default=None, max_length=64)
    country_code: str | None = Field(default=None, max_length=8)
    frequency: str | None = Field(default=None, max_length=32)
    chart_type: str | None = Field(default=None, max_length=64)
    max_results_count: int | None = None
    metric_type: str | None = Field(default=None, max_length=64)
    # The platforms and windows of the chart's last sync (a `RefreshOptions` dump), so the sweep,
    # `status` and the reports follow the chart's own choices.
    sync_options: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    last_synced_at: datetime | None = optional_timestamp_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


# One ranking of a chart on one date, as fetched.
class RankingSnapshot(SQLModel, table=True):
    __tablename__ = "ranking_snapshot"  # type: ignore[assignment]

    __table_args__ = (UniqueConstraint("chart_id", "ranking_date"),)

    id: int | None = Field(default=None, primary_key=True)
    chart_id: int = Field(foreign_key="chart.id", index=True)
    ranking_date: date = Field(index=True)
    ranking_datetime: str | None = Field(default=None, max_length=40)
    entry_count: int = 0
    fetched_at: datetime | None = optional_timestamp_field()


# A track's place in one ranking snapshot; `off_chart` entries (position 0: the track left the
# chart) are kept and sort after every charted position.
class RankingEntry(SQLModel, table=True):
    __tablename__ = "ranking_entry"  # type: ignore[assignment]

    __table_args__ = (UniqueConstraint("snapshot_id", "track_id"),)

    id: int | None = Field(default=None, primary_key=True)
    snapshot_id: int = Field(foreign_key="ranking_snapshot.id", index=True)
    track_id: int = Field(foreign_key="track.id", index=True)
    position: int = Field(index=True)
    off_chart: bool = False
    old_position: int | None = None
    position_evolution: int | None = None
    time_on_chart: int | None = None
    time_on_chart_unit: str | None = Field(default=None, max_length=8)
    entry_date: date | None = None
    metric: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
