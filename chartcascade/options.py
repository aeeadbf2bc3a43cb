"""The options of a chart sync: one pydantic model, so the Prefect UI draws a complete form."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chartcascade.platforms import ArtistPlatform, ListeningPlatform, TrackPlatform

DEFAULT_TRACK_PLATFORMS = [
    TrackPlatform.SPOTIFY,
    TrackPlatform.YOUTUBE,
    TrackPlatform.SHAZAM,
    TrackPlatform.AIRPLAY,
]
DEFAULT_ARTIST_PLATFORMS = [
    ArtistPlatform.SPOTIFY,
    ArtistPlatform.YOUTUBE,
    ArtistPlatform.INSTAGRAM,
    ArtistPlatform.TIKTOK,
]
DEFAULT_LISTENING_PLATFORMS = [ListeningPlatform.SPOTIFY]
PLATFORM_FIELDS = ("track_platforms", "artist_platforms", "listening_platforms")


class RefreshOptions(BaseModel):
    """What counts as fresh, and which audience series are kept: shared by chart runs and the
    backlog sweep."""

    model_config = ConfigDict(extra="forbid")

    track_platforms: list[TrackPlatform] = Field(
        DEFAULT_TRACK_PLATFORMS,
        description="Track audience platforms, in priority order; `airplay` is radio spins.",
    )
    artist_platforms: list[ArtistPlatform] = Field(
        DEFAULT_ARTIST_PLATFORMS,
        description="Platforms whose artist audience (followers and other counters) is fetched.",
    )
    listening_platforms: list[ListeningPlatform] = Field(
        DEFAULT_LISTENING_PLATFORMS,
        description="Platforms whose artist listening (Spotify monthly listeners) is fetched.",
    )
    local_streaming_platforms: list[ListeningPlatform] = Field(
        [],
        description="Platforms whose artist local streaming (listeners per country) is fetched: "
        "one more call per artist per 90 days, besides listening.",
    )
    store_cities: bool = Field(
        False, description="Local streaming also keeps its per-city figures (no extra call)."
    )
    metadata_max_age_days: float = Field(
        7.0, gt=0, le=365, description="Metadata older than this many days is fetched again."
    )
    audience_max_age_hours: float = Field(
        20.0,
        gt=0,
        le=24 * 90,
        description="An audience series checked within this window is skipped.",
    )
    lookback_days: int = Field(
        90,
        ge=1,
        le=730,
        description="How far back audience goes for a series seen for the first time.",
    )
    airplay_lookback_days: int = Field(
        7,
        ge=1,
        le=90,
        description="How many days of radio spins a new track starts with (one call per day).",
    )

    @property
    def artist_feeds(self) -> list[tuple[str, str]]:
        """(feed, platform) of every artist series asked for: audience, listening, then
        local streaming."""
        feeds: list[tuple[str, str]] = [("audience", p) for p in self.artist_platforms]
        feeds += [("listening", p) for p in self.listening_platforms]
        return feeds + [("streaming", p) for p in self.local_streaming_platforms]

    @field_validator(*PLATFORM_FIELDS, "local_streaming_platforms")
    @classmethod
    def _each_platform_once(cls, platforms: list[StrEnum]) -> list[StrEnum]:
        """A platform listed twice would be fetched (and paid for) twice."""
        twice = sorted({p.value for p in platforms if platforms.count(p) > 1})
        if twice:
            raise ValueError(f"{', '.join(twice)} listed more than once")
        return platforms


class SyncOptions(RefreshOptions):
    """How far a chart sync goes, what it refreshes and what it may spend."""

    auto_fetch_track_metadata: bool = Field(
        True, description="Fetch metadata (and credited artists) of new or stale tracks."
    )
    auto_fetch_artist_metadata: bool = Field(
        True, description="Fetch metadata of new or stale artists of the charted tracks."
    )
    auto_fetch_audience: bool = Field(
        True, description="Fetch audience series of the charted tracks and their artists."
    )
    metadata_delay_seconds: float = Field(
        0.0, ge=0, le=3600, description="Pause before the metadata stages start."
    )
    audience_delay_seconds: float = Field(
        0.0, ge=0, le=3600, description="Pause before the audience stages start."
    )
    force_refresh: bool = Field(
        False, description="Refetch metadata and audience even when it is still fresh."
    )
    top_n: int | None = Field(
        None,
        ge=1,
        le=1000,
        description="Only the top N positions go past track metadata; empty = all.",
    )
    max_api_calls: int | None = Field(
        None,
        ge=1,
        description="Budget of API calls for the run: it stops cleanly before exceeding it "
        "and reports what it left undone; empty = no budget.",
    )
