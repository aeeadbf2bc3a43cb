"""Artists a user follows whether they chart or not."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from chartcascade.models._base import timestamp_field


# An artist on the watchlist: synced by `artists sync` and the sweep even when it does not chart.
class WatchedArtist(SQLModel, table=True):
    __tablename__ = "watched_artist"  # type: ignore[assignment]

    artist_id: int = Field(foreign_key="artist.id", primary_key=True)
    added_at: datetime = timestamp_field()
