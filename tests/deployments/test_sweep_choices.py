"""The sweep follows each chart's choices (those of its last sync); its own options override."""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.crud.audience import record_checks
from chartcascade.crud.chart_choices import remember_choices
from chartcascade.db import as_utc, session_scope
from chartcascade.flows.report import summary_markdown
from chartcascade.flows.sweep import SweepOptions, backlog_sweep
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.models import AudienceCheck, Chart
from chartcascade.options import PLATFORM_FIELDS, RefreshOptions, SyncOptions
from chartcascade.reports.completeness import completeness
from tests.deployments.test_sweep import seed_chart
from tests.flows.expected import airplay_days, chart_artists, chart_tracks

pytestmark = pytest.mark.prefect
CHART = "global-28"
SPOTIFY_ONLY = SyncOptions(track_platforms=["spotify"], artist_platforms=["spotify"])


def calls(sandbox: Any) -> Counter[str]:
    return Counter({k: v for k, v in sandbox.calls.items() if v and k != "token"})


def age_checks(url: str, days: int) -> None:
    """Every audience check (and its newest date) moved `days` into the past: all stale."""
    with session_scope(url) as session:
        for check in session.exec(select(AudienceCheck)).all():
            check.checked_at = check.checked_at - timedelta(days=days)
            if check.newest_date is not None:
                check.newest_date = check.newest_date - timedelta(days=days)
            session.add(check)


def checked(url: str) -> Counter[str]:
    """Audience checks per series."""
    with session_scope(url) as session:
        return Counter(session.exec(select(AudienceCheck.series)).all())


def sync_spotify_only(sandbox: Any, url: str) -> tuple[int, int]:
    """Sync the chart on Spotify only, age its checks by 3 days; (tracks, artists) on it."""
    state = sync_chart(CHART, options=SPOTIFY_ONLY, return_state=True)
    assert state.is_completed(), state.message
    age_checks(url, days=3)
    sandbox.reset_counts()
    tracks = chart_tracks(sandbox.world, CHART)
    return len(tracks), len(chart_artists(sandbox.world, tracks))


def test_a_chart_run_records_its_choices(sandbox: Any, cascade_env: str) -> None:
    sync_spotify_only(sandbox, cascade_env)

    with session_scope(cascade_env) as session:
        chart = session.exec(select(Chart).where(Chart.slug == CHART)).one()
    assert chart.sync_options is not None and chart.last_synced_at is not None
    assert chart.sync_options["track_platforms"] == ["spotify"]
    assert chart.sync_options["artist_platforms"] == ["spotify"]
    assert chart.sync_options["listening_platforms"] == ["spotify"]


def test_sweep_of_a_spotify_only_chart_calls_spotify_only(sandbox: Any, cascade_env: str) -> None:
    tracks, artists = sync_spotify_only(sandbox, cascade_env)

    state = backlog_sweep(SweepOptions(), return_state=True)

    assert state.is_completed(), state.message
    # one call per stale series: track streams, artist followers, artist monthly listeners
    assert calls(sandbox) == Counter(
        {"song_audience": tracks, "artist_audience": artists, "artist_listening": artists}
    )
    assert checked(cascade_env) == Counter(
        {"audience:spotify": tracks + artists, "listening:spotify": artists}
    )


def test_status_and_report_audit_a_chart_on_its_own_platforms(
    sandbox: Any, cascade_env: str
) -> None:
    sync_spotify_only(sandbox, cascade_env)

    result = CliRunner().invoke(app, ["status", "--chart", CHART])
    audit = completeness(cascade_env, CHART)
    defaults = RefreshOptions().model_dump(include=set(PLATFORM_FIELDS))
    on_defaults = completeness(cascade_env, CHART, **defaults)

    assert result.exit_code == 0, result.output
    assert ", 0 gap(s)" in result.output
    assert "youtube" not in result.output
    assert [row.check for row in audit.rows] == [
        "tracks lacking metadata",
        "artists lacking metadata",
        "tracks lacking spotify",
        "artists lacking spotify audience",
        "artists lacking spotify listening",
    ]
    assert audit.gaps == 0
    assert on_defaults.gaps > 0  # youtube, shazam, airplay... were never fetched
    ranking_date = audit.ranking_date
    assert f"| {CHART} | {ranking_date} | 0 | 0 |" in summary_markdown(cascade_env, CHART, [])


def test_a_sweep_option_overrides_the_charts_choice(sandbox: Any, cascade_env: str) -> None:
    tracks, _ = sync_spotify_only(sandbox, cascade_env)
    options = SweepOptions(track_platforms=["youtube"], audience_max_age_hours=24 * 7)

    state = backlog_sweep(options, return_state=True)

    assert state.is_completed(), state.message
    # youtube for every track (never checked); spotify series 3 days old are fresh in 7 days
    assert calls(sandbox) == Counter({"song_audience": tracks})
    assert checked(cascade_env)["audience:youtube"] == tracks


def choose(url: str, chart: str, **choices: Any) -> None:
    with session_scope(url) as session:
        remember_choices(
            session,
            chart=chart,
            options=RefreshOptions(artist_platforms=[], listening_platforms=[], **choices),
        )


def song_artists(sandbox: Any, songs: list[str]) -> int:
    return len({a for song in songs for a in sandbox.world.song_artist_uuids(song)})


def test_a_track_on_two_charts_gets_the_platforms_of_both(sandbox: Any, cascade_env: str) -> None:
    songs = sandbox.world.song_uuids[:6]
    seed_chart(cascade_env, songs[:4], day=date.today(), slug="a")
    seed_chart(cascade_env, songs[2:], day=date.today(), slug="b")
    choose(cascade_env, "a", track_platforms=["spotify"])
    choose(cascade_env, "b", track_platforms=["youtube"])
    sandbox.reset_counts()

    state = backlog_sweep(SweepOptions(), return_state=True)

    assert state.is_completed(), state.message
    assert calls(sandbox) == Counter(
        {"song": 6, "artist": song_artists(sandbox, songs), "song_audience": 4 + 4}
    )
    with session_scope(cascade_env) as session:
        series = set(session.exec(select(AudienceCheck.entity_uuid, AudienceCheck.series)))
    assert series == {(s, "audience:spotify") for s in songs[:4]} | {
        (s, "audience:youtube") for s in songs[2:]
    }


def test_a_series_is_stale_by_the_strictest_window_of_its_charts(
    sandbox: Any, cascade_env: str
) -> None:
    songs = sandbox.world.song_uuids[:3]
    seed_chart(cascade_env, songs[:2], day=date.today(), slug="relaxed")
    seed_chart(cascade_env, songs[1:], day=date.today(), slug="hourly")
    choose(cascade_env, "relaxed", track_platforms=["spotify"], audience_max_age_hours=20)
    choose(cascade_env, "hourly", track_platforms=["spotify"], audience_max_age_hours=1)
    two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
    with session_scope(cascade_env) as session:
        record_checks(
            session,
            checks=[
                {
                    "entity_kind": "track",
                    "entity_uuid": song,
                    "series": "audience:spotify",
                    "status": "ok",
                    "newest_date": date.today() - timedelta(days=3),
                    "checked_at": two_hours_ago,
                }
                for song in songs
            ],
        )
    sandbox.reset_counts()

    state = backlog_sweep(SweepOptions(), return_state=True)

    assert state.is_completed(), state.message
    # songs[0] is on the 20-hour chart only: fresh; songs[1] is on both, songs[2] on the
    # 1-hour chart: stale
    assert calls(sandbox) == Counter(
        {"song": 3, "artist": song_artists(sandbox, songs), "song_audience": 2}
    )
    with session_scope(cascade_env) as session:
        stored = session.exec(select(AudienceCheck)).all()
    refreshed = {c.entity_uuid for c in stored if as_utc(c.checked_at) > two_hours_ago}
    assert refreshed == set(songs[1:])


def test_a_chart_never_synced_with_choices_gets_the_default_platforms(
    sandbox: Any, cascade_env: str
) -> None:
    songs = sandbox.world.song_uuids[:2]
    seed_chart(cascade_env, songs, day=date.today(), slug="old")  # no choices recorded
    sandbox.reset_counts()
    no_artist_series = SweepOptions(artist_platforms=[], listening_platforms=[])

    state = backlog_sweep(no_artist_series, return_state=True)

    assert state.is_completed(), state.message
    radio_pages = sum(
        max(1, math.ceil(len(sandbox.world.broadcast_groups(song, day, day)) / 100))
        for song in songs
        for day in airplay_days()
    )
    # spotify, youtube, shazam: one call each; airplay: a day per call, 7 days
    assert calls(sandbox) == Counter(
        {
            "song": 2,
            "artist": song_artists(sandbox, songs),
            "song_audience": 3 * 2,
            "broadcast_groups": radio_pages,
        }
    )
