"""SQLModel tables of chartcascade, one module per noun."""

from chartcascade.models.artist import Artist
from chartcascade.models.audience import ArtistAudiencePoint, AudienceCheck, TrackAudiencePoint
from chartcascade.models.chart import Chart, RankingEntry, RankingSnapshot
from chartcascade.models.track import Track, TrackArtist
from chartcascade.models.work import FailedItem, WorkClaim

__all__ = [
    "Artist",
    "ArtistAudiencePoint",
    "AudienceCheck",
    "Chart",
    "FailedItem",
    "RankingEntry",
    "RankingSnapshot",
    "Track",
    "TrackArtist",
    "TrackAudiencePoint",
    "WorkClaim",
]
