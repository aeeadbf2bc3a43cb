"""`sync --plan`: what a run would fetch and what it would cost, making only ranking calls."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from chartcascade.crud.tracks import track_artist_uuids
from chartcascade.db import session_scope
from chartcascade.options import SyncOptions
from chartcascade.schema import upgrade
from chartcascade.settings import get_settings
from chartcascade.soundcharts import SoundchartsClient
from chartcascade.soundcharts.paging import PAGE_SIZE
from chartcascade.tasks.artists import ArtistMetadataWork
from chartcascade.tasks.audience import AudienceWindow, artist_series_work, track_series_work
from chartcascade.tasks.charts import fetch_ranking_from_api, ranking_track_uuids
from chartcascade.tasks.tracks import TrackMetadataWork

UNKNOWN_ARTISTS_PER_TRACK = 1.5


@dataclass
class StagePlan:
    """What one stage would fetch."""

    stage: str
    items: int
    calls: int
    estimated: bool = False


@dataclass
class SyncPlan:
    """What a run would fetch, stage by stage, and the calls it would cost."""

    chart: str
    ranking_date: date
    tracks: int
    stages: list[StagePlan] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(stage.calls for stage in self.stages)


def plan_sync(chart: str, ranking_date: date | None, options: SyncOptions) -> SyncPlan:
    """Fetch only the ranking, then count what each stage would fetch from the database."""
    settings = get_settings()
    with SoundchartsClient() as client:
        ranking = fetch_ranking_from_api(client, chart, ranking_date)
        ranking_calls = client.calls_made
    uuids = ranking_track_uuids(ranking)
    top = uuids[: options.top_n] if options.top_n else uuids
    plan = SyncPlan(chart, ranking.date, len(uuids), [StagePlan("ranking", 1, ranking_calls)])
    now = datetime.now(UTC)
    stale_before = now - timedelta(days=options.metadata_max_age_days)
    window = AudienceWindow.for_options(options, now)
    upgrade(settings.database_url)
    with session_scope(settings.database_url) as session:
        tracks = TrackMetadataWork(stale_before, options.force_refresh).select(session, uuids)
        if options.auto_fetch_track_metadata:
            plan.stages.append(StagePlan("track-metadata", len(tracks), len(tracks)))
        credits = track_artist_uuids(session, track_uuids=top)
        artists = list(dict.fromkeys(a for t in top for a in credits.get(t, [])))
        unknown = round(UNKNOWN_ARTISTS_PER_TRACK * sum(1 for t in top if not credits.get(t)))
        if options.auto_fetch_artist_metadata:
            needed = ArtistMetadataWork(stale_before, options.force_refresh).select(
                session, artists
            )
            plan.stages.append(
                StagePlan(
                    "artist-metadata", len(needed) + unknown, len(needed) + unknown, unknown > 0
                )
            )
        if options.auto_fetch_audience:
            for platform in options.track_platforms:
                work = track_series_work(platform, window)
                todo = work.select(session, top)
                plan.stages.append(
                    StagePlan(work.stage, len(todo), sum(work.estimate(k) for k in todo))
                )
            for feed, code in options.artist_feeds:
                work = artist_series_work(feed, code, window)
                todo = work.select(session, artists)
                calls = sum(work.estimate(k) for k in todo) + unknown
                plan.stages.append(StagePlan(work.stage, len(todo) + unknown, calls, unknown > 0))
    return plan


@dataclass
class BackfillPlan:
    """What a backfill of a date range would fetch: the rankings it lacks, their calls, and
    what each track and artist new to the database then costs."""

    chart: str
    available: int  # rankings of the range the API has
    stored: int  # of those, already in the database (not fetched again)
    ranking_calls: int  # the list of dates, then each missing ranking's pages
    pages_estimated: bool  # the chart's size is not known yet: one page per ranking assumed
    per_track: int
    per_artist: int

    @property
    def to_fetch(self) -> int:
        return self.available - self.stored


def plan_backfill(chart: str, start: date, end: date, options: SyncOptions) -> BackfillPlan:
    """List the range's rankings (one paged call) and count those the database lacks."""
    from chartcascade.crud.charts import chart_by_slug
    from chartcascade.tasks.audience import AIRPLAY
    from chartcascade.tasks.backfill import available_rankings, stored_dates

    settings = get_settings()
    with SoundchartsClient() as client:
        wanted = available_rankings(client, chart, start, end)
        list_calls = client.calls_made
    upgrade(settings.database_url)
    stored = stored_dates(settings.database_url, chart, start, end) & set(wanted)
    with session_scope(settings.database_url) as session:
        known = chart_by_slug(session, chart)
        size = known.max_results_count if known else None
    pages = max(1, math.ceil(size / PAGE_SIZE)) if size else 1
    audience = options.auto_fetch_audience
    track_calls = sum(
        options.airplay_lookback_days if platform == AIRPLAY else 1
        for platform in options.track_platforms
    )
    return BackfillPlan(
        chart,
        available=len(wanted),
        stored=len(stored),
        ranking_calls=list_calls + pages * (len(wanted) - len(stored)),
        pages_estimated=not size,
        per_track=options.auto_fetch_track_metadata + (track_calls if audience else 0),
        per_artist=options.auto_fetch_artist_metadata
        + (len(options.artist_feeds) if audience else 0),
    )
