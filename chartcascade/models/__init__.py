"""SQLModel tables of chartcascade, one module per noun."""

from chartcascade.models.artist import Artist
from chartcascade.models.audience import (
    ArtistAudienceCountry,
    ArtistAudiencePoint,
    AudienceCheck,
    TrackAirplayCountry,
    TrackAudiencePoint,
)
from chartcascade.models.chart import Chart, RankingEntry, RankingSnapshot
from chartcascade.models.track import Track, TrackArtist
from chartcascade.models.watch import WatchedArtist
from chartcascade.models.work import FailedItem, WorkClaim

__all__ = [
    "Artist",
    "ArtistAudienceCountry",
    "ArtistAudiencePoint",
    "AudienceCheck",
    "Chart",
    "FailedItem",
    "RankingEntry",
    "RankingSnapshot",
    "Track",
    "TrackAirplayCountry",
    "TrackArtist",
    "TrackAudiencePoint",
    "WatchedArtist",
    "WorkClaim",
]
