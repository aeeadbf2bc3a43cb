"""Per-minute 429s: waited out in the client when the server's wait is short, raised otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from chartcascade.soundcharts import RateLimitError, SoundchartsClient
from chartcascade.soundcharts.errors import retry_after_seconds

from .helpers import LEGACY, error_body, make_settings, page

PATH = "/api/v2/chart/song/platforms"
PER_MINUTE = error_body(429, "Maximum request count per minute reached")


def rate_limited(headers: dict[str, str]) -> httpx.Response:
    return httpx.Response(429, json=PER_MINUTE, headers=headers)


def test_per_minute_429_waits_for_reset_then_succeeds(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(PATH).mock(
        side_effect=[
            rate_limited({"x-ratelimit-reset": "0"}),
            httpx.Response(200, json=page([{"code": "spotify"}])),
        ]
    )

    assert client.song_chart_platforms() == ["spotify"]
    assert route.call_count == 2


def test_per_minute_429_carries_retry_after_from_reset_header(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    router.get(PATH).mock(return_value=rate_limited({"x-ratelimit-reset": "42"}))
    client = SoundchartsClient(make_settings(), credentials=LEGACY, transport=transport)

    with pytest.raises(RateLimitError) as raised:
        client.song_chart_platforms()

    assert raised.value.retry_after == 42.0


def test_per_minute_429_above_the_wait_cap_raises_at_once(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    route = router.get(PATH).mock(return_value=rate_limited({"x-ratelimit-reset": "30"}))
    client = SoundchartsClient(
        make_settings(), credentials=LEGACY, transport=transport, max_rate_limit_wait=10
    )

    with pytest.raises(RateLimitError):
        client.song_chart_platforms()

    assert route.call_count == 1


def test_per_minute_429_without_a_known_wait_raises_at_once(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(PATH).mock(return_value=rate_limited({}))

    with pytest.raises(RateLimitError) as raised:
        client.song_chart_platforms()

    assert raised.value.retry_after is None
    assert route.call_count == 1


def test_per_minute_429_raises_after_the_allowed_retries(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    route = router.get(PATH).mock(return_value=rate_limited({"x-ratelimit-reset": "0"}))
    client = SoundchartsClient(
        make_settings(), credentials=LEGACY, transport=transport, rate_limit_retries=1
    )

    with pytest.raises(RateLimitError):
        client.song_chart_platforms()

    assert route.call_count == 2


def test_retry_after_http_date_is_read_as_seconds_from_now() -> None:
    now = datetime(2024, 5, 30, 12, 0, 0, tzinfo=UTC)
    headers = httpx.Headers({"Retry-After": format_datetime(now + timedelta(seconds=30), True)})

    assert retry_after_seconds(headers, now=now.timestamp()) == 30.0


def test_retry_after_http_date_through_the_client(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    later = datetime.now(UTC) + timedelta(seconds=120)
    router.get(PATH).mock(return_value=rate_limited({"Retry-After": format_datetime(later, True)}))
    client = SoundchartsClient(make_settings(), credentials=LEGACY, transport=transport)

    with pytest.raises(RateLimitError) as raised:
        client.song_chart_platforms()

    assert raised.value.retry_after is not None
    assert 115 <= raised.value.retry_after <= 120


def test_retry_after_seconds_value() -> None:
    assert retry_after_seconds(httpx.Headers({"Retry-After": "7"})) == 7.0


def test_ratelimit_reset_wins_over_retry_after() -> None:
    headers = httpx.Headers({"x-ratelimit-reset": "3", "Retry-After": "50"})

    assert retry_after_seconds(headers) == 3.0


def test_ratelimit_reset_as_unix_time_is_read_as_seconds_from_now() -> None:
    headers = httpx.Headers({"x-ratelimit-reset": "1717070430"})

    assert retry_after_seconds(headers, now=1717070400.0) == 30.0


def test_unreadable_retry_after_is_unknown() -> None:
    assert retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None


def test_before_request_is_called_once_per_attempt(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    router.get(PATH).mock(
        side_effect=[rate_limited({"x-ratelimit-reset": "0"}), httpx.Response(200, json=page([]))]
    )
    seen: list[str] = []
    client = SoundchartsClient(
        make_settings(), credentials=LEGACY, transport=transport, before_request=seen.append
    )

    client.song_chart_platforms()

    assert seen == [PATH, PATH]
    assert client.calls_made == 2


def test_before_request_can_stop_the_call(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    route = router.get(PATH).respond(200, json=page([]))

    def refuse(path: str) -> None:
        raise RuntimeError(f"budget spent before {path}")

    client = SoundchartsClient(
        make_settings(), credentials=LEGACY, transport=transport, before_request=refuse
    )

    with pytest.raises(RuntimeError, match="budget spent before /api/v2/chart/song/platforms"):
        client.song_chart_platforms()

    assert route.call_count == 0
    assert client.calls_made == 0
