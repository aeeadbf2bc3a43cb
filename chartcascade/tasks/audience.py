"""Audience series of tracks and artists, fetched incrementally and stored point by point."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.logging import get_run_logger
from sqlmodel import Session

from chartcascade.crud.artists import artist_ids
from chartcascade.crud.audience import save_artist_points, series_corrections
from chartcascade.soundcharts import (
    NoAccountError,
    SoundchartsClient,
)
from chartcascade.soundcharts.totals import song_totals
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


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


class TrackAudienceWork(SeriesWork):
    """Cumulative song audience (streams, views, Shazam counts), summed over identifiers.

    A day missing an identifier's value is not stored; the window restarts at the first such
    day (`song_totals`). A window that goes on from a stored day starts one day earlier, so
    the identifiers of that last complete day are known to the totals after it.
    """

    def select(self, session: Session, keys: Sequence[str]) -> dict[str, bool]:
        needed = super().select(session, keys)
        first_start = self.first_range()[0]
        for key in needed:
            start, end = self.ranges[key]
            if first_start < start <= end:  # the window goes on after a stored newest day
                self.ranges[key] = (start - timedelta(days=1), end)
        return needed

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        start, end = self.ranges[key]
        if start > end:
            return SeriesResult("ok")
        found = song_totals(client.song_audience(key, self.platform, start, end))
        values = [(self.platform, day, total) for day, total in found.totals]
        resume_from = found.incomplete[0] if found.incomplete else None
        status = "ok" if values or resume_from else "empty"
        return SeriesResult(status, values, resume_from=resume_from)

    def save(self, session: Session, results: list[tuple[str, SeriesResult]]) -> None:
        super().save(session, results)
        saved = [day for _, result in results for _, day, _ in result.points]
        if not saved:
            return
        uuids = [key for key, result in results if result.points]
        for found in series_corrections(
            session, uuids=uuids, platforms=[self.platform], since=min(saved)
        ):
            _logger().warning(
                "The API lowered the %s total of track %s on %s: %d after %d on %s",
                found.platform,
                found.track_uuid,
                found.day,
                found.value,
                found.previous_value,
                found.previous_day,
            )


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
