"""`plan --all`: the calls per day a schedule of charts costs once it runs day after day.

Steady state: the charts' stored rankings, credits and radio days stay what they are (no new
track), and every item is fetched again by the first run after its freshness window passed.
A track or artist on several charts is fetched by whichever run comes first, so the schedule's
total counts each item once, at the most frequent of its charts.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from chartcascade.crud.charts import chart_by_slug, latest_snapshot
from chartcascade.crud.tracks import track_artist_uuids
from chartcascade.models import RankingEntry, Track
from chartcascade.options import SyncOptions
from chartcascade.planning import radio_pages_per_day
from chartcascade.positions import position_order
from chartcascade.soundcharts.paging import PAGE_SIZE
from chartcascade.tasks.audience import (
    AIRPLAY,
    AudienceWindow,
    artist_series_work,
    track_series_work,
)


@dataclass(frozen=True)
class ChartLoad:
    """A chart as the schedule runs it: its options and how many runs a day."""

    chart: str
    options: SyncOptions
    runs_per_day: float


@dataclass
class ChartCost:
    """A chart's steady-state calls per day, and per (stage, item) what they are made of."""

    chart: str
    runs_per_day: float
    tracks: int
    artists: int
    items: dict[tuple[str, str], float] = field(default_factory=dict)

    @property
    def calls_per_day(self) -> float:
        return sum(self.items.values())


def fetches_per_day(window_hours: float, runs_per_day: float) -> float:
    """How often runs `24 / runs_per_day` hours apart fetch an item with this freshness
    window: the first run after the window passed does (an item is stored a little after its
    run starts, so a window of exactly k intervals waits for the run after the k-th)."""
    if runs_per_day <= 0:
        return 0.0
    interval = 24 / runs_per_day
    return runs_per_day / (math.floor(window_hours / interval) + 1)


def ranked_tracks(session: Session, chart: str) -> list[str]:
    """The track uuids of the chart's newest stored ranking, charted ones by position first."""
    stored = chart_by_slug(session, chart)
    snapshot = latest_snapshot(session, chart_id=stored.id) if stored and stored.id else None
    if snapshot is None:
        return []
    rows = session.exec(
        select(Track.uuid, RankingEntry.position)
        .join(Track, col(Track.id) == RankingEntry.track_id)
        .where(RankingEntry.snapshot_id == snapshot.id)
    ).all()
    return [uuid for uuid, _ in sorted(rows, key=lambda row: position_order(row[1]))]


def chart_cost(session: Session, load: ChartLoad, *, now: datetime | None = None) -> ChartCost:
    """The chart's calls per day from its stored ranking, credits and radio days."""
    options, runs = load.options, load.runs_per_day
    tracks = ranked_tracks(session, load.chart)
    top = tracks[: options.top_n] if options.top_n else tracks
    credits = track_artist_uuids(session, track_uuids=top)
    artists = list(dict.fromkeys(a for t in top for a in credits.get(t, [])))
    cost = ChartCost(load.chart, runs, len(tracks), len(artists))
    pages = max(1, math.ceil(len(tracks) / PAGE_SIZE))
    cost.items[("ranking", load.chart)] = pages * runs
    metadata = fetches_per_day(24 * options.metadata_max_age_days, runs)
    audience = fetches_per_day(options.audience_max_age_hours, runs)
    if options.auto_fetch_track_metadata:
        cost.items |= {("track-metadata", t): metadata for t in tracks}
    if options.auto_fetch_artist_metadata:
        cost.items |= {("artist-metadata", a): metadata for a in artists}
    if not options.auto_fetch_audience:
        return cost
    window = AudienceWindow.for_options(options, now or datetime.now(UTC))
    for platform in options.track_platforms:
        stage = track_series_work(platform, window).stage
        if platform == AIRPLAY:  # each day once, whatever the runs: its pages a day
            radio = radio_pages_per_day(session, top) if runs > 0 else dict.fromkeys(top, 0.0)
            cost.items |= {(stage, t): radio[t] for t in top}
        else:
            cost.items |= {(stage, t): audience for t in top}
    for feed, code in options.artist_feeds:
        stage = artist_series_work(feed, code, window).stage
        cost.items |= {(stage, a): audience for a in artists}
    return cost


def schedule_calls_per_day(costs: Sequence[ChartCost]) -> float:
    """The whole schedule's calls per day: each (stage, item) once, at its most frequent."""
    most: dict[tuple[str, str], float] = {}
    for cost in costs:
        for key, calls in cost.items.items():
            most[key] = max(most.get(key, 0.0), calls)
    return sum(most.values())


def quota_days(quota: int | None, calls_per_day: float) -> float | None:
    """How many days a remaining quota lasts at this rate (None: quota unknown)."""
    if quota is None:
        return None
    return math.inf if calls_per_day <= 0 else quota / calls_per_day
