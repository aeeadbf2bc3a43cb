"""`sync --plan`: what a run would fetch and what it would cost, making only ranking calls.

Each stage's selection is the stage's own (`select` and `estimate` of its work, less the items
whose permanent failures back off), run on the database as it is. What the database cannot
know yet is estimated: the artists of tracks without stored credits (from the names in the
ranking's credit names), and the pages of radio days not fetched yet (from the stations of
the days stored).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from chartcascade.crud.failures import backing_off, metadata_refetched
from chartcascade.crud.tracks import track_artist_uuids, track_ids
from chartcascade.db import chunks, session_scope
from chartcascade.models import Artist
from chartcascade.models.audience import TrackAirplayCountry
from chartcascade.options import SyncOptions
from chartcascade.schema import upgrade
from chartcascade.settings import get_settings
from chartcascade.soundcharts import Ranking, SoundchartsClient
from chartcascade.soundcharts.credits import credit_names
from chartcascade.soundcharts.paging import PAGE_SIZE, split_period
from chartcascade.tasks.airplay import AirplayWork
from chartcascade.tasks.artists import ArtistMetadataWork
from chartcascade.tasks.audience import AudienceWindow, artist_series_work, track_series_work
from chartcascade.tasks.batch import StageWork
from chartcascade.tasks.charts import chart_order, fetch_ranking_from_api, ranking_track_uuids
from chartcascade.tasks.tracks import TrackMetadataWork

# Pages per radio day when no radio day is stored at all: an assumption (about one day in ten
# has more than PAGE_SIZE stations), replaced by the stored days' own share once there are any.
UNSTORED_RADIO_PAGES_PER_DAY = 1.1


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
    quota_remaining: int | None = None

    @property
    def calls(self) -> int:
        return sum(stage.calls for stage in self.stages)


@dataclass
class RankingArtists:
    """The artists a run would reach: stored ones (by uuid) and names not stored yet."""

    stored: list[str]
    new_names: list[str]
    estimated: bool  # some tracks have no stored credits: their names were read from the credit


def plan_sync(chart: str, ranking_date: date | None, options: SyncOptions) -> SyncPlan:
    """Fetch only the ranking, then count what each stage would fetch from the database."""
    settings = get_settings()
    with SoundchartsClient() as client:
        ranking = fetch_ranking_from_api(client, chart, ranking_date)
        ranking_calls, quota = client.calls_made, client.quota_remaining
    uuids = ranking_track_uuids(ranking)
    top = uuids[: options.top_n] if options.top_n else uuids
    plan = SyncPlan(chart, ranking.date, len(uuids), [StagePlan("ranking", 1, ranking_calls)])
    plan.quota_remaining = quota
    now = datetime.now(UTC)
    stale_before = now - timedelta(days=options.metadata_max_age_days)
    window = AudienceWindow.for_options(options, now)
    upgrade(settings.database_url)
    with session_scope(settings.database_url) as session:
        if options.auto_fetch_track_metadata:
            tracks = TrackMetadataWork(stale_before, options.force_refresh)
            plan.stages.append(stage_plan(session, tracks, uuids))
        artists = ranking_artists(session, ranking, top)
        new, guess = len(artists.new_names), artists.estimated
        if options.auto_fetch_artist_metadata:
            meta = ArtistMetadataWork(stale_before, options.force_refresh)
            plan.stages.append(stage_plan(session, meta, artists.stored, new, new, guess))
        if options.auto_fetch_audience:
            for platform in options.track_platforms:
                series = track_series_work(platform, window)
                if isinstance(series, AirplayWork):
                    plan.stages.append(airplay_plan(session, series, top))
                else:
                    plan.stages.append(stage_plan(session, series, top))
            for feed, code in options.artist_feeds:
                series = artist_series_work(feed, code, window)
                first = len(split_period(*series.first_range()))  # a series never fetched
                plan.stages.append(
                    stage_plan(session, series, artists.stored, new, new * first, guess)
                )
    return plan


def due(session: Session, work: StageWork[Any], keys: Sequence[str]) -> dict[str, bool]:
    """The keys the stage would work on: those not backing off (as `run_batch` leaves them
    out), then its own selection."""
    changed = metadata_refetched(session, stage=work.stage, item_uuids=list(keys))
    resting = backing_off(session, stage=work.stage, item_uuids=keys, changed_since=changed)
    return work.select(session, [k for k in keys if k not in resting])


def stage_plan(
    session: Session,
    work: StageWork[Any],
    keys: Sequence[str],
    extra_items: int = 0,
    extra_calls: int = 0,
    estimated: bool = False,
) -> StagePlan:
    """One stage's items and calls, plus items the database does not hold yet."""
    todo = due(session, work, keys)
    calls = sum(work.estimate(key) for key in todo) + extra_calls
    return StagePlan(work.stage, len(todo) + extra_items, calls, estimated)


def ranking_artists(session: Session, ranking: Ranking, top: Sequence[str]) -> RankingArtists:
    """The distinct artists of the top tracks: their stored credits; for a track without
    any, the names of its credit name (`credit_names`, the split the credits use), stored
    artists of those names by uuid, the others as new names."""
    credits = track_artist_uuids(session, track_uuids=top)
    stored = list(dict.fromkeys(a for t in top for a in credits.get(t, [])))
    credit_of = {entry.song.uuid: entry.song.credit_name for entry in chart_order(ranking)}
    named = list(
        dict.fromkeys(n for t in top if t not in credits for n in credit_names(credit_of.get(t)))
    )
    by_name = artists_named(session, named)
    stored += [a for name in named for a in by_name.get(name, []) if a not in stored]
    new_names = [name for name in named if name not in by_name]
    return RankingArtists(
        list(dict.fromkeys(stored)), new_names, any(t not in credits for t in top)
    )


def artists_named(session: Session, names: Sequence[str]) -> dict[str, list[str]]:
    """Name -> the uuids of the stored artists of that name."""
    found: dict[str, list[str]] = {}
    for part in chunks(list(names)):
        statement = select(Artist.name, Artist.uuid).where(col(Artist.name).in_(part))
        for name, uuid in session.exec(statement):
            found.setdefault(str(name), []).append(uuid)
    return found


def airplay_plan(session: Session, work: AirplayWork, keys: Sequence[str]) -> StagePlan:
    """Radio days to fetch, each at its track's pages a day (`radio_pages_per_day`)."""
    todo = due(session, work, keys)
    per_day = radio_pages_per_day(session, list(todo))
    calls = sum(per_day[key] * work.estimate(key) for key in todo)
    return StagePlan(work.stage, len(todo), round(calls), estimated=bool(todo))


def radio_pages_per_day(session: Session, uuids: Sequence[str]) -> dict[str, float]:
    """Track uuid -> the broadcast-groups pages a radio day of it takes: as many as its newest
    stored day had stations (PAGE_SIZE a page); a track without a stored day at the mean of
    every stored day, or UNSTORED_RADIO_PAGES_PER_DAY when none is stored."""
    newest, mean = radio_stations(session, uuids)
    default = UNSTORED_RADIO_PAGES_PER_DAY if mean is None else mean
    return {u: float(radio_pages(newest[u])) if u in newest else default for u in uuids}


def radio_pages(stations: int) -> int:
    """The broadcast-groups pages of a day: one per PAGE_SIZE stations, at least one."""
    return max(1, math.ceil(stations / PAGE_SIZE))


def radio_stations(session: Session, uuids: Sequence[str]) -> tuple[dict[str, int], float | None]:
    """Track uuid -> the stations of its newest stored radio day (of `uuids`), and the mean
    pages of every stored radio day (None when none is stored)."""
    per_day = (
        select(
            col(TrackAirplayCountry.track_id),
            col(TrackAirplayCountry.date),
            func.sum(TrackAirplayCountry.stations).label("stations"),
        )
        .group_by(col(TrackAirplayCountry.track_id), col(TrackAirplayCountry.date))
        .subquery()
    )
    days = session.exec(select(per_day.c.track_id, per_day.c.date, per_day.c.stations)).all()
    if not days:
        return {}, None
    mean = sum(radio_pages(int(n)) for _, _, n in days) / len(days)
    uuid_of = {i: u for u, i in track_ids(session, uuids=uuids).items()}
    newest: dict[str, tuple[date, int]] = {}
    for track_id, day, stations in days:
        uuid = uuid_of.get(track_id)
        if uuid is not None and (uuid not in newest or day > newest[uuid][0]):
            newest[uuid] = (day, int(stations))
    return {u: n for u, (_, n) in newest.items()}, mean


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
