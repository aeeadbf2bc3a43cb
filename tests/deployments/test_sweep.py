"""The backlog sweep: it finds the gaps, fills them best-charted first, within its budget."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from chartcascade.crud.artists import upsert_artist_stubs
from chartcascade.crud.audience import record_checks
from chartcascade.crud.backlog import by_priority, track_priorities
from chartcascade.crud.charts import replace_entries, upsert_chart, upsert_snapshot
from chartcascade.crud.failures import open_failures, record_failures
from chartcascade.crud.tracks import upsert_track_stubs
from chartcascade.db import session_scope
from chartcascade.flows.sweep import SweepOptions, backlog_sweep
from chartcascade.models import Artist, AudienceCheck, Track

pytestmark = pytest.mark.prefect

NO_AUDIENCE: dict[str, Any] = {
    "track_platforms": [],
    "artist_platforms": [],
    "listening_platforms": [],
}


def seed_chart(url: str, uuids: list[str], *, day: date, slug: str = "global-28") -> None:
    """A chart snapshot of `uuids` at positions 1.. on `day`; the tracks have no metadata."""
    with session_scope(url) as session:
        chart_id = upsert_chart(session, slug=slug)
        ids = upsert_track_stubs(session, stubs=[{"uuid": u} for u in uuids])
        snapshot_id = upsert_snapshot(
            session, chart_id=chart_id, ranking_date=day, ranking_datetime=None, entry_count=0
        )
        replace_entries(
            session,
            snapshot_id=snapshot_id,
            entries=[{"track_id": ids[u], "position": p} for p, u in enumerate(uuids, 1)],
        )


def fetched_tracks(url: str) -> set[str]:
    with session_scope(url) as session:
        statement = select(Track.uuid).where(col(Track.metadata_fetched_at).is_not(None))
        return set(session.exec(statement).all())


def test_track_priorities_order_by_position_then_recency(sqlite_url: str) -> None:
    seed_chart(sqlite_url, ["old-1", "both-2", "old-3"], day=date(2026, 11, 1), slug="a")
    seed_chart(sqlite_url, ["new-1", "both-2"], day=date(2026, 11, 20), slug="b")
    with session_scope(sqlite_url) as session:
        priorities = track_priorities(session)
        ordered = by_priority(["old-3", "never", "both-2", "old-1", "new-1"], priorities)
    assert ordered == ["new-1", "old-1", "both-2", "old-3", "never"]


def test_sweep_fills_missing_metadata_best_position_first_within_budget(
    cascade_env: str, sandbox: Any
) -> None:
    songs = sandbox.world.song_uuids[:10]
    seed_chart(cascade_env, songs, day=date.today())
    sandbox.reset_counts()

    state = backlog_sweep(SweepOptions(max_api_calls=4, **NO_AUDIENCE), return_state=True)

    assert state.is_completed()
    assert fetched_tracks(cascade_env) == set(songs[:4])
    assert sum(sandbox.calls.values()) == 4
    with session_scope(cascade_env) as session:
        artists = len(session.exec(select(Artist.uuid)).all())
    assert [(s.stage, s.new, s.left_undone) for s in state.result().stages] == [
        ("track-metadata", 4, 6),
        ("artist-metadata", 0, artists),
    ]


def test_sweep_fills_every_kind_of_gap(cascade_env: str, sandbox: Any) -> None:
    songs = sandbox.world.song_uuids[:6]
    seed_chart(cascade_env, songs, day=date.today())
    old = datetime.now(UTC) - timedelta(days=3)
    failed_artist = sandbox.world.artist_uuids[0]
    with session_scope(cascade_env) as session:
        upsert_artist_stubs(session, stubs=[{"uuid": failed_artist}])
        record_checks(
            session,
            checks=[
                {
                    "entity_kind": "track",
                    "entity_uuid": songs[0],
                    "series": "audience:spotify",
                    "status": "ok",
                    "newest_date": date.today() - timedelta(days=4),
                    "checked_at": old,
                }
            ],
        )
        record_failures(
            session, stage="artist-metadata", errors={failed_artist: "HTTP 503"}, run_id="r0"
        )
    options = SweepOptions(
        max_api_calls=500,
        track_platforms=["spotify"],
        artist_platforms=[],
        listening_platforms=[],
    )

    state = backlog_sweep(options, return_state=True)

    assert state.is_completed()
    assert fetched_tracks(cascade_env) == set(songs)
    with session_scope(cascade_env) as session:
        assert open_failures(session) == []
        artist = session.exec(select(Artist).where(Artist.uuid == failed_artist)).one()
        assert artist.metadata_fetched_at is not None
        check = session.exec(
            select(AudienceCheck).where(AudienceCheck.entity_uuid == songs[0])
        ).one()
        assert check.checked_at.replace(tzinfo=UTC) > old + timedelta(days=2)
    stages = {s.stage: s for s in state.result().stages}
    assert stages["track-metadata"].new == 6
    assert stages["track-audience-spotify"].updated == 1  # the stale series
    assert stages["track-audience-spotify"].new == 5  # the charted tracks never checked
