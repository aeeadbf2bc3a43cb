"""Two chart runs at the same time, sharing tracks and artists, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import func, select

from chartcascade.db import session_scope
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.models import Artist, ArtistAudiencePoint, Track, TrackAudiencePoint
from tests.conftest import _cascade_env
from tests.flows.expected import chart_artists, chart_tracks

pytestmark = pytest.mark.prefect
CHARTS = ["global-28", "top-100-global"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def shared_env(
    request: pytest.FixtureRequest, sandbox: Any, prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    yield from _cascade_env(sandbox, url, monkeypatch)


def test_concurrent_runs_fetch_each_shared_entity_once(sandbox: Any, shared_env: str) -> None:
    world = sandbox.world
    tracks = list(dict.fromkeys(t for chart in CHARTS for t in chart_tracks(world, chart)))
    artists = chart_artists(world, tracks)
    shared = set(chart_artists(world, chart_tracks(world, CHARTS[0]))) & set(
        chart_artists(world, chart_tracks(world, CHARTS[1]))
    )
    assert shared, "the sandbox charts must share artists for this test to mean anything"

    with ThreadPoolExecutor(max_workers=2) as pool:
        states = list(pool.map(lambda chart: sync_chart(chart, return_state=True), CHARTS))

    assert all(state.is_completed() for state in states), [s.message for s in states]
    assert sandbox.calls["song"] == len(tracks)
    assert sandbox.calls["artist"] == len(artists)
    assert sandbox.calls["song_audience"] == 3 * len(tracks)
    assert sandbox.calls["artist_audience"] == 4 * len(artists)
    with session_scope(shared_env) as session:
        assert session.exec(select(func.count()).select_from(Track)).one() == len(tracks)
        assert session.exec(select(func.count()).select_from(Artist)).one() == len(artists)
        track_points = session.exec(select(TrackAudiencePoint)).all()
        artist_points = session.exec(select(ArtistAudiencePoint)).all()
    assert len({(p.track_id, p.platform, p.date) for p in track_points}) == len(track_points)
    assert len({(p.artist_id, p.platform, p.metric, p.date) for p in artist_points}) == len(
        artist_points
    )
