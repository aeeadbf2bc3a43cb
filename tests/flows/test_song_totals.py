"""Song totals over identifiers in a real cascade: only complete days stored, none lowered by
us, and a day left out because an identifier came in late is fetched again on the next run."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from chartcascade.crud.audience import series_corrections
from chartcascade.db import session_scope
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.models import AudienceCheck
from chartcascade.sandbox import SandboxWorld
from tests.flows.expected import (
    LOOKBACK_DAYS,
    chart_tracks,
    expected_track_totals,
    stored_track_series,
    today,
)

pytestmark = pytest.mark.prefect
CHART = "global-28"
PLATFORMS = ("spotify", "youtube", "shazam")


def world_parameters(world: SandboxWorld) -> dict[str, Any]:
    """What builds the same world again (at another `as_of`)."""
    return {
        "seed": world.seed,
        "n_songs": world.n_songs,
        "n_artists": world.n_artists,
        "chart_sizes": {slug: spec.size for slug, spec in world.charts.items()},
    }


def decreases(series: dict[date, int]) -> list[date]:
    """Stored days whose value is below the stored day before."""
    days = sorted(series)
    return [b for a, b in zip(days, days[1:], strict=False) if series[b] < series[a]]


def served_days(world: SandboxWorld, uuid: str, platform: str, start: date) -> list[date]:
    return [day for day, _ in world.song_series(uuid, platform, start, today())]


def test_cascade_stores_complete_days_only_and_never_lowers_a_series(
    sandbox: Any, cascade_env: str
) -> None:
    world = sandbox.world
    start = today() - timedelta(days=LOOKBACK_DAYS)
    assert sync_chart(CHART, return_state=True).is_completed()

    stored = stored_track_series(cascade_env)
    left_out = 0
    for uuid in chart_tracks(world, CHART):
        for platform in PLATFORMS:
            expected = expected_track_totals(world, uuid, platform, start, today())
            assert stored.get((uuid, platform), {}) == expected, (uuid, platform)
            left_out += len(set(served_days(world, uuid, platform, start)) - set(expected))
            # No chart track of this world drops an identifier: no series may go down.
            assert world.discontinuity_date(uuid) is None
            assert decreases(stored.get((uuid, platform), {})) == [], (uuid, platform)
    assert left_out >= 10  # nulls, left-out and late identifiers were all served
    with session_scope(cascade_env) as session:
        assert series_corrections(session) == []


def test_next_run_fetches_the_days_left_out_once_they_are_complete(
    sandbox: Any, cascade_env: str
) -> None:
    start = today() - timedelta(days=LOOKBACK_DAYS)
    before = SandboxWorld(**world_parameters(sandbox.world), as_of=today() - timedelta(days=2))
    sandbox.world = before  # the API two days ago: late values still missing
    assert sync_chart(CHART, return_state=True).is_completed()
    tracks = chart_tracks(before, CHART)
    left_out: dict[tuple[str, str], list[date]] = {}
    for uuid in tracks:
        for platform in PLATFORMS:
            expected = expected_track_totals(before, uuid, platform, start, today())
            missing = sorted(set(served_days(before, uuid, platform, start)) - set(expected))
            if missing:
                left_out[(uuid, platform)] = missing
    first_left_out = {key: days[0] for key, days in left_out.items()}
    after = SandboxWorld(**world_parameters(before), as_of=today())  # the late values are in
    late = {
        key: [day for day in days if day in expected_track_totals(after, *key, start, today())]
        for key, days in left_out.items()
    }
    late = {key: days for key, days in late.items() if days}
    assert len(late) >= 2, left_out
    with session_scope(cascade_env) as session:
        checks = {
            (c.entity_uuid, c.series.removeprefix("audience:")): c
            for c in session.exec(select(AudienceCheck)).all()
            if c.entity_kind == "track"
        }
        for key, day in first_left_out.items():
            assert checks[key].newest_date == day - timedelta(days=1), key
        for check in checks.values():  # a day later: every series is due again
            check.checked_at = check.checked_at - timedelta(days=1)
            session.add(check)

    sandbox.world = after
    sandbox.reset_counts()
    assert sync_chart(CHART, return_state=True).is_completed()

    asked = {
        (params["uuid"], params["platform"]): query["startDate"]
        for endpoint, params, query in sandbox.requests
        if endpoint == "song_audience"
    }
    stored = stored_track_series(cascade_env)
    refetched = 0
    for (uuid, platform), day in first_left_out.items():
        if (uuid, platform) not in asked:
            continue  # the track left the chart
        # The window restarts at the first day left out, with the stored day before it
        # (none before the lookback's first day).
        restart = max(start, day - timedelta(days=1))
        assert asked[(uuid, platform)] == str(restart), (uuid, platform)
        for late_day in late.get((uuid, platform), []):
            assert stored[(uuid, platform)][late_day] == after.song_total(uuid, platform, late_day)
            refetched += 1
        assert decreases(stored[(uuid, platform)]) == [], (uuid, platform)
    assert refetched >= 2
    with session_scope(cascade_env) as session:
        assert series_corrections(session, uuids=tracks) == []
