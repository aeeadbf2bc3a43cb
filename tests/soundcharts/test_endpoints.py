"""Each public endpoint: exact path and version, query parameters, parsed result."""

from __future__ import annotations

from datetime import date

import pytest
import respx

from chartcascade.soundcharts import SoundchartsClient
from tests.soundcharts.conftest import page

SONG_UUID = "7d534228-5165-11e9-9375-549f35161576"
ARTIST_UUID = "11e81bcc-9c1c-ce38-b96b-a0369fe50396"


def test_song_chart_platforms_returns_codes(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get("/api/v2/chart/song/platforms").respond(
        200, json=page([{"name": "Spotify", "code": "spotify"}, {"name": "Shazam", "code": "shazam"}])
    )

    assert client.song_chart_platforms() == ["spotify", "shazam"]
    assert dict(route.calls.last.request.url.params) == {"offset": "0", "limit": "100"}


def test_charts_sends_country_code_and_parses_chart_info(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    chart = {
        "name": "Top 50 France",
        "type": "top",
        "slug": "top-50-fr",
        "platform": "spotify",
        "frequency": "daily",
        "countryCode": "FR",
        "countryName": "France",
        "cityName": None,
        "maxResultsCount": 50,
        "webUrl": "https://example.test",
    }
    route = router.get("/api/v2/chart/song/by-platform/spotify").respond(200, json=page([chart]))

    charts = client.charts("spotify", country_code="FR")

    assert dict(route.calls.last.request.url.params) == {
        "countryCode": "FR",
        "offset": "0",
        "limit": "100",
    }
    assert charts[0].slug == "top-50-fr"
    assert charts[0].chart_type == "top"
    assert charts[0].country_code == "FR"
    assert charts[0].max_results_count == 50


def test_charts_without_country_sends_no_country_code(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get("/api/v2/chart/song/by-platform/spotify").respond(
        200, json=page([{"slug": "global-28", "countryCode": ""}])
    )

    charts = client.charts("spotify")

    assert "countryCode" not in route.calls.last.request.url.params
    assert charts[0].country_code is None


def test_ranking_dates_returns_raw_strings(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    dates = ["2024-05-30T00:00:00+00:00", "2024-05-29T00:00:00+00:00"]
    router.get("/api/v2/chart/song/global-28/available-rankings").respond(200, json=page(dates))

    assert client.ranking_dates("global-28") == dates


def ranking_payload(items: list[dict], **page_extra: object) -> dict:
    related = {
        "chart": {"slug": "global-28", "name": "Global", "metric": {"type": "streams"}},
        "date": "2024-05-30T12:00:00+00:00",
    }
    return {**page(items, **page_extra), "related": related}


def test_ranking_latest_uses_v2_14_and_sorts_by_position(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    items = [
        {"song": {"uuid": "b", "name": "B"}, "position": 2, "oldPosition": None},
        {"song": {"uuid": "a", "name": "A", "creditName": "X"}, "position": 1, "metric": 5016487},
    ]
    route = router.get("/api/v2.14/chart/song/global-28/ranking/latest").respond(
        200, json=ranking_payload(items)
    )

    ranking = client.ranking("global-28")

    assert route.call_count == 1
    assert [entry.song.uuid for entry in ranking.entries] == ["a", "b"]
    assert ranking.entries[0].metric == 5016487
    assert ranking.date == date(2024, 5, 30)
    assert ranking.datetime == "2024-05-30T12:00:00+00:00"
    assert ranking.chart is not None and ranking.chart.metric_type == "streams"


def test_ranking_at_encodes_plus_as_percent_2b(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(
        "/api/v2.14/chart/song/global-28/ranking/2024-05-30T12:00:00+00:00"
    ).respond(200, json=ranking_payload([{"song": {"uuid": "a"}, "position": 1}]))

    client.ranking("global-28", at="2024-05-30T12:00:00+00:00")

    raw_path = route.calls.last.request.url.raw_path.decode()
    assert raw_path.startswith("/api/v2.14/chart/song/global-28/ranking/2024-05-30T12:00:00%2B00:00?")


def test_ranking_fetches_every_page(client: SoundchartsClient, router: respx.MockRouter) -> None:
    path = "/api/v2.14/chart/song/global-28/ranking/latest"
    first = [{"song": {"uuid": f"s{i}"}, "position": i + 1} for i in range(100)]
    second = [{"song": {"uuid": f"s{i}"}, "position": i + 1} for i in range(100, 150)]
    router.get(path, params={"offset": "0"}).respond(
        200, json=ranking_payload(first, total=150, next=f"{path}?offset=100&limit=100")
    )
    router.get(path, params={"offset": "100"}).respond(
        200, json=ranking_payload(second, total=150, offset=100)
    )

    ranking = client.ranking("global-28")

    assert [entry.position for entry in ranking.entries] == list(range(1, 151))


def test_song_uses_v2_25_and_parses_metadata(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    song = {
        "uuid": SONG_UUID,
        "name": "bad guy",
        "isrc": {"value": "USUM71900764", "countryCode": "US"},
        "creditName": "Billie Eilish",
        "artists": [{"uuid": ARTIST_UUID, "slug": "billie-eilish", "name": "Billie Eilish"}],
        "releaseDate": "2019-03-29T00:00:00+00:00",
        "duration": 194,
        "explicit": False,
        "genres": [{"root": "pop", "sub": ["electropop"]}],
        "labels": [{"name": "Darkroom/Interscope Records", "type": "major"}],
        "languageCode": "en",
        "copyright": "",
    }
    router.get(f"/api/v2.25/song/{SONG_UUID}").respond(
        200, json={"type": "song", "object": song, "errors": []}
    )

    parsed = client.song(SONG_UUID)

    assert parsed.isrc == "USUM71900764"
    assert parsed.release_date == date(2019, 3, 29)
    assert parsed.labels == ["Darkroom/Interscope Records"]
    assert parsed.genres[0].root == "pop" and parsed.genres[0].sub == ["electropop"]
    assert parsed.artists[0].role == "main" and parsed.artists[0].slug == "billie-eilish"
    assert parsed.duration == 194
    assert parsed.language_code == "en"


def test_artist_uses_v2_9_and_parses_metadata(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    artist = {
        "uuid": ARTIST_UUID,
        "slug": "billie-eilish",
        "name": "Billie Eilish",
        "countryCode": "US",
        "genres": ["pop", {"root": "alternative", "sub": None}],
        "imageUrl": "https://assets.test/a.jpg",
        "birthDate": "2001-12-18T00:00:00+00:00",
    }
    router.get(f"/api/v2.9/artist/{ARTIST_UUID}").respond(
        200, json={"type": "artist", "object": artist, "errors": []}
    )

    parsed = client.artist(ARTIST_UUID)

    assert parsed.slug == "billie-eilish"
    assert parsed.country_code == "US"
    assert [(genre.root, genre.sub) for genre in parsed.genres] == [
        ("pop", []),
        ("alternative", []),
    ]
    assert parsed.birth_date == date(2001, 12, 18)


def test_song_audience_sends_dates_and_sums_plots(
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
    assert [(p.date, p.total) for p in points] == [(date(2024, 3, 1), 7), (date(2024, 3, 2), 15)]


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


def test_quota_remaining_follows_the_header(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get("/api/v2/chart/song/platforms").respond(
        200, json=page([]), headers={"x-quota-remaining": "9876"}
    )

    client.song_chart_platforms()

    assert client.quota_remaining == 9876


def test_quota_remaining_ignores_an_unreadable_header(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get("/api/v2/chart/song/platforms").respond(
        200, json=page([]), headers={"x-quota-remaining": "lots"}
    )

    client.song_chart_platforms()

    assert client.quota_remaining is None


def test_calls_made_counts_every_request(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get("/api/v2/chart/song/platforms").respond(200, json=page([]))

    client.song_chart_platforms()
    client.song_chart_platforms()

    assert client.calls_made == 2


def test_requests_carry_the_user_agent(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get("/api/v2/chart/song/platforms").respond(200, json=page([]))

    client.song_chart_platforms()

    assert route.calls.last.request.headers["User-Agent"] == "chartcascade/0.1.0"
