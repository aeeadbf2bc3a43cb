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
