"""What a complete cascade of a sandbox chart must fetch, computed from the sandbox world."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

LOOKBACK_DAYS = 90
AIRPLAY_DAYS = 7


def today() -> date:
    return datetime.now(UTC).date()


def chart_tracks(world: Any, chart: str) -> list[str]:
    """Track uuids of the chart's latest ranking, in position order."""
    return [entry["song"]["uuid"] for entry in world.ranking(chart)]


def chart_artists(world: Any, tracks: list[str]) -> list[str]:
    """Distinct artists of the tracks."""
    return list(dict.fromkeys(a for t in tracks for a in world.song_artist_uuids(t)))


def airplay_days() -> list[date]:
    end = today() - timedelta(days=1)
    return [end - timedelta(days=n) for n in reversed(range(AIRPLAY_DAYS))]


def minimum_calls(world: Any, charts: list[str]) -> Counter[str]:
    """The fewest calls per endpoint that fetch everything once (no entity twice)."""
    tracks = list(dict.fromkeys(t for chart in charts for t in chart_tracks(world, chart)))
    artists = chart_artists(world, tracks)
    calls: Counter[str] = Counter()
    for chart in charts:
        calls["ranking"] += max(1, math.ceil(len(world.ranking(chart)) / 100))
    calls["song"] = len(tracks)
    calls["artist"] = len(artists)
    calls["song_audience"] = 3 * len(tracks)
    calls["broadcast_groups"] = sum(
        max(1, math.ceil(len(world.broadcast_groups(t, day, day)) / 100))
        for t in tracks
        for day in airplay_days()
    )
    calls["artist_audience"] = 4 * len(artists)
    calls["artist_listening"] = len(artists)
    return calls


def expected_track_totals(
    world: Any, uuid: str, platform: str, start: date, end: date
) -> dict[date, int]:
    """The totals a cascade fetching [start, end] stores, from the world's truth.

    A day is stored when every identifier the world has active that day, and that the API
    has shown (with a value or null) by then within the range, was served a value; a client
    cannot know of an identifier before it shows. The value is the world's true total, or
    the served sum on the rare day an active identifier has not shown yet.
    """
    spans = world.song_identifier_days(uuid, platform)
    shown: set[str] = set()
    expected: dict[date, int] = {}
    for day, plots in world.song_series(uuid, platform, start, end):
        shown |= set(plots)
        active = {
            i for i, (first, stop) in spans.items() if first <= day and (stop is None or day < stop)
        }
        awaited = active & shown
        if not awaited or any(plots.get(i) is None for i in awaited):
            continue
        expected[day] = (
            world.song_total(uuid, platform, day)
            if awaited == active
            else sum(plots[i] for i in awaited)
        )
    return expected


def stored_track_series(database_url: str) -> dict[tuple[str, str], dict[date, int]]:
    """(track uuid, platform) -> {date: value} of every stored track point."""
    from sqlmodel import select

    from chartcascade.db import session_scope
    from chartcascade.models import Track, TrackAudiencePoint

    with session_scope(database_url) as session:
        uuids = {t.id: t.uuid for t in session.exec(select(Track)).all()}
        points = session.exec(select(TrackAudiencePoint)).all()
    stored: dict[tuple[str, str], dict[date, int]] = {}
    for point in points:
        stored.setdefault((uuids[point.track_id], point.platform), {})[point.date] = point.value
    return stored


def assert_track_audience_matches_world(database_url: str, world: Any, chart: str) -> None:
    """Every track series stored equals the sandbox's true totals (complete days only)."""
    start, end = today() - timedelta(days=LOOKBACK_DAYS), today()
    stored = stored_track_series(database_url)
    for uuid in chart_tracks(world, chart):
        for platform in ("spotify", "youtube", "shazam"):
            expected = expected_track_totals(world, uuid, platform, start, end)
            assert stored.get((uuid, platform), {}) == expected, (uuid, platform)
        airplay = {day: world.airplay_spins(uuid, day, day) for day in airplay_days()}
        assert stored.get((uuid, "airplay"), {}) == airplay, (uuid, "airplay")
