"""Time-series endpoints: song audience, radio spins, artist audience and listening."""

from __future__ import annotations

from datetime import date

import pytest
import respx

from chartcascade.soundcharts import SoundchartsClient

from .helpers import page

SONG_UUID = "7d534228-5165-11e9-9375-549f35161576"
ARTIST_UUID = "11e81bcc-9c1c-ce38-b96b-a0369fe50396"


def test_song_audience_sends_dates_and_keeps_plots(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    items = [
        {
            "date": "2024-03-02T00:00:00+00:00",
            "plots": [{"identifier": "a", "value": 10}, {"identifier": "b", "value": 5}],
        },
        {"date": "2024-03-01T00:00:00+00:00", "plots": [{"identifier": "a", "value": 7}]},
    ]
    route = router.get(f"/api/v2/song/{SONG_UUID}/audience/spotify").respond(200, json=page(items))

    points = client.song_audience(SONG_UUID, "spotify", date(2024, 3, 1), date(2024, 3, 2))

    assert dict(route.calls.last.request.url.params) == {
        "startDate": "2024-03-01",
        "endDate": "2024-03-02",
        "offset": "0",
        "limit": "100",
    }
    assert [(p.date, p.values) for p in points] == [
        (date(2024, 3, 1), {"a": 7}),
        (date(2024, 3, 2), {"a": 10, "b": 5}),
    ]


def test_song_audience_splits_long_ranges_into_90_day_periods(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(f"/api/v2/song/{SONG_UUID}/audience/spotify").respond(200, json=page([]))

    client.song_audience(SONG_UUID, "spotify", date(2024, 1, 1), date(2024, 6, 30))

    periods = [
        (call.request.url.params["startDate"], call.request.url.params["endDate"])
        for call in route.calls
    ]
    assert periods == [("2024-01-01", "2024-03-31"), ("2024-04-01", "2024-06-30")]


def test_song_radio_spins_reads_count_per_radio(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    items = [
        {"radio": {"slug": "nrj", "name": "NRJ", "countryCode": "FR"}, "playCount": 12},
        {"radioSlug": "bbc-1", "radioName": "BBC Radio 1", "countryCode": "GB", "spins": 3},
    ]
    route = router.get(f"/api/v2/song/{SONG_UUID}/broadcast-groups").respond(200, json=page(items))

    spins = client.song_radio_spins(SONG_UUID, date(2024, 3, 1), date(2024, 3, 31))

    assert route.calls.last.request.url.params["startDate"] == "2024-03-01"
    assert route.calls.last.request.url.params["endDate"] == "2024-03-31"
    assert [(s.radio_slug, s.radio_name, s.country_code, s.play_count) for s in spins] == [
        ("nrj", "NRJ", "FR", 12),
        ("bbc-1", "BBC Radio 1", "GB", 3),
    ]


def test_song_radio_spins_rejects_periods_over_90_days(client: SoundchartsClient) -> None:
    with pytest.raises(ValueError, match="90 days"):
        client.song_radio_spins(SONG_UUID, date(2024, 1, 1), date(2024, 4, 1))


def test_artist_audience_parses_counters(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    items = [
        {
            "date": "2024-01-12T00:00:00+00:00",
            "followerCount": 90706658,
            "likeCount": None,
            "followingCount": None,
            "postCount": 12,
            "viewCount": None,
        }
    ]
    route = router.get(f"/api/v2/artist/{ARTIST_UUID}/audience/instagram").respond(
        200, json=page(items)
    )

    points = client.artist_audience(ARTIST_UUID, "instagram", date(2024, 1, 1), date(2024, 1, 31))

    assert route.calls.last.request.url.params["startDate"] == "2024-01-01"
    assert points[0].date == date(2024, 1, 12)
    assert points[0].follower_count == 90706658
    assert points[0].post_count == 12
    assert points[0].like_count is None


def test_artist_audience_empty_body_returns_no_points(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(f"/api/v2/artist/{ARTIST_UUID}/audience/tiktok").respond(200, json={})

    assert client.artist_audience(ARTIST_UUID, "tiktok", date(2024, 1, 1), date(2024, 1, 2)) == []


def test_artist_listening_parses_values(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    items = [
        {"date": "2024-01-13T00:00:00+00:00", "value": 64315075},
        {"date": "2024-01-12T00:00:00+00:00", "value": 64315074},
        {"date": "2024-01-11T00:00:00+00:00", "value": None},
    ]
    route = router.get(f"/api/v2/artist/{ARTIST_UUID}/streaming/spotify/listening").respond(
        200, json=page(items)
    )

    points = client.artist_listening(ARTIST_UUID, "spotify", date(2024, 1, 1), date(2024, 1, 31))

    assert route.calls.last.request.url.params["endDate"] == "2024-01-31"
    assert [(p.date, p.value) for p in points] == [
        (date(2024, 1, 12), 64315074),
        (date(2024, 1, 13), 64315075),
    ]


def test_series_with_end_before_start_makes_no_call(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(f"/api/v2/artist/{ARTIST_UUID}/streaming/spotify/listening")

    assert client.artist_listening(ARTIST_UUID, "spotify", date(2024, 2, 1), date(2024, 1, 1)) == []
    assert route.call_count == 0
