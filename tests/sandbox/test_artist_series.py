"""Artist audience and listening: order, counters per platform, missing accounts, late data."""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from chartcascade.sandbox import SandboxWorld

from .conftest import AS_OF, follow_all

START = AS_OF - timedelta(days=90)


def _audience(client: httpx.Client, uuid: str, platform: str, **params: str) -> httpx.Response:
    return client.get(f"/api/v2/artist/{uuid}/audience/{platform}", params=params)


def _with_all_accounts(world: SandboxWorld) -> str:
    return next(
        u
        for u in world.artist_uuids
        if world.has_account(u, "tiktok")
        and world.has_account(u, "instagram")
        and world.artist_record(u).data_start < START.toordinal()  # type: ignore[union-attr]
    )


def test_artist_audience_is_oldest_first(client: httpx.Client, world: SandboxWorld) -> None:
    uuid = _with_all_accounts(world)
    body = _audience(client, uuid, "spotify", startDate=str(START)).json()
    days = [i["date"] for i in body["items"]]

    assert days == sorted(days)
    assert days[0] >= f"{START}T00:00:00+00:00"
    assert body["related"]["artist"]["uuid"] == uuid
    assert body["related"]["platform"] == "spotify"
    assert body["related"]["lastCrawlDate"] <= f"{AS_OF}T00:00:00+00:00"


def test_artist_audience_counters_per_platform(client: httpx.Client, world: SandboxWorld) -> None:
    uuid = _with_all_accounts(world)
    filled = {}
    for platform in ("spotify", "instagram", "tiktok", "youtube", "deezer"):
        item = _audience(client, uuid, platform).json()["items"][0]
        filled[platform] = {k for k, v in item.items() if k != "date" and v is not None}

    assert filled == {
        "spotify": {"followerCount"},
        "instagram": {"followerCount", "followingCount", "postCount"},
        "tiktok": {"followerCount", "likeCount", "followingCount", "postCount"},
        "youtube": {"followerCount", "viewCount", "postCount"},
        "deezer": {"followerCount"},
    }


def test_artist_audience_matches_world_series(client: httpx.Client, world: SandboxWorld) -> None:
    uuid = _with_all_accounts(world)
    pages = follow_all(client, f"/api/v2/artist/{uuid}/audience/tiktok", startDate=str(START))
    items = [i for page in pages for i in page["items"]]

    assert [(i["date"][:10], {k: v for k, v in i.items() if k != "date"}) for i in items] == [
        (d.isoformat(), counters)
        for d, counters in world.artist_series(uuid, "tiktok", START, AS_OF)
    ]


def test_artist_audience_has_short_gaps_and_dips(world: SandboxWorld) -> None:
    gap_lengths = []
    dips = 0
    for uuid in world.artist_uuids[:30]:
        points = world.artist_series(uuid, "spotify", START, AS_OF)
        days = [d for d, _ in points]
        gap_lengths += [
            (b - a).days - 1
            for a, b in zip(days, days[1:], strict=False)
            if b - a > timedelta(days=1)
        ]
        followers = [c["followerCount"] or 0 for _, c in points]
        dips += sum(1 for a, b in zip(followers, followers[1:], strict=False) if b < a)

    assert gap_lengths
    assert set(gap_lengths) == {1, 2}
    assert dips > 0


def test_artist_audience_without_account_is_404(client: httpx.Client, world: SandboxWorld) -> None:
    uuid = next(u for u in world.artist_uuids if not world.has_account(u, "tiktok"))
    answer = _audience(client, uuid, "tiktok")

    assert answer.status_code == 404
    assert answer.json() == {
        "errors": [{"key": "social", "code": 404, "message": "No social account found for artist"}]
    }


def test_missing_accounts_are_a_minority(world: SandboxWorld) -> None:
    uuids = world.artist_uuids
    no_tiktok = sum(1 for u in uuids if not world.has_account(u, "tiktok"))
    no_instagram = sum(1 for u in uuids if not world.has_account(u, "instagram"))

    assert 0.05 * len(uuids) < no_tiktok < 0.15 * len(uuids)
    assert 0 < no_instagram < 0.10 * len(uuids)
    assert all(world.has_account(u, "spotify") for u in uuids)


def test_artist_audience_before_data_start_is_empty(
    client: httpx.Client, world: SandboxWorld
) -> None:
    late = next(
        u
        for u in world.artist_uuids
        if START.toordinal() < world.artist_record(u).data_start < AS_OF.toordinal()  # type: ignore[union-attr]
    )
    starts = date.fromordinal(world.artist_record(late).data_start)  # type: ignore[union-attr]
    early = _audience(
        client, late, "spotify", startDate=str(START - timedelta(days=60)), endDate=str(START)
    )
    later = _audience(client, late, "spotify", startDate=str(starts), endDate=str(AS_OF))

    assert early.status_code == 200
    assert early.json()["items"] == []
    assert later.json()["items"][0]["date"][:10] >= str(starts)


def test_artist_audience_unknown_platform_is_400(client: httpx.Client, world: SandboxWorld) -> None:
    answer = _audience(client, world.artist_uuids[0], "myspace")

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["message"] == "Invalid platform code"


def test_artist_audience_unknown_artist_is_404(client: httpx.Client) -> None:
    answer = _audience(client, "nobody", "spotify")

    assert answer.status_code == 404
    assert answer.json()["errors"][0]["key"] == "access"


def test_listening_is_oldest_first_and_youtube_cumulative(
    client: httpx.Client, world: SandboxWorld
) -> None:
    uuid = _with_all_accounts(world)
    spotify = client.get(f"/api/v2/artist/{uuid}/streaming/spotify/listening").json()
    youtube = client.get(f"/api/v2/artist/{uuid}/streaming/youtube/listening").json()
    views = [i["value"] for i in youtube["items"]]

    assert [i["date"] for i in spotify["items"]] == sorted(i["date"] for i in spotify["items"])
    assert list(spotify["items"][0]) == ["date", "value"]
    assert views == sorted(views)
    assert [(i["date"][:10], i["value"]) for i in spotify["items"]] == [
        (d.isoformat(), v)
        for d, v in world.listening_series(uuid, "spotify", AS_OF - timedelta(days=30), AS_OF)
    ]


def test_listening_unknown_platform_is_400(client: httpx.Client, world: SandboxWorld) -> None:
    answer = client.get(f"/api/v2/artist/{world.artist_uuids[0]}/streaming/shazam/listening")

    assert answer.status_code == 400
