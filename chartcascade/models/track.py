"""Tracks (Soundcharts songs) and their links to artists."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from chartcascade.models._base import optional_timestamp_field, timestamp_field


# A song, known by its Soundcharts uuid; metadata fields stay empty until fetched.
class Track(SQLModel, table=True):
    __tablename__ = "track"  # type: ignore[assignment]

    id: int | None = Field(default=None, primary_key=True)
    uuid: str = Field(unique=True, index=True, max_length=64)
    name: str | None = None
    credit_name: str | None = None
    isrc: str | None = Field(default=None, max_length=32, index=True)
    release_date: date | None = None
    image_url: str | None = None
    genres: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    labels: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    metadata_fetched_at: datetime | None = optional_timestamp_field(index=True)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


# An artist credited on a track: main or featured, in credit order.
class TrackArtist(SQLModel, table=True):
    __tablename__ = "track_artist"  # type: ignore[assignment]

    track_id: int = Field(foreign_key="track.id", primary_key=True)
    artist_id: int = Field(foreign_key="artist.id", primary_key=True, index=True)
    role: str = Field(default="main", max_length=16)
    position: int = 0
