"""The artist local streaming endpoint: lenient country and city plots, 90-day windows."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx

from chartcascade.soundcharts import SoundchartsClient

from .helpers import LEGACY, make_settings

UUID = "11e81bcc-9c1c-ce38-b96b-a0369fe50396"


def _client(items: list[Any], seen: list[httpx.Request]) -> SoundchartsClient:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = {"items": items, "page": {"offset": 0, "limit": 100, "next": None, "total": 1}}
        return httpx.Response(200, content=json.dumps(body))

    transport = httpx.MockTransport(answer)
    return SoundchartsClient(make_settings(), credentials=LEGACY, transport=transport)


def _places(point: Any) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    return (
        [(c.country_code, c.value) for c in point.countries],
        [(c.country_code, c.city_name, c.value) for c in point.cities],
    )


def test_documented_plots_keep_nulls_as_none_and_codes_upper_cased() -> None:
    item = {
        "date": "2026-11-20T00:00:00+01:00",
        "value": 1000,
        "countryPlots": [
            {"date": "2026-11-20T00:00:00+00:00", "value": 300, "countryCode": " it ",
             "countryName": "Italy"},
            {"value": None, "countryCode": "FR"},
            {"value": 50},
            "not a plot",
        ],
        "cityPlots": [{"value": 40, "countryCode": "IT", "cityName": "Milan",
                       "region": "Lombardy"}],
    }  # fmt: skip
    seen: list[httpx.Request] = []
    with _client([item], seen) as client:
        points = client.artist_streaming(UUID, "spotify", date(2026, 11, 1), date(2026, 11, 25))

    assert [(p.date, p.value) for p in points] == [(date(2026, 11, 20), 1000)]
    assert _places(points[0]) == (
        [("IT", 300), ("FR", None), (None, 50)],
        [("IT", "Milan", 40)],
    )
    assert seen[0].url.path == f"/api/v2/artist/{UUID}/streaming/spotify"
    assert seen[0].url.params["startDate"] == "2026-11-01"


def test_plots_given_as_objects_keyed_by_code_or_city() -> None:
    item = {
        "date": "2026-11-20",
        "countryPlots": {"IT": 300, "fr": {"value": "30"}, "DE": None},
        "cityPlots": {"Milan": {"countryCode": "IT", "value": 40.0}},
    }
    with _client([item], []) as client:
        points = client.artist_streaming(UUID, "youtube", date(2026, 11, 1), date(2026, 11, 25))

    assert points[0].value is None
    assert _places(points[0]) == (
        [("IT", 300), ("FR", 30), ("DE", None)],
        [("IT", "Milan", 40)],
    )


def test_missing_or_null_plots_are_empty() -> None:
    items = [
        {"date": "2026-11-21", "value": 5, "countryPlots": None},
        {"date": "2026-11-20", "value": 4},
    ]
    with _client(items, []) as client:
        points = client.artist_streaming(UUID, "spotify", date(2026, 11, 1), date(2026, 11, 25))

    assert [(p.date, p.value, _places(p)) for p in points] == [
        (date(2026, 11, 20), 4, ([], [])),
        (date(2026, 11, 21), 5, ([], [])),
    ]


def test_a_period_over_90_days_is_asked_in_90_day_windows() -> None:
    seen: list[httpx.Request] = []
    with _client([], seen) as client:
        client.artist_streaming(UUID, "spotify", date(2026, 1, 1), date(2026, 6, 1))

    windows = [(r.url.params["startDate"], r.url.params["endDate"]) for r in seen]
    assert windows == [("2026-01-01", "2026-04-01"), ("2026-04-02", "2026-06-01")]
