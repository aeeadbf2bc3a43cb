"""How the chart cascade meets bad input, faults, limits and wrong credentials."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from chartcascade.db import session_scope
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.models import Artist, FailedItem, Track, TrackAudiencePoint
from chartcascade.settings import get_settings
from tests.flows.expected import (
    assert_track_audience_matches_world,
    chart_artists,
    chart_tracks,
)
from tests.flows.test_sync_chart import CHART, calls, summary_of

pytestmark = pytest.mark.prefect


def complete_counts(database_url: str) -> tuple[int, int, int]:
    """(tracks with metadata, artists with metadata, track audience points)."""
    with session_scope(database_url) as session:
        tracks = session.exec(select(Track).where(Track.metadata_fetched_at.is_not(None))).all()  # type: ignore[union-attr]
        artists = session.exec(
            select(Artist).where(Artist.metadata_fetched_at.is_not(None))  # type: ignore[union-attr]
        ).all()
        points = session.exec(select(TrackAudiencePoint)).all()
    return len(tracks), len(artists), len(points)


def test_faults_and_rate_limits_still_complete_every_item(sandbox: Any, cascade_env: str) -> None:
    sandbox.config.fault_rate = 0.2
    sandbox.config.rate_limit = 40
    sandbox.config.rate_window_seconds = 1.0

    state = sync_chart(CHART, return_state=True)

    assert state.is_completed(), state.message
    statuses = {status for (_, status) in sandbox.statuses}
    assert {429, 500}.issubset(statuses) or {429, 502}.issubset(statuses)
    tracks = chart_tracks(sandbox.world, CHART)
    artists = chart_artists(sandbox.world, tracks)
    stored_tracks, stored_artists, points = complete_counts(cascade_env)
    assert (stored_tracks, stored_artists) == (len(tracks), len(artists))
    assert_track_audience_matches_world(cascade_env, sandbox.world, CHART)
    assert summary_of(state).failed == 0


def test_wrong_key_fails_fast_with_a_clear_message_and_no_retries(
    sandbox: Any, cascade_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUNDCHARTS_API_KEY", "not-the-key")
    get_settings.cache_clear()
    started = time.monotonic()

    state = sync_chart(CHART, return_state=True)

    assert state.is_failed()
    assert time.monotonic() - started < 15
    assert "401" in (state.message or "")
    assert "not-the-key" not in (state.message or "")
    assert calls(sandbox) == {"ranking": 1}


def test_unknown_chart_is_a_clear_error_before_any_other_call(
    sandbox: Any, cascade_env: str
) -> None:
    state = sync_chart("no-such-chart", return_state=True)

    assert state.is_failed()
    assert "Unknown chart 'no-such-chart'" in (state.message or "")
    assert calls(sandbox) == {"ranking": 1}


def test_date_without_ranking_is_a_clear_error_before_any_other_call(
    sandbox: Any, cascade_env: str
) -> None:
    state = sync_chart(CHART, ranking_date=date(2020, 1, 1), return_state=True)

    assert state.is_failed()
    assert "has no ranking on 2020-01-01" in (state.message or "")
    assert calls(sandbox) == {"ranking_dates": 1}


def test_bad_date_is_rejected_before_any_call(sandbox: Any, cascade_env: str) -> None:
    state = sync_chart(CHART, ranking_date="2026-13-45", return_state=True)  # type: ignore[arg-type]

    assert state.is_failed()
    assert "ranking_date" in (state.message or "")
    assert calls(sandbox) == {}


def test_sync_of_a_past_date_stores_that_ranking(sandbox: Any, cascade_env: str) -> None:
    moment = sandbox.world.ranking_datetimes(CHART)[3]
    on = date.fromisoformat(moment[:10])

    state = sync_chart(CHART, ranking_date=on, return_state=True)

    assert state.is_completed(), state.message
    assert summary_of(state).ranking_date == on


def test_malformed_track_payload_fails_that_track_and_the_next_run_completes_it(
    sandbox: Any, cascade_env: str
) -> None:
    broken = chart_tracks(sandbox.world, CHART)[3]
    sandbox.inject("song", uuid=broken, kind="missing_field", times=1)

    first = sync_chart(CHART, return_state=True)

    assert first.is_completed()  # item failures warn; the report trigger still fires
    assert first.message == (
        "Warning: 1 item(s) failed: track-metadata 1 (recorded, retried first next time)."
    )
    with session_scope(cascade_env) as session:
        failure = session.exec(select(FailedItem).where(FailedItem.item_uuid == broken)).one()
        assert failure.stage == "track-metadata" and failure.resolved_at is None
        assert failure.permanent and failure.attempts == 1
        assert "items" in failure.error or "uuid" in failure.error
        others = session.exec(select(Track).where(Track.uuid != broken)).all()
        assert all(t.metadata_fetched_at is not None for t in others)
    sandbox.reset_counts()

    second = sync_chart(CHART, return_state=True)

    assert second.is_completed(), second.message
    assert calls(sandbox)["song"] == 1
    with session_scope(cascade_env) as session:
        track = session.exec(select(Track).where(Track.uuid == broken)).one()
        failure = session.exec(select(FailedItem).where(FailedItem.item_uuid == broken)).one()
    assert track.metadata_fetched_at is not None
    assert failure.resolved_at is not None


def test_exhausted_quota_stops_the_run_with_a_clear_message(sandbox: Any, cascade_env: str) -> None:
    sandbox.config.quota = 30

    state = sync_chart(CHART, return_state=True)

    assert state.is_failed()
    assert "quota is used up" in (state.message or "")
    assert sum(sandbox.billable.values()) == 30
    assert summary_of(state).left_undone > 0


def test_credentials_revoked_mid_run_stop_the_run_without_failing_items(
    sandbox: Any, cascade_env: str
) -> None:
    sandbox.inject("artist", kind=401, times=1000)

    state = sync_chart(CHART, return_state=True)

    assert state.is_failed()
    assert "Soundcharts refused the credentials" in (state.message or "")
    assert "left undone" in (state.message or "")
    with session_scope(cascade_env) as session:
        assert session.exec(select(FailedItem)).all() == []
    assert sandbox.calls["artist"] <= get_settings().max_parallel_requests
