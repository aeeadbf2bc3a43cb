"""The artist local streaming route and the countries of radio stations."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from chartcascade.sandbox import SandboxWorld

from .conftest import AS_OF


def _streaming(client: httpx.Client, uuid: str, platform: str = "spotify", **params: str) -> dict:
    answer = client.get(f"/api/v2/artist/{uuid}/streaming/{platform}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_local_streaming_days_are_the_listening_days_with_the_same_value(
    client: httpx.Client, world: SandboxWorld
) -> None:
    uuid = world.artist_uuids[0]
    start = (AS_OF - timedelta(days=30)).isoformat()
    local = _streaming(client, uuid, startDate=start)["items"]
    listening = client.get(
        f"/api/v2/artist/{uuid}/streaming/spotify/listening", params={"startDate": start}
    ).json()["items"]

    assert [(i["date"], i["value"]) for i in local] == [(i["date"], i["value"]) for i in listening]
    assert len(local) >= 25  # 31 days, a few left out as the listening series leaves them


def test_local_streaming_countries_include_italy_and_sum_below_the_value(
    client: httpx.Client, world: SandboxWorld
) -> None:
    for uuid in world.artist_uuids[:20]:
        for item in _streaming(client, uuid, startDate="2026-11-20")["items"]:
            codes = [c["countryCode"] for c in item["countryPlots"]]
            values = [c["value"] for c in item["countryPlots"] if c["value"] is not None]

            assert codes[0] == "IT" and len(set(codes)) == len(codes) >= 4
            assert {"date", "value", "countryName", "countryCode"} == set(item["countryPlots"][0])
            assert sum(values) <= item["value"]
            assert sum(values) >= 0.5 * item["value"] or len(values) < len(codes)


def test_local_streaming_cities_come_once_a_week_below_their_country(
    client: httpx.Client, world: SandboxWorld
) -> None:
    uuid = world.artist_uuids[3]
    items = _streaming(client, uuid, startDate="2026-10-01", endDate="2026-11-25")["items"]
    with_cities = [i for i in items if i["cityPlots"]]
    days = [date.fromisoformat(i["date"][:10]) for i in with_cities]

    assert len(days) >= 6
    assert all((b - a).days % 7 == 0 for a, b in zip(days, days[1:], strict=False))
    milan = next(c for c in with_cities[0]["cityPlots"] if c["cityName"] == "Milan")
    italy = next(c for c in with_cities[0]["countryPlots"] if c["countryCode"] == "IT")
    assert (milan["countryCode"], milan["region"]) == ("IT", "Lombardy")
    if milan["value"] is not None and italy["value"] is not None:
        assert milan["value"] < italy["value"]


def test_local_streaming_unknown_platform_is_400_and_no_data_platform_is_empty(
    client: httpx.Client, world: SandboxWorld
) -> None:
    uuid = world.artist_uuids[0]
    unknown = client.get(f"/api/v2/artist/{uuid}/streaming/napster")
    empty = _streaming(client, uuid, "pandora")

    assert unknown.status_code == 400
    assert (empty["items"], empty["page"]["total"]) == ([], 0)


def test_local_streaming_period_over_90_days_is_400(
    client: httpx.Client, world: SandboxWorld
) -> None:
    answer = client.get(
        f"/api/v2/artist/{world.artist_uuids[0]}/streaming/spotify",
        params={"startDate": "2026-01-01", "endDate": "2026-11-26"},
    )

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Invalid period"


def test_stations_are_in_several_countries_including_italy_and_some_in_none(
    world: SandboxWorld,
) -> None:
    codes = [station.country_code for station in world.stations]

    assert {"IT", "US", "FR", "GB"} <= set(codes)
    assert 0 < codes.count(None) < len(codes) // 10
    unnamed = next(s for s in world.stations if s.country_code is None)
    assert unnamed.payload["countryCode"] is None and unnamed.payload["cityName"] is None
