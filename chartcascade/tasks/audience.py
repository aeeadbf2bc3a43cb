"""Audience series of tracks and artists, fetched incrementally and stored point by point."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.logging import get_run_logger
from sqlmodel import Session

from chartcascade.crud.artists import artist_ids
from chartcascade.crud.audience import save_artist_points, series_corrections
from chartcascade.crud.countries import ArtistCountryRow, replace_artist_countries
from chartcascade.soundcharts import (
    NoAccountError,
    SoundchartsClient,
)
from chartcascade.soundcharts.schemas import StreamingPoint
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


@dataclass
class StreamingResult(SeriesResult):
    """The days served as points (with the day's value, 0 when left out; not stored) and
    the places they named: (country code, city or "", date, value)."""

    places: list[tuple[str, str, date, int]] = field(default_factory=list)


def streaming_places(
    points: Sequence[StreamingPoint], with_cities: bool
) -> list[tuple[str, str, date, int]]:
    """(country, city or "", date, value) of every place with a code and a value; cities
    (those naming their country) only `with_cities`."""
    found = [
        (place.country_code, "", point.date, place.value)
        for point in points
        for place in point.countries
        if place.country_code and place.value is not None
    ]
    if with_cities:
        found += [
            (place.country_code, place.city_name, point.date, place.value)
            for point in points
            for place in point.cities
            if place.country_code and place.city_name and place.value is not None
        ]
    return found


class ArtistStreamingWork(ArtistAudienceWork):
    """Artist local streaming: the listening figure per country (and city), one call per
    artist per 90 days; stored in `artist_audience_country` under the listening metric."""

    @property
    def series(self) -> str:
        return f"streaming:{self.platform}"

    @property
    def metric(self) -> str:
        return LISTENING_METRICS.get(self.platform, "listening")

    def fetch(self, client: SoundchartsClient, key: str) -> StreamingResult:
        start, end = self.ranges[key]
        if start > end:
            return StreamingResult("ok")
        try:
            points = client.artist_streaming(key, self.platform, start, end)
        except NoAccountError:
            return StreamingResult("no_account")
        places = streaming_places(points, self.window.store_cities)
        days = [(self.metric, point.date, point.value or 0) for point in points]
        return StreamingResult("ok" if places else "empty", days, places=places)

    def save_points(self, session: Session, results: list[tuple[str, SeriesResult]]) -> None:
        """The places of every day served, replacing what was stored for those days."""
        ids = artist_ids(session, uuids=[key for key, _ in results])
        fetched = [(ids[key], r) for key, r in results if isinstance(r, StreamingResult)]
        replace_artist_countries(
            session,
            days=[
                (artist, self.platform, self.metric, day)
                for artist, result in fetched
                for _, day, _ in result.points
            ],
            rows=[
                ArtistCountryRow(artist, self.platform, self.metric, day, code, city, value)
                for artist, result in fetched
                for code, city, day, value in result.places
            ],
        )


def track_series_work(platform: str, window: AudienceWindow) -> SeriesWork:
    """The work for one track platform (`airplay` is radio spins)."""
    return AirplayWork(window) if platform == AIRPLAY else TrackAudienceWork(platform, window)


def artist_series_work(feed: str, platform: str, window: AudienceWindow) -> SeriesWork:
    """The work for one artist feed: `audience` (followers...), `listening` or `streaming`
    (local streaming, per country)."""
    if feed == "listening":
        return ArtistListeningWork(platform, window)
    if feed == "streaming":
        return ArtistStreamingWork(platform, window)
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
