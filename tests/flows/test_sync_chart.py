"""The chart cascade against the served sandbox, a real SQLite database and a Prefect server."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlmodel import func, select

from chartcascade.db import session_scope
from chartcascade.flows.summary import SyncSummary, run_summary
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.models import (
    Artist,
    ArtistAudiencePoint,
    Track,
    TrackArtist,
)
from tests.flows.expected import (
    assert_track_audience_matches_world,
    chart_artists,
    chart_tracks,
    minimum_calls,
)

pytestmark = pytest.mark.prefect
CHART = "global-28"


def calls(sandbox: Any) -> Counter[str]:
    return Counter({k: v for k, v in sandbox.calls.items() if v and k != "token"})


def summary_of(state: Any) -> SyncSummary:
    result = run_summary(state.result(raise_on_failure=False))
    assert isinstance(result, SyncSummary), state
    return result


def test_sync_chart_fetches_everything_once(sandbox: Any, cascade_env: str) -> None:
    world = sandbox.world
    state = sync_chart(CHART, return_state=True)

    assert state.is_completed(), state.message
    assert calls(sandbox) == minimum_calls(world, [CHART])
    tracks = chart_tracks(world, CHART)
    with session_scope(cascade_env) as session:
        stored = {t.uuid: t for t in session.exec(select(Track)).all()}
        assert set(stored) == set(tracks)
        assert all(t.metadata_fetched_at is not None for t in stored.values())
        for uuid in tracks:
            links = session.exec(
                select(Artist.uuid)
                .join(TrackArtist, TrackArtist.artist_id == Artist.id)  # type: ignore[arg-type]
                .where(TrackArtist.track_id == stored[uuid].id)
                .order_by(TrackArtist.position)  # type: ignore[arg-type]
            ).all()
            assert list(links) == world.song_artist_uuids(uuid)
        artists = session.exec(select(Artist)).all()
        assert {a.uuid for a in artists} == set(chart_artists(world, tracks))
        assert all(a.metadata_fetched_at is not None for a in artists)


def test_requests_in_flight_stay_within_the_setting_with_more_threads_than_that(
    sandbox: Any, cascade_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 3 requests at once, 6 task threads: the threads between requests (claiming, parsing,
    # saving) leave their slot to another; the sandbox counts what it answers at once.
    from chartcascade.settings import get_settings

    monkeypatch.setenv("CHARTCASCADE_MAX_PARALLEL_REQUESTS", "3")
    get_settings.cache_clear()
    sandbox.config.latency_ms = 20

    state = sync_chart(CHART, return_state=True)

    assert state.is_completed(), state.message
    assert calls(sandbox) == minimum_calls(sandbox.world, [CHART])
    assert sandbox.peak_in_flight == 3


def test_sync_chart_stores_audience_where_the_api_has_data(sandbox: Any, cascade_env: str) -> None:
    assert sync_chart(CHART, return_state=True).is_completed()

    assert_track_audience_matches_world(cascade_env, sandbox.world, CHART)
    with session_scope(cascade_env) as session:
        followers = session.exec(
            select(func.count()).where(ArtistAudiencePoint.metric == "followers")
        ).one()
        listeners = session.exec(
            select(func.count()).where(ArtistAudiencePoint.metric == "monthly_listeners")
        ).one()
    assert followers > 0 and listeners > 0


def test_second_run_within_freshness_makes_only_ranking_calls(
    sandbox: Any, cascade_env: str
) -> None:
    assert sync_chart(CHART, return_state=True).is_completed()
    sandbox.reset_counts()

    state = sync_chart(CHART, return_state=True)

    assert state.is_completed(), state.message
    assert calls(sandbox) == Counter({"ranking": 1})
    summary = summary_of(state)
    assert summary.api_calls == 1
    assert {s.stage: s.skipped_fresh for s in summary.stages}["artist-metadata"] > 0


def test_budget_stops_the_run_cleanly_and_says_what_it_left(sandbox: Any, cascade_env: str) -> None:
    from chartcascade.options import SyncOptions

    state = sync_chart(CHART, options=SyncOptions(max_api_calls=40), return_state=True)

    assert state.is_completed(), state.message
    assert sum(calls(sandbox).values()) <= 40
    summary = summary_of(state)
    assert summary.left_undone > 0
    assert "left undone" in (state.message or "")
    sandbox.reset_counts()
    assert sync_chart(CHART, return_state=True).is_completed()
    assert calls(sandbox)["song"] <= len(chart_tracks(sandbox.world, CHART))
