"""Watched artists: `artists watch` and `artists sync` fetch each of their series once, a rerun
inside the windows fetches nothing, and the sweep picks up their stale series."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.db import session_scope
from chartcascade.flows.sweep import SweepOptions, backlog_sweep
from chartcascade.flows.sync_artists import WatchlistOptions, sync_artists
from chartcascade.models import Artist, ArtistAudiencePoint, AudienceCheck, WatchedArtist

pytestmark = pytest.mark.prefect
# One call per default artist platform (spotify, youtube, instagram, tiktok: an artist without
# an account answers 404, still one call) and one for Spotify monthly listeners; 90 days of
# lookback fit one page.
ONE_OF_EACH_SERIES = Counter({"artist_audience": 4, "artist_listening": 1})


def calls(sandbox: Any) -> Counter[str]:
    return Counter({k: v for k, v in sandbox.calls.items() if v and k != "token"})


def requested_uuids(sandbox: Any) -> set[str]:
    return {params["uuid"] for _, params, _ in sandbox.requests if "uuid" in params}


def watch(uuid: str) -> Any:
    return CliRunner().invoke(app, ["artists", "watch", uuid])


def age_checks(url: str, days: int) -> None:
    """Every audience check (and its newest date) moved `days` into the past."""
    with session_scope(url) as session:
        for check in session.exec(select(AudienceCheck)).all():
            check.checked_at -= timedelta(days=days)
            if check.newest_date is not None:
                check.newest_date -= timedelta(days=days)
            session.add(check)


def test_watch_then_sync_fetches_metadata_and_each_series_once(
    sandbox: Any, cascade_env: str
) -> None:
    artist = sandbox.world.artists[3]

    result = watch(artist.uuid)

    assert result.exit_code == 0, result.output
    assert f"watching: {artist.uuid}" in result.output
    assert calls(sandbox) == Counter({"artist": 1})  # the one metadata lookup
    sandbox.reset_counts()

    state = sync_artists(WatchlistOptions(), return_state=True)

    assert state.is_completed(), state.message
    assert calls(sandbox) == ONE_OF_EACH_SERIES  # metadata is fresh from `watch`
    assert requested_uuids(sandbox) == {artist.uuid}
    with session_scope(cascade_env) as session:
        stored = session.exec(select(Artist)).one()
        series = set(session.exec(select(AudienceCheck.series)).all())
        points = session.exec(select(ArtistAudiencePoint)).all()
    assert (stored.uuid, stored.name) == (artist.uuid, artist.name)
    assert series == {
        "audience:spotify",
        "audience:youtube",
        "audience:instagram",
        "audience:tiktok",
        "listening:spotify",
    }
    assert points  # followers and listeners were stored

    sandbox.reset_counts()
    rerun = sync_artists(WatchlistOptions(), return_state=True)

    assert rerun.is_completed(), rerun.message
    assert calls(sandbox) == Counter()
    summary = rerun.result()
    assert {s.stage: s.skipped_fresh for s in summary.stages} == {
        "artist-metadata": 1,
        "artist-audience-spotify": 1,
        "artist-audience-youtube": 1,
        "artist-audience-instagram": 1,
        "artist-audience-tiktok": 1,
        "artist-listening-spotify": 1,
    }


def test_sweep_refreshes_a_watched_artists_stale_series(sandbox: Any, cascade_env: str) -> None:
    watched, other = sandbox.world.artists[5], sandbox.world.artists[6]
    assert watch(watched.uuid).exit_code == 0
    assert watch(other.uuid).exit_code == 0
    assert sync_artists(WatchlistOptions(), return_state=True).is_completed()
    assert CliRunner().invoke(app, ["artists", "unwatch", other.uuid]).exit_code == 0
    age_checks(cascade_env, days=3)  # older than the default 20-hour window
    sandbox.reset_counts()

    state = backlog_sweep(SweepOptions(), return_state=True)

    assert state.is_completed(), state.message
    assert calls(sandbox) == ONE_OF_EACH_SERIES  # metadata is 3 days old: still fresh
    assert requested_uuids(sandbox) == {watched.uuid}  # the unwatched one waits for nothing


def test_sweep_override_applies_to_watched_artists(sandbox: Any, cascade_env: str) -> None:
    artist = sandbox.world.artists[7]
    assert watch(artist.uuid).exit_code == 0
    sandbox.reset_counts()

    options = SweepOptions(artist_platforms=["youtube"], listening_platforms=[])
    state = backlog_sweep(options, return_state=True)

    assert state.is_completed(), state.message
    assert calls(sandbox) == Counter({"artist_audience": 1})
    assert [q["platform"] for e, q, _ in sandbox.requests if e == "artist_audience"] == ["youtube"]


def test_watch_of_an_unknown_uuid_stores_nothing(sandbox: Any, cascade_env: str) -> None:
    result = watch("00000000-0000-0000-0000-000000000000")

    assert result.exit_code == 1
    assert "no artist 00000000-0000-0000-0000-000000000000 on Soundcharts" in result.output
    assert calls(sandbox) == Counter({"artist": 1})
    with session_scope(cascade_env) as session:
        assert session.exec(select(Artist)).all() == []
        assert session.exec(select(WatchedArtist)).all() == []


def test_list_and_unwatch(sandbox: Any, cascade_env: str) -> None:
    first, second = sandbox.world.artists[1], sandbox.world.artists[2]
    runner = CliRunner()
    assert runner.invoke(app, ["artists", "watch", first.uuid, second.uuid]).exit_code == 0
    again = watch(first.uuid)
    assert f"already watched: {first.uuid}" in again.output
    assert calls(sandbox) == Counter({"artist": 2})  # a stored artist needs no lookup

    removed = runner.invoke(app, ["artists", "unwatch", first.uuid])
    listed = runner.invoke(app, ["artists", "list", "--wide"])
    missing = runner.invoke(app, ["artists", "unwatch", first.uuid])

    assert removed.exit_code == 0
    assert second.uuid in listed.output and first.uuid not in listed.output
    assert "1 watched" in listed.output
    assert missing.exit_code == 1 and "is not watched" in missing.output


def test_artists_sync_command_prints_the_run_summary(sandbox: Any, cascade_env: str) -> None:
    artist = sandbox.world.artists[4]
    assert watch(artist.uuid).exit_code == 0

    result = CliRunner().invoke(app, ["artists", "sync", "-o", "artist_platforms=spotify"])

    assert result.exit_code == 0, result.output
    assert "Watched artists" in result.output and "artist-audience-spotify" in result.output
    assert calls(sandbox) == Counter({"artist": 1, "artist_audience": 1, "artist_listening": 1})
