"""Client-wide behaviour: quota header, call counting, User-Agent."""

from __future__ import annotations

import respx

from chartcascade.soundcharts import SoundchartsClient

from .helpers import page


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


def test_requests_carry_the_user_agent(client: SoundchartsClient, router: respx.MockRouter) -> None:
    route = router.get("/api/v2/chart/song/platforms").respond(200, json=page([]))

    client.song_chart_platforms()

    assert route.calls.last.request.headers["User-Agent"] == "chartcascade/0.1.0"
