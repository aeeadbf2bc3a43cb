"""Small databases with known values, written through the crud helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from chartcascade.crud.artists import save_artist_metadata, upsert_artist_stubs
from chartcascade.crud.audience import record_checks, save_artist_points, save_track_points
from chartcascade.crud.charts import replace_entries, upsert_chart, upsert_snapshot
from chartcascade.crud.tracks import link_artists, save_track_metadata, upsert_track_stubs
from chartcascade.db import session_scope

FETCHED = datetime(2026, 3, 3, 8, tzinfo=UTC)
START = date(2026, 2, 1)
D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)


def streams(day: date) -> int:
    """t1's cumulative Spotify streams on `day`."""
    n = (day - START).days
    return 1_000_000 + 5_000 * n + n * n


def followers(day: date) -> int:
    """a1's Spotify followers on `day`."""
    return 50_000 + 300 * (day - START).days


def listeners(day: date) -> int:
    """a1's monthly listeners on `day`: falling."""
    return 900_000 - 1_000 * (day - START).days


SPINS = {START + timedelta(days=24 + i): spins for i, spins in enumerate([3, 5, 0, 7, 2, 4, 6])}
MISSING = {date(2026, 2, 24), date(2026, 2, 10)}  # days t1 and a1 have no value
T3_SPOTIFY = {date(2026, 2, 20): 700, D3: 900}


def days(until: date = D3) -> list[date]:
    return [START + timedelta(days=n) for n in range((until - START).days + 1)]


def ranking(url: str, chart: str, day: date, entries: Mapping[str, int]) -> None:
    """Store `chart`'s ranking of `day`: track uuid -> position (tracks created as stubs)."""
    with session_scope(url) as session:
        ids = upsert_track_stubs(session, stubs=[{"uuid": u} for u in entries])
        chart_id = upsert_chart(session, slug=chart)
        snapshot = upsert_snapshot(
            session, chart_id=chart_id, ranking_date=day, ranking_datetime=None,
            entry_count=len(entries),
        )  # fmt: skip
        rows = [{"track_id": ids[u], "position": p} for u, p in entries.items()]
        replace_entries(session, snapshot_id=snapshot, entries=rows)


def credit(url: str, track: str, artists: Sequence[str], fetched: bool = True) -> None:
    """Give `track` a name and its credited `artists` (metadata fetched unless told)."""
    with session_scope(url) as session:
        ids = upsert_artist_stubs(session, stubs=[{"uuid": a, "name": a.upper()} for a in artists])
        if fetched:
            track_id = save_track_metadata(
                session, tracks=[{"uuid": track, "name": track.upper()}], fetched_at=FETCHED
            )[track]
        else:
            track_id = upsert_track_stubs(session, stubs=[{"uuid": track}])[track]
        links = [(ids[a], "main" if i == 0 else "featured", i) for i, a in enumerate(artists)]
        link_artists(session, track_id=track_id, links=links)


def fetch_artists(url: str, uuids: Sequence[str]) -> None:
    with session_scope(url) as session:
        save_artist_metadata(
            session, artists=[{"uuid": u, "name": u.upper()} for u in uuids], fetched_at=FETCHED
        )


def track_series(url: str, track: str, platform: str, values: Mapping[date, int]) -> None:
    with session_scope(url) as session:
        track_id = upsert_track_stubs(session, stubs=[{"uuid": track}])[track]
        points = [(track_id, platform, d, v) for d, v in values.items()]
        save_track_points(session, points=points)


def artist_series(
    url: str, artist: str, platform: str, metric: str, values: Mapping[date, int]
) -> None:
    with session_scope(url) as session:
        artist_id = upsert_artist_stubs(session, stubs=[{"uuid": artist}])[artist]
        points = [(artist_id, platform, metric, d, v) for d, v in values.items()]
        save_artist_points(session, points=points)


def check(url: str, kind: str, uuid: str, series: str, status: str) -> None:
    with session_scope(url) as session:
        record_checks(
            session,
            checks=[
                {"entity_kind": kind, "entity_uuid": uuid, "series": series,
                 "status": status, "checked_at": FETCHED}
            ],
        )  # fmt: skip


def analytics_world(url: str) -> None:
    """Charts c1 (three days) and c2 (one day), three tracks, three artists, known series.

    c1: 03-01 t2 #1, t1 #2 · 03-02 t1 #1, t3 #2, t2 #3 · 03-03 t3 #1, t1 #3 (t2 left).
    c2: 03-03 t3 #4, t2 #5. Credits: t1 a1; t2 a3 (main), a1 (featured); t3 a2.
    """
    ranking(url, "c1", D1, {"t2": 1, "t1": 2})
    ranking(url, "c1", D2, {"t1": 1, "t3": 2, "t2": 3})
    ranking(url, "c1", D3, {"t3": 1, "t1": 3})
    ranking(url, "c2", D3, {"t3": 4, "t2": 5})
    credit(url, "t1", ["a1"])
    credit(url, "t2", ["a3", "a1"])
    credit(url, "t3", ["a2"])
    fetch_artists(url, ["a1", "a2", "a3"])
    kept = [d for d in days() if d not in MISSING]
    track_series(url, "t1", "spotify", {d: streams(d) for d in kept})
    track_series(url, "t1", "airplay", SPINS)
    track_series(url, "t3", "spotify", T3_SPOTIFY)
    artist_series(url, "a1", "spotify", "followers", {d: followers(d) for d in kept})
    artist_series(url, "a1", "spotify", "monthly_listeners", {d: listeners(d) for d in kept})
    artist_series(url, "a2", "youtube", "followers", {D3: 10})
