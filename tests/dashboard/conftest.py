"""A database filled by a sandbox cascade of two small charts, shared by the dashboard tests."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from chartcascade.db import dispose_engines, get_engine
from chartcascade.schema import upgrade
from tests.conftest import SMALL_CHARTS, _cascade_env

CHARTS = ("global-28", "top-100-global")


@pytest.fixture(scope="session")
def synced(tmp_path_factory: pytest.TempPathFactory, prefect_api: str) -> Iterator[tuple[str, Any]]:
    """(database URL, sandbox world) after a cascade of `CHARTS` with Spotify listeners per
    country: rankings, tracks, artists, audience, radio."""
    from chartcascade.flows.sync_chart import sync_chart
    from chartcascade.options import SyncOptions
    from chartcascade.sandbox import Sandbox, SandboxConfig, SandboxWorld

    world = SandboxWorld(seed=11, n_songs=80, n_artists=50, chart_sizes=SMALL_CHARTS)
    sandbox = Sandbox(world=world, config=SandboxConfig())
    folder: Path = tmp_path_factory.mktemp("dashboard-db")
    url = f"sqlite:///{(folder / 'chartcascade.db').as_posix()}"
    upgrade(url)
    options = SyncOptions(local_streaming_platforms=["spotify"])
    with pytest.MonkeyPatch.context() as monkeypatch:
        environment = _cascade_env(sandbox, url, monkeypatch)
        next(environment)
        previous = date.fromisoformat(world.ranking_datetimes(CHARTS[0])[1][:10])
        runs = [(CHARTS[0], previous), *((chart, None) for chart in CHARTS)]
        for chart, day in runs:
            state = sync_chart(chart, ranking_date=day, options=options, return_state=True)
            assert state.is_completed(), state.message
        for _ in environment:
            pass
    remove_spotify_of(url, gap_track(world))
    yield url, world
    dispose_engines(url)


def gap_track(world: Any) -> str:
    """The lowest charted track of the first chart's newest ranking that no other chart lists:
    its Spotify audience is removed, a gap the completeness page must name."""
    others = {e["song"]["uuid"] for chart in CHARTS[1:] for e in world.ranking(chart)}
    charted = [e for e in world.ranking(CHARTS[0]) if e["position"] > 0]
    return next(
        e["song"]["uuid"]
        for e in sorted(charted, key=lambda e: -e["position"])
        if e["song"]["uuid"] not in others
    )


def remove_spotify_of(url: str, uuid: str) -> None:
    with get_engine(url).begin() as connection:
        track_id = connection.execute(text("SELECT id FROM track WHERE uuid = :u"), {"u": uuid})
        tid = track_id.scalar_one()
        connection.execute(
            text("DELETE FROM track_audience_point WHERE track_id = :t AND platform = 'spotify'"),
            {"t": tid},
        )
        connection.execute(
            text(
                "DELETE FROM audience_check WHERE entity_uuid = :u AND series = 'audience:spotify'"
            ),
            {"u": uuid},
        )
