"""The backfill flow against the served sandbox, a real SQLite database and a Prefect server."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from chartcascade.db import session_scope
from chartcascade.flows.backfill import backfill_chart
from chartcascade.models import Artist, Chart, RankingSnapshot, Track
from chartcascade.options import SyncOptions
from chartcascade.reports.tracks import track_analytics
from tests.conftest import SMALL_CHARTS
from tests.flows.expected import today

pytestmark = pytest.mark.prefect
CHART = "global-28"
WEEKLY = "top-100-global-weekly"
# One track and one artist series each, so the expected calls stay short to write down.
OPTIONS = SyncOptions(
    track_platforms=["spotify"],  # type: ignore[list-item]
    artist_platforms=["spotify"],  # type: ignore[list-item]
    listening_platforms=[],
    local_streaming_platforms=[],
)
RANKINGS_ONLY = SyncOptions(
    auto_fetch_track_metadata=False, auto_fetch_artist_metadata=False, auto_fetch_audience=False
)


@pytest.fixture
def sandbox_world() -> object:
    """The small world, with a small weekly chart too."""
    from chartcascade.sandbox import SandboxWorld

    sizes = {**SMALL_CHARTS, WEEKLY: 6}
    return SandboxWorld(seed=11, n_songs=80, n_artists=50, chart_sizes=sizes)


def week() -> tuple[date, date]:
    """The 7 days before today."""
    return today() - timedelta(days=7), today() - timedelta(days=1)


def calls(sandbox: Any) -> Counter[str]:
    return Counter({k: v for k, v in sandbox.calls.items() if v and k != "token"})


def world_entries(world: Any, chart: str, days: list[date]) -> list[list[dict[str, Any]]]:
    """The ranking items the world serves on each day (as the ranking endpoint pages them)."""
    spec = world.charts[chart]
    hour = spec.hour
    return [world.ranking(chart, f"{day.isoformat()}T{hour}:00:00+00:00") for day in days]


def expected_calls(world: Any, days: list[date]) -> Counter[str]:
    """One list call, one call per ranking, then each song and artist of the week once."""
    rankings = world_entries(world, CHART, days)
    songs = {item["song"]["uuid"] for items in rankings for item in items}
    artists = {a for song in songs for a in world.song_artist_uuids(song)}
    return Counter(
        {
            "ranking_dates": 1,
            "ranking": len(days),
            "song": len(songs),
            "song_audience": len(songs),
            "artist": len(artists),
            "artist_audience": len(artists),
        }
    )


def the_week() -> list[date]:
    start, end = week()
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def stored_dates(database_url: str, chart: str) -> list[date]:
    with session_scope(database_url) as session:
        return sorted(
            session.exec(
                select(RankingSnapshot.ranking_date)
                .join(Chart, col(Chart.id) == RankingSnapshot.chart_id)
                .where(Chart.slug == chart)
            ).all()
        )


def test_backfill_stores_each_ranking_and_fetches_each_item_once(
    sandbox: Any, cascade_env: str
) -> None:
    start, end = week()
    state = backfill_chart(CHART, start, end, OPTIONS, return_state=True)

    assert state.is_completed(), state.message
    assert stored_dates(cascade_env, CHART) == the_week()
    assert calls(sandbox) == expected_calls(sandbox.world, the_week())
    with session_scope(cascade_env) as session:
        assert all(t.metadata_fetched_at for t in session.exec(select(Track)).all())
        assert all(a.metadata_fetched_at for a in session.exec(select(Artist)).all())

    sandbox.reset_counts()
    again = backfill_chart(CHART, start, end, OPTIONS, return_state=True)

    assert again.is_completed(), again.message
    assert calls(sandbox) == Counter({"ranking_dates": 1})


def test_days_on_chart_count_the_backfilled_dates(sandbox: Any, cascade_env: str) -> None:
    start, end = week()
    assert backfill_chart(CHART, start, end, RANKINGS_ONLY, return_state=True).is_completed()

    charted: Counter[str] = Counter()
    for items in world_entries(sandbox.world, CHART, the_week()):
        charted.update(item["song"]["uuid"] for item in items if item["position"] > 0)
    always = [song for song, days in charted.items() if days == 7]
    sometimes = [song for song, days in charted.items() if days < 7]
    assert always and sometimes, "the world's week has steady and moving tracks"
    summary = track_analytics(cascade_env, charts=[CHART]).summary
    days_on_chart = dict(zip(summary["track_uuid"], summary["days_on_chart"], strict=True))
    assert {song: days_on_chart[song] for song in charted} == dict(charted)
    assert {days_on_chart[song] for song in always} == {7}


def test_backfill_stopped_by_the_quota_resumes_without_refetching(
    sandbox: Any, cascade_env: str
) -> None:
    start, end = week()
    sandbox.config.quota = 1 + 3  # the list of dates and three rankings
    first = backfill_chart(CHART, start, end, OPTIONS, return_state=True)

    assert first.is_failed()
    assert "4 of 7 rankings" in (first.message or "")
    assert stored_dates(cascade_env, CHART) == the_week()[:3]  # oldest first

    sandbox.config.quota = None
    second = backfill_chart(CHART, start, end, OPTIONS, return_state=True)

    assert second.is_completed(), second.message
    assert stored_dates(cascade_env, CHART) == the_week()
    billed = Counter({k: v for k, v in sandbox.billable.items() if k != "token"})
    assert billed == expected_calls(sandbox.world, the_week()) + Counter({"ranking_dates": 1})


def test_weekly_chart_backfills_its_weekly_dates(sandbox: Any, cascade_env: str) -> None:
    end = today()
    start = end - timedelta(days=27)
    thursdays = [start + timedelta(days=n) for n in range(28)]
    thursdays = [day for day in thursdays if day.weekday() == 3]

    state = backfill_chart(WEEKLY, start, end, RANKINGS_ONLY, return_state=True)

    assert state.is_completed(), state.message
    assert stored_dates(cascade_env, WEEKLY) == thursdays
    assert calls(sandbox) == Counter({"ranking_dates": 1, "ranking": 4})
    with session_scope(cascade_env) as session:
        chart = session.exec(select(Chart).where(Chart.slug == WEEKLY)).one()
    assert chart.frequency == "weekly"
