"""`sync --plan`: what a run would fetch and what it would cost, making only ranking calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from chartcascade.crud.tracks import track_artist_uuids
from chartcascade.db import session_scope
from chartcascade.options import SyncOptions
from chartcascade.schema import upgrade
from chartcascade.settings import get_settings
from chartcascade.soundcharts import SoundchartsClient
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
