"""Chart endpoints: platforms, chart lists, ranking dates and rankings."""

from __future__ import annotations

from datetime import date
from typing import Any

import respx

from chartcascade.soundcharts import SoundchartsClient

from .helpers import page


def test_song_chart_platforms_returns_codes(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get("/api/v2/chart/song/platforms").respond(
        200,
        json=page([{"name": "Spotify", "code": "spotify"}, {"name": "Shazam", "code": "shazam"}]),
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


def ranking_payload(items: list[dict], **page_extra: Any) -> dict:
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
    route = router.get("/api/v2.14/chart/song/global-28/ranking/2024-05-30T12:00:00+00:00").respond(
        200, json=ranking_payload([{"song": {"uuid": "a"}, "position": 1}])
    )

    client.ranking("global-28", at="2024-05-30T12:00:00+00:00")

    raw_path = route.calls.last.request.url.raw_path.decode()
    assert raw_path.startswith(
        "/api/v2.14/chart/song/global-28/ranking/2024-05-30T12:00:00%2B00:00?"
    )


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
