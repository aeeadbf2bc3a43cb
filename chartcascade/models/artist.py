"""Artists, known by their Soundcharts uuid."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from chartcascade.models._base import optional_timestamp_field, timestamp_field


# An artist; created from a track's credits, completed when its metadata is fetched.
class Artist(SQLModel, table=True):
    __tablename__ = "artist"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(unique=True, index=True, max_length=64)
    slug: str | None = Field(default=None, max_length=200)
    name: str | None = None
    country_code: str | None = Field(default=None, max_length=8)
    genres: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    image_url: str | None = None
    metadata_fetched_at: datetime | None = optional_timestamp_field(index=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()
