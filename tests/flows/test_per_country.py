"""Per country: radio spins split by country from the same calls, and the local streaming
feed (one call per artist per 90 days, only when asked for)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import select

from chartcascade.crud.countries import airplay_by_country, artist_audience_by_country
from chartcascade.db import session_scope
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.models import Artist, Track, TrackAudiencePoint
from chartcascade.options import SyncOptions
from chartcascade.sandbox import streaming
from tests.flows.expected import (
    LOOKBACK_DAYS,
    airplay_days,
    chart_artists,
    chart_tracks,
    minimum_calls,
    today,
)
from tests.flows.test_sync_chart import CHART, calls

pytestmark = pytest.mark.prefect


def _world_airplay_countries(world: Any, track: str) -> dict[tuple[Any, str], tuple[int, int]]:
    """(day, country) -> (spins, stations), grouped by hand from the world's stations."""
    found: dict[tuple[Any, str], tuple[int, int]] = {}
    for day in airplay_days():
        for station, count in world.broadcast_groups(track, day, day):
            spins, stations = found.get((day, station.country_code or "ZZ"), (0, 0))
            found[(day, station.country_code or "ZZ")] = (spins + count, stations + 1)
    return found


def _world_streaming(world: Any, artist: str) -> dict[tuple[Any, str, str], int]:
    """(day, country, city) -> value served with a value, from the world's streaming truth."""
    record = world.artist_record(artist)
    start, end = today() - timedelta(days=LOOKBACK_DAYS), today()
    first, last = world.clip(start, end)
    found: dict[tuple[Any, str, str], int] = {}
    for day in streaming.streaming_days(record, "spotify", first, last):
        on = date.fromordinal(day)
        for code, value in streaming.country_values(record, "spotify", day).items():
            if value is not None:
                found[(on, code, "")] = value
        for (code, city), value in streaming.city_values(record, "spotify", day).items():
            if value is not None:
                found[(on, code, city)] = value
    return found


def test_cascade_stores_countries_without_more_calls_but_the_streaming_feed(
    sandbox: Any, cascade_env: str
) -> None:
    world = sandbox.world
    options = SyncOptions(local_streaming_platforms=["spotify"], store_cities=True)

    state = sync_chart(CHART, options=options, return_state=True)

    assert state.is_completed(), state.message
    tracks = chart_tracks(world, CHART)
    artists = chart_artists(world, tracks)
    # Radio countries cost nothing; local streaming one call per artist (91 days: one window).
    assert calls(sandbox) == minimum_calls(world, [CHART]) + Counter(artist_streaming=len(artists))
    with session_scope(cascade_env) as session:
        track_ids = {t.uuid: t.id for t in session.exec(select(Track)).all()}
        artist_ids = {a.uuid: a.id for a in session.exec(select(Artist)).all()}
        totals = {
            (p.track_id, p.date): p.value
            for p in session.exec(
                select(TrackAudiencePoint).where(TrackAudiencePoint.platform == "airplay")
            ).all()
        }
        radio = airplay_by_country(session, list(track_ids.values()), *_airplay_range())
        local = artist_audience_by_country(
            session, list(artist_ids.values()), ["spotify"], today() - timedelta(days=400), today()
        )
    by_track: dict[int, dict[tuple[Any, str], tuple[int, int]]] = {}
    for row in radio:
        by_track.setdefault(row.track_id, {})[(row.date, row.country_code)] = (
            row.spins,
            row.stations,
        )
    played = 0
    for uuid in tracks:
        stored = by_track.get(track_ids[uuid], {})
        assert stored == _world_airplay_countries(world, uuid), uuid
        for day in airplay_days():
            day_sum = sum(spins for (on, _), (spins, _) in stored.items() if on == day)
            assert day_sum == totals[(track_ids[uuid], day)], (uuid, day)
            played += day_sum
    assert played > 0
    assert {code for row in radio for code in [row.country_code]} >= {"IT", "US", "ZZ"}

    by_artist: dict[int, dict[tuple[Any, str, str], int]] = {}
    for row in local:
        assert row.metric == "monthly_listeners"
        by_artist.setdefault(row.artist_id, {})[(row.date, row.country_code, row.city)] = row.value
    for uuid in artists:
        assert by_artist.get(artist_ids[uuid], {}) == _world_streaming(world, uuid), uuid


def test_an_italian_figure_the_sandbox_served_is_stored_exactly(
    sandbox: Any, cascade_env: str
) -> None:
    world = sandbox.world
    only_local: dict[str, Any] = {
        "track_platforms": [],
        "artist_platforms": [],
        "listening_platforms": [],
        "local_streaming_platforms": ["spotify"],
    }
    state = sync_chart(CHART, options=SyncOptions(**only_local), return_state=True)
    assert state.is_completed(), state.message
    artists = chart_artists(world, chart_tracks(world, CHART))
    # From the world: the first (artist, recent day) served whose Italian figure is not one
    # of the world's rare nulls.
    artist, day, italy = next(
        (artist, day, value)
        for day in (today() - timedelta(days=n) for n in range(1, 8))
        for artist in artists
        if (value := _served_italy(world, artist, day)) is not None
    )

    with session_scope(cascade_env) as session:
        artist_id = session.exec(select(Artist.id).where(Artist.uuid == artist)).one()
        rows = artist_audience_by_country(session, [artist_id], ["spotify"], day, day)

    assert calls(sandbox)["artist_streaming"] == len(artists)
    assert [(r.country_code, r.city, r.value) for r in rows if r.country_code == "IT"] == [
        ("IT", "", italy)
    ]
    assert all(r.city == "" for r in rows)  # cities only with store_cities


def _served_italy(world: Any, artist: str, day: date) -> int | None:
    """The Italian value the sandbox serves for `artist` on `day`; None if it serves none."""
    record, ordinal = world.artist_record(artist), day.toordinal()
    if not streaming.streaming_days(record, "spotify", ordinal, ordinal):
        return None
    item = streaming.streaming_item(record, "spotify", ordinal)
    return next(c["value"] for c in item["countryPlots"] if c["countryCode"] == "IT")


def _airplay_range() -> tuple[Any, Any]:
    days = airplay_days()
    return days[0], days[-1]


def test_country_report_of_a_synced_database_gives_the_italian_figure_served(
    sandbox: Any, cascade_env: str, tmp_path: Any
) -> None:
    from typer.testing import CliRunner

    from chartcascade.cli import app
    from chartcascade.reports.export import read_table

    world = sandbox.world
    only_local = SyncOptions(
        track_platforms=[],
        artist_platforms=[],
        listening_platforms=[],
        local_streaming_platforms=["spotify"],
    )
    assert sync_chart(CHART, options=only_local, return_state=True).is_completed()
    artists = chart_artists(world, chart_tracks(world, CHART))
    artist, day, italy = next(
        (artist, day, value)
        for day in (today() - timedelta(days=n) for n in range(1, 8))
        for artist in artists
        if (value := _served_italy(world, artist, day)) is not None
    )
    path = tmp_path / "italy.csv"
    period = ["--from", day.isoformat(), "--to", day.isoformat()]
    args = ["report", "artists", *period, "--country", "IT", "--artist", artist]

    result = CliRunner().invoke(app, [*args, "-f", "csv", "-o", str(path)])

    assert result.exit_code == 0, result.output
    frame = read_table(path)
    row = frame[(frame["artist_uuid"] == artist) & (frame["metric"] == "monthly_listeners")]
    assert len(row) == 1, frame
    assert (row["end"].iloc[0], row["end_date"].iloc[0].date()) == (italy, day)
