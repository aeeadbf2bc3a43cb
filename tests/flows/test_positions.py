"""Off-chart ranking entries (position 0): stored and marked, and last for `top_n` and plans."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select

from chartcascade.db import session_scope
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.models import AudienceCheck, RankingEntry, Track
from chartcascade.options import SyncOptions
from chartcascade.planning import plan_sync
from tests.flows.test_sync_chart import CHART, calls

pytestmark = pytest.mark.prefect
TOP = 3
ONLY_SPOTIFY: dict[str, Any] = {
    "track_platforms": ["spotify"],
    "artist_platforms": [],
    "listening_platforms": [],
}


def listed(world: Any) -> list[dict[str, Any]]:
    """The chart's latest ranking as the sandbox serves it (page order)."""
    return list(world.ranking(CHART))


def best_charted(world: Any, count: int) -> list[str]:
    """By hand: the uuids at positions 1..count, whatever their place in the pages."""
    by_position = {item["position"]: item["song"]["uuid"] for item in listed(world)}
    return [by_position[p] for p in range(1, count + 1)]


def test_sandbox_lists_an_off_chart_entry_before_the_top_positions(sandbox: Any) -> None:
    positions = [item["position"] for item in listed(sandbox.world)]
    # Off-chart entries sit among the first positions in page order: a test of `top_n` that
    # took the pages' order, or sorted by raw position, would pick them.
    assert 0 in positions[:TOP]


def test_off_chart_entries_are_stored_marked_off_chart(sandbox: Any, cascade_env: str) -> None:
    options = SyncOptions(auto_fetch_audience=False, auto_fetch_artist_metadata=False)
    assert sync_chart(CHART, options=options, return_state=True).is_completed()

    with session_scope(cascade_env) as session:
        rows = session.exec(
            select(Track.uuid, RankingEntry.position, RankingEntry.off_chart).join(
                RankingEntry, col(RankingEntry.track_id) == col(Track.id)
            )
        ).all()
    stored = {uuid: (position, off_chart) for uuid, position, off_chart in rows}
    expected = {
        item["song"]["uuid"]: (item["position"], item["position"] == 0)
        for item in listed(sandbox.world)
    }
    assert stored == expected
    assert any(off_chart for _, off_chart in stored.values())


def test_top_n_processes_the_best_charted_positions(sandbox: Any, cascade_env: str) -> None:
    world = sandbox.world
    top = best_charted(world, TOP)
    artists = list(dict.fromkeys(a for t in top for a in world.song_artist_uuids(t)))
    options = SyncOptions(top_n=TOP, **ONLY_SPOTIFY)

    assert sync_chart(CHART, options=options, return_state=True).is_completed()

    made = calls(sandbox)
    assert made["song"] == len(listed(world))  # metadata: every listed track
    assert made["song_audience"] == TOP  # one spotify call for each of the top tracks
    assert made["artist"] == len(artists)  # artist metadata: the top tracks' artists only
    with session_scope(cascade_env) as session:
        checked = session.exec(
            select(AudienceCheck.entity_uuid).where(AudienceCheck.entity_kind == "track")
        ).all()
    assert sorted(checked) == sorted(top)


def test_plan_counts_the_best_charted_positions_for_top_n(sandbox: Any, cascade_env: str) -> None:
    world = sandbox.world
    options = SyncOptions(auto_fetch_audience=False)
    assert sync_chart(CHART, options=options, return_state=True).is_completed()
    top = best_charted(world, TOP)
    artists = {a for t in top for a in world.song_artist_uuids(t)}
    off_chart = [i["song"]["uuid"] for i in listed(world)[:TOP] if i["position"] == 0]
    assert not {a for t in off_chart for a in world.song_artist_uuids(t)} <= artists

    plan = plan_sync(
        CHART,
        None,
        SyncOptions(
            top_n=TOP,
            track_platforms=["spotify"],
            artist_platforms=["spotify"],
            listening_platforms=[],
        ),
    )

    stages = {stage.stage: stage for stage in plan.stages}
    assert plan.tracks == len(listed(world))
    assert stages["track-audience-spotify"].items == TOP
    assert stages["artist-audience-spotify"].items == len(artists)
