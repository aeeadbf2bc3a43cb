"""`force_refresh` refetches radio airplay days that are already stored."""

from __future__ import annotations

import math
from typing import Any

import pytest

from chartcascade.flows.sync_chart import sync_chart
from chartcascade.options import SyncOptions
from tests.flows.expected import airplay_days, chart_tracks
from tests.flows.test_sync_chart import CHART, calls

pytestmark = pytest.mark.prefect
ONLY_AIRPLAY: dict[str, Any] = {
    "track_platforms": ["airplay"],
    "artist_platforms": [],
    "listening_platforms": [],
    "auto_fetch_artist_metadata": False,
}


def test_forced_run_refetches_every_airplay_day(sandbox: Any, cascade_env: str) -> None:
    world = sandbox.world
    # By hand from the world: one call per track and day, two when a day has over 100 stations.
    expected = sum(
        max(1, math.ceil(len(world.broadcast_groups(track, day, day)) / 100))
        for track in chart_tracks(world, CHART)
        for day in airplay_days()
    )
    assert sync_chart(CHART, options=SyncOptions(**ONLY_AIRPLAY), return_state=True).is_completed()
    assert calls(sandbox)["broadcast_groups"] == expected
    sandbox.reset_counts()

    forced = SyncOptions(force_refresh=True, **ONLY_AIRPLAY)
    assert sync_chart(CHART, options=forced, return_state=True).is_completed()

    assert calls(sandbox)["broadcast_groups"] == expected
    assert calls(sandbox)["song"] == len(chart_tracks(world, CHART))
