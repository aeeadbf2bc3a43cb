"""Audience time series of tracks and artists, and what was last checked for each."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from chartcascade.models._base import timestamp_field


# One day's value of a track on a platform (cumulative streams, views, counts; daily radio spins
# under the platform `airplay`).
class TrackAudiencePoint(SQLModel, table=True):
    __tablename__ = "track_audience_point"  # type: ignore[assignment]

    __table_args__ = (
        UniqueConstraint("track_id", "platform", "date"),
        Index("ix_track_audience_point_date", "date"),  # the newest stored day (dashboard)
    )

    id: int | None = Field(default=None, primary_key=True)
    track_id: int = Field(foreign_key="track.id", index=True)
    platform: str = Field(max_length=32)
    date: date
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


# One day's value of an artist metric on a platform (followers, monthly_listeners, ...).
class ArtistAudiencePoint(SQLModel, table=True):
    __tablename__ = "artist_audience_point"  # type: ignore[assignment]

    __table_args__ = (
        UniqueConstraint("artist_id", "platform", "metric", "date"),
        Index("ix_artist_audience_point_date", "date"),  # the newest stored day (dashboard)
        # the newest day of an artist's platform over its metrics (completeness audit)
        Index("ix_artist_audience_point_artist_platform_date", "artist_id", "platform", "date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    artist_id: int = Field(foreign_key="artist.id", index=True)
    platform: str = Field(max_length=32)
    metric: str = Field(max_length=32)
    date: date
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


# The last check of one audience series of one entity: when, up to which date, and the outcome
# ("ok", "empty" when the API had no data in the range, "no_account" when the artist has no
# account on the platform). Absences are facts, not failures.
class AudienceCheck(SQLModel, table=True):
    __tablename__ = "audience_check"  # type: ignore[assignment]

    __table_args__ = (UniqueConstraint("entity_kind", "entity_uuid", "series"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_kind: str = Field(max_length=16)
    entity_uuid: str = Field(max_length=64, index=True)
    series: str = Field(max_length=64)
    status: str = Field(default="ok", max_length=16)
    newest_date: date | None = None
    checked_at: datetime = timestamp_field(index=True)


# One day's radio spins of a track in one country, and the number of stations that played it
# (from the same broadcast-groups answer as the daily total; the total is their sum).
class TrackAirplayCountry(SQLModel, table=True):
    __tablename__ = "track_airplay_country"  # type: ignore[assignment]

    __table_args__ = (UniqueConstraint("track_id", "date", "country_code"),)

    id: int | None = Field(default=None, primary_key=True)
    track_id: int = Field(foreign_key="track.id", index=True)
    date: date
    country_code: str = Field(max_length=8)
    spins: int = Field(sa_column=Column(BigInteger, nullable=False))
    stations: int


# One day's value of an artist metric on a platform in one country (and city; "" for the
# country's own figure), from the artist local streaming endpoint.
class ArtistAudienceCountry(SQLModel, table=True):
    __tablename__ = "artist_audience_country"  # type: ignore[assignment]

    __table_args__ = (
        UniqueConstraint("artist_id", "platform", "metric", "date", "country_code", "city"),
    )

    id: int | None = Field(default=None, primary_key=True)
    artist_id: int = Field(foreign_key="artist.id", index=True)
    platform: str = Field(max_length=32)
    metric: str = Field(max_length=32)
    date: date
    country_code: str = Field(max_length=8)
    city: str = Field(default="", max_length=120)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))
