"""Audience series of tracks and artists, fetched incrementally and stored point by point."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlmodel import Session

from chartcascade.crud.artists import artist_ids
from chartcascade.crud.audience import (
    read_checks,
    record_checks,
    save_artist_points,
    save_track_points,
)
from chartcascade.crud.tracks import track_ids
from chartcascade.soundcharts import (
    NoAccountError,
    SoundchartsClient,
    SoundchartsError,
    is_retryable,
    split_period,
)
from chartcascade.tasks.batch import RunContext, run_batch
from chartcascade.tasks.outcome import PartialFetch, StageOutcome

AIRPLAY = "airplay"
ARTIST_COUNTERS = {
    "followers": "follower_count",
    "likes": "like_count",
    "following": "following_count",
    "posts": "post_count",
    "views": "view_count",
}
LISTENING_METRICS = {"spotify": "monthly_listeners"}
NOT_CHECKED = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AudienceWindow:
    """When a series counts as fresh, and how far back a new series starts."""

    today: date
    checked_before: datetime
    lookback_days: int
    airplay_lookback_days: int
    force: bool = False

    @classmethod
    def for_options(cls, options: Any, now: datetime) -> AudienceWindow:
        """The window of a run's options (chart or sweep options alike)."""
        return cls(
            today=now.date(),
            checked_before=now - timedelta(hours=options.audience_max_age_hours),
            lookback_days=options.lookback_days,
            airplay_lookback_days=options.airplay_lookback_days,
            force=getattr(options, "force_refresh", False),
        )


@dataclass
class SeriesResult:
    """What one series fetch found: points as (metric, date, value), and the outcome."""

    status: str
    points: list[tuple[str, date, int]] = field(default_factory=list)
    complete: bool = True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class SeriesWork:
    """One audience series (`series`) of many entities: select what is stale, save points."""

    entity_kind = "track"

    def __init__(self, platform: str, window: AudienceWindow) -> None:
        self.platform = platform
        self.window = window
        self.ranges: dict[str, tuple[date, date]] = {}

    @property
    def series(self) -> str:
        return f"audience:{self.platform}"

    @property
    def stage(self) -> str:
        return f"{self.entity_kind}-{self.series.replace(':', '-')}"

    def first_range(self) -> tuple[date, date]:
        today = self.window.today
        return today - timedelta(days=self.window.lookback_days), today

    def select(self, session: Session, keys: Sequence[str]) -> dict[str, bool]:
        checks = read_checks(
            session, entity_kind=self.entity_kind, uuids=keys, series=[self.series]
        )
        needed: dict[str, bool] = {}
        for key in keys:
            check = checks.get((key, self.series))
            fresh = check is not None and _aware(check.checked_at) >= self.window.checked_before
            if fresh and not self.window.force:
                continue
            start, end = self.first_range()
            if check is not None and check.newest_date is not None and not self.window.force:
                start = max(start, check.newest_date + timedelta(days=1))
            self.ranges[key] = (start, end)
            needed[key] = check is None
        return needed

    def estimate(self, key: str) -> int:
        start, end = self.ranges[key]
        return len(split_period(start, end))

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        raise NotImplementedError

    def save(self, session: Session, results: list[tuple[str, SeriesResult]]) -> None:
        if not results:
            return
        self.save_points(session, results)
        now = datetime.now(UTC)
        # A partial result keeps its newest date (the retry resumes after it) but is not fresh.
        record_checks(
            session,
            checks=[
                {
                    "entity_kind": self.entity_kind,
                    "entity_uuid": key,
                    "series": self.series,
                    "status": result.status,
                    "newest_date": max((d for _, d, _ in result.points), default=None),
                    "checked_at": now if result.complete else NOT_CHECKED,
                }
                for key, result in results
            ],
        )

    def save_points(self, session: Session, results: list[tuple[str, SeriesResult]]) -> None:
        ids = track_ids(session, uuids=[key for key, _ in results])
        save_track_points(
            session,
            points=[
                (ids[key], self.platform, day, value)
                for key, result in results
                for _, day, value in result.points
            ],
        )


class TrackAudienceWork(SeriesWork):
    """Cumulative song audience (streams, views, Shazam counts), summed over identifiers."""

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        start, end = self.ranges[key]
        if start > end:
            return SeriesResult("ok")
        points = client.song_audience(key, self.platform, start, end)
        values = [(self.platform, point.date, point.total) for point in points]
        return SeriesResult("ok" if values else "empty", values)


class AirplayWork(SeriesWork):
    """Daily radio spins of a song (all stations), one broadcast-groups call per day."""

    def __init__(self, window: AudienceWindow) -> None:
        super().__init__(AIRPLAY, window)

    @property
    def series(self) -> str:
        return AIRPLAY

    def first_range(self) -> tuple[date, date]:
        end = self.window.today - timedelta(days=1)
        return end - timedelta(days=self.window.airplay_lookback_days - 1), end

    def estimate(self, key: str) -> int:
        start, end = self.ranges[key]
        return max(0, (end - start).days + 1)

    def fetch(self, client: SoundchartsClient, key: str) -> SeriesResult:
        start, end = self.ranges[key]
        points: list[tuple[str, date, int]] = []
        day = start
        while day <= end:
            try:
                spins = client.song_radio_spins(key, day, day)
            except SoundchartsError as exc:
                if points and is_retryable(exc):
                    raise PartialFetch(SeriesResult("ok", points, complete=False), exc) from exc
                raise
            points.append((AIRPLAY, day, sum(spin.play_count for spin in spins)))
            day += timedelta(days=1)
        status = "ok" if any(value for _, _, value in points) else "empty"
        return SeriesResult(status, points)


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
