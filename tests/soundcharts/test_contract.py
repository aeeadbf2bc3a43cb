"""The client against the sandbox: every endpoint, both auth modes, values equal the world's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chartcascade.sandbox import Sandbox, SandboxWorld
from chartcascade.sandbox.routes import CHART_PLATFORMS
from chartcascade.soundcharts import NoAccountError, SoundchartsClient

from .helpers import SANDBOX_AS_OF

AS_OF = SANDBOX_AS_OF
START = AS_OF - timedelta(days=199)
SOCIAL = ("spotify", "instagram", "tiktok", "youtube", "soundcloud", "deezer", "facebook")


def sample(values: list[str], count: int) -> list[str]:
    step = max(1, len(values) // count)
    return values[::step][:count]


def test_song_chart_platforms(sandbox_client: SoundchartsClient) -> None:
    assert sandbox_client.song_chart_platforms() == [code for _, code in CHART_PLATFORMS]


def test_charts(sandbox_client: SoundchartsClient, world: SandboxWorld) -> None:
    charts = sandbox_client.charts("spotify")

    expected = [spec for spec in world.charts.values() if spec.platform == "spotify"]
    assert [(c.slug, c.name, c.chart_type, c.max_results_count) for c in charts] == [
        (spec.slug, spec.name, spec.kind, spec.size) for spec in expected
    ]
    assert {c.country_code for c in charts} == {None}


def test_ranking_dates(sandbox_client: SoundchartsClient, world: SandboxWorld) -> None:
    assert sandbox_client.ranking_dates("global-28") == world.ranking_datetimes("global-28")


def test_latest_ranking_over_two_pages(
    sandbox_client: SoundchartsClient, world: SandboxWorld, sandbox: Sandbox
) -> None:
    ranking = sandbox_client.ranking("global-28")

    listed = world.ranking("global-28", None)
    # Charted entries by position, then the songs that left the chart (position 0).
    expected = [i for i in listed if i["position"]] + [i for i in listed if not i["position"]]
    assert sandbox.calls["ranking"] == 2
    assert len(ranking.entries) == 153
    assert [
        (e.song.uuid, e.song.name, e.position, e.old_position, e.metric, e.time_on_chart)
        for e in ranking.entries
    ] == [
        (
            item["song"]["uuid"],
            item["song"]["name"],
            item["position"],
            item["oldPosition"],
            item["metric"],
            item["timeOnChart"],
        )
        for item in expected
    ]
    assert ranking.date == AS_OF
    assert ranking.datetime == world.ranking_datetimes("global-28")[0]
    assert ranking.chart is not None and ranking.chart.metric_type == "streams"


def test_ranking_at_an_older_datetime(
    sandbox_client: SoundchartsClient, world: SandboxWorld
) -> None:
    at = world.ranking_datetimes("airplay-daily")[3]

    ranking = sandbox_client.ranking("airplay-daily", at=at)

    assert ranking.datetime == at
    assert ranking.date == AS_OF - timedelta(days=3)
    listed = world.ranking("airplay-daily", at)
    assert [e.song.uuid for e in ranking.entries] == [
        item["song"]["uuid"] for item in listed if item["position"]
    ] + [item["song"]["uuid"] for item in listed if not item["position"]]


def test_songs(sandbox_client: SoundchartsClient, world: SandboxWorld) -> None:
    for uuid in sample(world.song_uuids, 60):
        song = sandbox_client.song(uuid)
        raw = world.song(uuid)
        assert raw is not None
        release = raw["releaseDate"]
        assert song.name == raw["name"]
        assert song.credit_name == raw["creditName"]
        assert song.isrc == raw["isrc"]["value"]
        assert song.release_date == (date.fromisoformat(release[:10]) if release else None)
        assert song.labels == [label["name"] for label in raw["labels"]]
        assert [(g.root, g.sub) for g in song.genres] == [
            (g["root"], g["sub"]) for g in raw["genres"]
        ]
        assert (song.duration, song.explicit, song.language_code) == (
            raw["duration"],
            raw["explicit"],
            raw["languageCode"],
        )
        uuids = world.song_artist_uuids(uuid)
        featured_last = " feat. " in raw["creditName"]
        assert [(a.uuid, a.position) for a in song.artists] == [(u, i) for i, u in enumerate(uuids)]
        assert [a.role for a in song.artists] == [
            "featured" if featured_last and i == len(uuids) - 1 else "main"
            for i in range(len(uuids))
        ]


def test_artists(sandbox_client: SoundchartsClient, world: SandboxWorld) -> None:
    for uuid in sample(world.artist_uuids, 30):
        artist = sandbox_client.artist(uuid)
        raw = world.artist(uuid)
        assert raw is not None
        assert (artist.slug, artist.name) == (raw["slug"], raw["name"])
        assert artist.country_code == (raw["countryCode"] or None)
        assert [g.root for g in artist.genres] == [
            g if isinstance(g, str) else g["root"] for g in raw["genres"]
        ]


def test_song_audience_over_200_days(
    sandbox_client: SoundchartsClient, world: SandboxWorld, sandbox: Sandbox
) -> None:
    compared = 0
    for uuid in sample(world.song_uuids, 8):
        for platform in ("spotify", "youtube"):
            points = sandbox_client.song_audience(uuid, platform, START, AS_OF)
            expected = world.song_series(uuid, platform, START, AS_OF)  # nulls kept
            assert [(p.date, {q.identifier: q.value for q in p.plots}) for p in points] == expected
            compared += len(points)
    assert compared > 1000
    assert sandbox.statuses[("song_audience", 400)] == 0


def test_song_radio_spins(sandbox_client: SoundchartsClient, world: SandboxWorld) -> None:
    start = AS_OF - timedelta(days=90)
    top = [item["song"]["uuid"] for item in world.ranking("airplay-daily", None)[:5]]
    for uuid in top:
        spins = sandbox_client.song_radio_spins(uuid, start, AS_OF)
        expected = world.broadcast_groups(uuid, start, AS_OF)
        assert [(s.radio_slug, s.country_code, s.play_count) for s in spins] == [
            (station.slug, station.country_code, count) for station, count in expected
        ]
        assert spins


def test_artist_audience(sandbox_client: SoundchartsClient, world: SandboxWorld) -> None:
    checked = 0
    for uuid in sample(world.artist_uuids, 12):
        for platform in SOCIAL:
            if not world.has_account(uuid, platform):
                continue
            points = sandbox_client.artist_audience(uuid, platform, START, AS_OF)
            expected = world.artist_series(uuid, platform, START, AS_OF)
            assert [
                (p.date, p.follower_count, p.like_count, p.following_count, p.post_count)
                for p in points
            ] == [
                (
                    day,
                    c["followerCount"],
                    c["likeCount"],
                    c["followingCount"],
                    c["postCount"],
                )
                for day, c in expected
            ]
            checked += 1
    assert checked > 0


def test_artist_without_account_is_no_account_error(
    sandbox_client: SoundchartsClient, world: SandboxWorld
) -> None:
    uuid, platform = next(
        (uuid, platform)
        for uuid in world.artist_uuids
        for platform in SOCIAL
        if not world.has_account(uuid, platform)
    )

    with pytest.raises(NoAccountError):
        sandbox_client.artist_audience(uuid, platform, START, AS_OF)


def test_artist_listening(sandbox_client: SoundchartsClient, world: SandboxWorld) -> None:
    compared = 0
    for uuid in sample(world.artist_uuids, 8):
        for platform in ("spotify", "youtube"):
            points = sandbox_client.artist_listening(uuid, platform, START, AS_OF)
            assert [(p.date, p.value) for p in points] == world.listening_series(
                uuid, platform, START, AS_OF
            )
            compared += len(points)
    assert compared > 1000
