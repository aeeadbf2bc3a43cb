"""Audience series of tracks and artists, fetched incrementally and stored point by point."""

from __future__ import annotations

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlmodel import Session

from chartcascade.crud.artists import artist_ids
from chartcascade.crud.audience import (
    save_artist_points,
)
from chartcascade.soundcharts import (
    NoAccountError,
    SoundchartsClient,
)
from chartcascade.tasks.airplay import AirplayWork
from chartcascade.tasks.batch import RunContext, run_batch
from chartcascade.tasks.outcome import StageOutcome
from chartcascade.tasks.series import (
    AIRPLAY,
    ARTIST_COUNTERS,
    LISTENING_METRICS,
    AudienceWindow,
    SeriesResult,
    SeriesWork,
)

__all__ = ["AIRPLAY", "AudienceWindow", "SeriesWork", "artist_series_work", "track_series_work"]


class TrackAudienceWork(SeriesWork):
    """Cumulative song audience (streams, views, Shazam counts), summed over identifiers."""

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        start, end = self.ranges[key]
        if start > end:
            return SeriesResult("ok")
        points = client.song_audience(key, self.platform, start, end)
        values = [(self.platform, point.date, point.total) for point in points]
        return SeriesResult("ok" if values else "empty", values)


class ArtistAudienceWork(SeriesWork):
    """Artist followers and the other counters a platform fills."""

    entity_kind = "artist"

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        start, end = self.ranges[key]
        if start > end:
            return SeriesResult("ok")
        try:
            points = client.artist_audience(key, self.platform, start, end)
        except NoAccountError:
            return SeriesResult("no_account")
        values = [
            (metric, point.date, count)
            for point in points
            for metric, attribute in ARTIST_COUNTERS.items()
            if (count := getattr(point, attribute)) is not None
        ]
        return SeriesResult("ok" if values else "empty", values)

    def save_points(self, session: Session, results: list[tuple[str, SeriesResult]]) -> None:
        ids = artist_ids(session, uuids=[key for key, _ in results])
        save_artist_points(
            session,
            points=[
                (ids[key], self.platform, metric, day, value)
                for key, result in results
                for metric, day, value in result.points
            ],
        )


class ArtistListeningWork(ArtistAudienceWork):
    """Artist listening figures: Spotify monthly listeners and the like."""

    @property
    def series(self) -> str:
        return f"listening:{self.platform}"

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        start, end = self.ranges[key]
        if start > end:
            return SeriesResult("ok")
        metric = LISTENING_METRICS.get(self.platform, "listening")
        try:
            points = client.artist_listening(key, self.platform, start, end)
        except NoAccountError:
            return SeriesResult("no_account")
        values = [(metric, point.date, point.value) for point in points]
        return SeriesResult("ok" if values else "empty", values)


def track_series_work(platform: str, window: AudienceWindow) -> SeriesWork:
    """The work for one track platform (`airplay` is radio spins)."""
    return AirplayWork(window) if platform == AIRPLAY else TrackAudienceWork(platform, window)


def artist_series_work(feed: str, platform: str, window: AudienceWindow) -> SeriesWork:
    """The work for one artist feed: `audience` (followers...) or `listening`."""
    if feed == "listening":
        return ArtistListeningWork(platform, window)
    return ArtistAudienceWork(platform, window)


@task(
    name="track-audience",
    task_run_name="track-audience-{platform}-{batch_no}",
    cache_policy=NO_CACHE,
)
def fetch_track_audience(
    batch_no: int, platform: str, uuids: list[str], ctx: RunContext, window: AudienceWindow
) -> StageOutcome:
    """Fetch one platform's audience for one batch of tracks."""
    return run_batch(track_series_work(platform, window), uuids, ctx)


@task(
    name="artist-audience",
    task_run_name="artist-{feed}-{platform}-{batch_no}",
    cache_policy=NO_CACHE,
)
def fetch_artist_audience(
    batch_no: int,
    feed: str,
    platform: str,
    uuids: list[str],
    ctx: RunContext,
    window: AudienceWindow,
) -> StageOutcome:
    """Fetch one artist feed on one platform for one batch of artists."""
    return run_batch(artist_series_work(feed, platform, window), uuids, ctx)
