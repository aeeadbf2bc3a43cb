"""Chart lists, ranking dates and rankings: envelopes, paging and ranking semantics."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from chartcascade.sandbox import SandboxWorld

from .conftest import AS_OF, follow_all

DAY = "2026-11-25T00:00:00+00:00"
LISTED = 203  # 200 charted entries and 3 songs that left the chart the day before


def charted(items: list[dict]) -> list[dict]:
    return [item for item in items if item["position"] != 0]


def test_ranking_of_200_and_3_off_chart_comes_in_three_exact_pages(client: httpx.Client) -> None:
    first = client.get(f"/api/v2.14/chart/song/global-28/ranking/{DAY}").json()
    second = client.get(first["page"]["next"]).json()
    third = client.get(second["page"]["next"]).json()

    assert first["page"] == {
        "offset": 0,
        "limit": 100,
        "next": f"/api/v2.14/chart/song/global-28/ranking/{DAY}?offset=100&limit=100",
        "previous": None,
        "total": LISTED,
    }
    assert second["page"]["previous"] == (
        f"/api/v2.14/chart/song/global-28/ranking/{DAY}?offset=0&limit=100"
    )
    assert third["page"]["next"] is None
    assert [len(page["items"]) for page in (first, second, third)] == [100, 100, 3]
    positions = [e["position"] for e in first["items"] + second["items"] + third["items"]]
    assert len(positions) == LISTED
    assert [p for p in positions if p] == list(range(1, 201))


def test_ranking_next_keeps_the_percent_encoded_path(client: httpx.Client) -> None:
    encoded = DAY.replace("+", "%2B")
    page = client.get(f"/api/v2.14/chart/song/global-28/ranking/{encoded}", params={"limit": 60})

    assert page.json()["page"]["next"] == (
        f"/api/v2.14/chart/song/global-28/ranking/{encoded}?offset=60&limit=60"
    )
    # The 61st item in page order: three off-chart items come before it (page indexes 1, 4, 9).
    assert client.get(page.json()["page"]["next"]).json()["items"][0]["position"] == 58


def test_ranking_envelope_has_chart_with_metric_and_date(client: httpx.Client) -> None:
    body = client.get("/api/v2.14/chart/song/airplay-daily/ranking/latest").json()

    assert list(body) == ["related", "items", "page", "errors"]
    assert body["related"]["date"] == "2026-11-26T12:00:00+00:00"
    assert body["related"]["chart"]["metric"] == {
        "type": "spins",
        "description": "Number of radio spins",
    }
    assert body["related"]["chart"]["countryCode"] == ""
    assert body["related"]["chart"]["cityName"] is None
    assert body["errors"] == []


def test_ranking_item_has_the_v2_14_fields(world: SandboxWorld) -> None:
    item = world.ranking("global-28")[0]

    assert list(item) == [
        "song", "position", "positionEvolution", "metric", "entryState", "entryDate",
        "rankDate", "oldPosition", "timeOnChart", "timeOnChartUnit",
    ]  # fmt: skip
    assert list(item["song"]) == ["uuid", "name", "creditName", "imageUrl"]
    assert item["entryState"] == ""
    assert item["timeOnChartUnit"] == "DOC"
    assert item["rankDate"] == "2026-11-26T00:00:00+00:00"


def test_ranking_old_position_is_the_previous_day_position(world: SandboxWorld) -> None:
    today = world.ranking("global-28", "2026-11-26T00:00:00+00:00")
    yesterday = {e["song"]["uuid"]: e["position"] for e in charted(world.ranking("global-28", DAY))}

    for entry in charted(today):
        previous = yesterday.get(entry["song"]["uuid"])
        assert entry["oldPosition"] == previous
        expected = None if previous is None else previous - entry["position"]
        assert entry["positionEvolution"] == expected


def test_ranking_lists_songs_that_left_the_chart_with_position_0(world: SandboxWorld) -> None:
    today = world.ranking("global-28")
    yesterday = charted(world.ranking("global-28", DAY))
    on_chart_today = {e["song"]["uuid"] for e in charted(today)}
    # By hand: yesterday's charted songs missing today, best yesterday's position first.
    left = [e for e in yesterday if e["song"]["uuid"] not in on_chart_today][:3]

    off = [(i, e) for i, e in enumerate(today) if e["position"] == 0]
    assert [i for i, _ in off] == [1, 4, 9]
    assert [e["song"]["uuid"] for _, e in off] == [e["song"]["uuid"] for e in left]
    assert [e["oldPosition"] for _, e in off] == [e["position"] for e in left]
    assert {e["rankDate"] for _, e in off} == {DAY}
    assert [e["timeOnChart"] for _, e in off] == [e["timeOnChart"] for e in left]
    assert {e["metric"] for _, e in off} == {None}


def test_ranking_new_entries_have_one_day_on_chart(world: SandboxWorld) -> None:
    new = [e for e in world.ranking("global-28") if e["oldPosition"] is None]

    assert new
    assert {e["timeOnChart"] for e in new} == {1}
    assert {e["entryDate"] for e in new} == {"2026-11-26T00:00:00+00:00"}


def test_ranking_time_on_chart_matches_entry_date_and_cap(world: SandboxWorld) -> None:
    for entry in charted(world.ranking("shazam-top-200-world")):
        entered = date.fromisoformat(entry["entryDate"][:10])
        assert (AS_OF - entered).days + 1 == entry["timeOnChart"]
        assert 1 <= entry["timeOnChart"] <= 30
    assert max(e["timeOnChart"] for e in world.ranking("shazam-top-200-world")) == 30


def test_ranking_metric_decreases_and_is_null_without_metric(world: SandboxWorld) -> None:
    streams = [e["metric"] for e in charted(world.ranking("global-28"))]

    assert all(a > b for a, b in zip(streams, streams[1:], strict=False))
    assert {e["metric"] for e in world.ranking("top-100-global")} == {None}


def test_ranking_songs_move_between_days(world: SandboxWorld) -> None:
    today = world.ranking("global-28")
    moved = [e for e in today if e["positionEvolution"] not in (None, 0)]

    assert len(moved) > 100
    assert len(charted(today)) == 200


def test_charts_share_songs_and_artists(world: SandboxWorld) -> None:
    spotify = {e["song"]["uuid"] for e in world.ranking("global-28")[:100]}
    apple = {e["song"]["uuid"] for e in world.ranking("top-100-global")}
    artists = [a for uuid in spotify for a in world.song_artist_uuids(uuid)]

    assert len(spotify & apple) >= 50
    assert max(artists.count(a) for a in set(artists)) >= 3


def test_ranking_unknown_date_is_404(client: httpx.Client) -> None:
    answer = client.get("/api/v2.14/chart/song/global-28/ranking/2026-11-26T12:00:00+00:00")

    assert answer.status_code == 404
    assert answer.json() == {
        "errors": [{"key": "ranking", "code": 404, "message": "No ranking available for this date"}]
    }


def test_ranking_unknown_chart_is_404(client: httpx.Client) -> None:
    answer = client.get("/api/v2.14/chart/song/no-such-chart/ranking/latest")

    assert answer.status_code == 404
    assert answer.json()["errors"][0]["message"] == "Chart not found."


def test_limit_over_100_is_400(client: httpx.Client) -> None:
    answer = client.get("/api/v2.14/chart/song/global-28/ranking/latest", params={"limit": 101})

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["key"] == "limit"


def test_offset_past_the_end_gives_empty_items(client: httpx.Client) -> None:
    page = client.get("/api/v2.14/chart/song/global-28/ranking/latest", params={"offset": 300})

    assert page.json()["items"] == []
    assert page.json()["page"]["total"] == LISTED
    assert page.json()["page"]["next"] is None


def test_available_rankings_are_newest_first_atom_strings(client: httpx.Client) -> None:
    pages = follow_all(client, "/api/v2/chart/song/airplay-daily/available-rankings", limit=7)
    items = [d for page in pages for d in page["items"]]

    assert len(pages) == 5
    assert items[0] == "2026-11-26T12:00:00+00:00"
    assert items[-1] == f"{(AS_OF - timedelta(days=29)).isoformat()}T12:00:00+00:00"
    assert items == sorted(items, reverse=True)
    assert pages[0]["related"]["slug"] == "airplay-daily"


def test_every_available_ranking_can_be_fetched(client: httpx.Client) -> None:
    dates = client.get("/api/v2/chart/song/global-28/available-rankings").json()["items"]

    answers = [
        client.get(f"/api/v2.14/chart/song/global-28/ranking/{d}", params={"limit": 1})
        for d in dates
    ]
    assert [a.json()["related"]["date"] for a in answers] == dates


def test_chart_list_by_platform(client: httpx.Client) -> None:
    body = client.get("/api/v2/chart/song/by-platform/spotify").json()

    assert [c["slug"] for c in body["items"]] == ["global-28", "viral-50-global"]
    assert body["items"][0]["maxResultsCount"] == 200
    assert body["items"][0]["frequency"] == "daily"
    assert body["page"]["total"] == 2


def test_chart_list_country_filter_excludes_global_charts(client: httpx.Client) -> None:
    body = client.get("/api/v2/chart/song/by-platform/spotify", params={"countryCode": "US"})

    assert body.json()["items"] == []
    assert body.json()["page"]["total"] == 0


def test_chart_list_unknown_platform_is_400(client: httpx.Client) -> None:
    answer = client.get("/api/v2/chart/song/by-platform/myspace")

    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"key": "platform", "code": 400, "message": "Invalid platform code"}
    ]


def test_chart_platforms(client: httpx.Client) -> None:
    body = client.get("/api/v2/chart/song/platforms").json()

    assert {"name": "Apple Music", "code": "apple-music"} in body["items"]
    assert [p["code"] for p in body["items"]][:4] == ["spotify", "apple-music", "shazam", "airplay"]


def test_chart_sizes_override() -> None:
    small = SandboxWorld(
        seed=1, n_songs=80, n_artists=40, as_of=AS_OF, chart_sizes={"global-28": 20}
    )

    assert len(charted(small.ranking("global-28"))) == 20
    assert small.charts["global-28"].size == 20
