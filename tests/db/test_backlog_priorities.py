"""Sweep priorities: charted positions first, tracks that left the chart after them."""

from __future__ import annotations

from datetime import date

from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.backlog import artist_priorities, by_priority, track_priorities
from chartcascade.crud.charts import replace_entries, upsert_chart, upsert_snapshot
from chartcascade.crud.tracks import link_artists, upsert_track_stubs
from chartcascade.db import session_scope

OLD, NEW = date(2026, 11, 1), date(2026, 11, 20)


def seed_ranking(url: str, slug: str, day: date, positions: dict[str, int]) -> None:
    """`slug`'s ranking of `day`: uuid -> position (0: listed as off the chart), page order."""
    with session_scope(url) as session:
        chart_id = upsert_chart(session, slug=slug)
        ids = upsert_track_stubs(session, stubs=[{"uuid": u} for u in positions])
        snapshot_id = upsert_snapshot(
            session, chart_id=chart_id, ranking_date=day, ranking_datetime=None, entry_count=0
        )
        replace_entries(
            session,
            snapshot_id=snapshot_id,
            entries=[{"track_id": ids[u], "position": p} for u, p in positions.items()],
        )


def seed_credit(url: str, track: str, artist: str) -> None:
    with session_scope(url) as session:
        artist_id = upsert_artist_stubs(session, stubs=[{"uuid": artist}])[artist]
        track_id = upsert_track_stubs(session, stubs=[{"uuid": track}])[track]
        link_artists(session, track_id=track_id, links=[(artist_id, "main", 0)])


def test_off_chart_tracks_come_after_every_charted_track(db_url: str) -> None:
    # "left" was #1 on the old ranking of b, and is listed off the chart on a's newest one;
    # "gone-new" and "gone-old" were only ever listed off the chart.
    seed_ranking(db_url, "b", OLD, {"left": 1, "old-9": 9, "gone-old": 0})
    seed_ranking(db_url, "a", NEW, {"gone-new": 0, "new-1": 1, "left": 0, "new-50": 50})
    with session_scope(db_url) as session:
        priorities = track_priorities(session)
    uuids = ["never", "gone-old", "left", "new-50", "gone-new", "old-9", "new-1"]

    ordered = by_priority(uuids, priorities)

    # By hand: charted by position then recency; then off-chart, most recent first (ties keep
    # the order asked); then never charted.
    assert ordered == ["new-1", "old-9", "new-50", "left", "gone-new", "gone-old", "never"]


def test_artists_of_off_chart_tracks_come_after_artists_of_charted_ones(db_url: str) -> None:
    seed_ranking(db_url, "a", NEW, {"gone": 0, "charted-80": 80})
    seed_credit(db_url, "gone", "artist-of-gone")
    seed_credit(db_url, "charted-80", "artist-of-80")
    seed_credit(db_url, "never", "artist-of-never")
    with session_scope(db_url) as session:
        priorities = artist_priorities(session, track_priorities(session))

    ordered = by_priority(["artist-of-never", "artist-of-gone", "artist-of-80"], priorities)

    assert ordered == ["artist-of-80", "artist-of-gone", "artist-of-never"]
