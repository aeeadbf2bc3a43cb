"""Status codes and transport failures become typed errors; only some are retryable."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
import respx

from chartcascade.soundcharts import (
    ApiConnectionError,
    ApiStatusError,
    ApiTimeoutError,
    AuthenticationError,
    BadRequestError,
    NoAccountError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    SoundchartsClient,
    SoundchartsError,
    is_retryable,
)

from .helpers import error_body

SONG_PATH = "/api/v2.25/song/abc"


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (410, NotFoundError),
        (400, BadRequestError),
        (405, BadRequestError),
        (409, BadRequestError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
    ],
)
def test_status_maps_to_error_class(
    client: SoundchartsClient, router: respx.MockRouter, status: int, kind: type[ApiStatusError]
) -> None:
    router.get(SONG_PATH).respond(status, json=error_body(status, "Something happened."))

    with pytest.raises(kind) as raised:
        client.song("abc")

    assert type(raised.value) is kind
    assert raised.value.status_code == status
    assert raised.value.path == SONG_PATH


def test_error_message_names_status_message_method_and_path(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(SONG_PATH).respond(404, json=error_body(404, "Not found."))

    with pytest.raises(NotFoundError) as raised:
        client.song("abc")

    assert str(raised.value) == "404 Not found. (GET /api/v2.25/song/abc)"
    assert raised.value.body == [{"key": "error", "code": 404, "message": "Not found."}]


def test_error_without_json_body_uses_the_reason_phrase(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(SONG_PATH).respond(502, text="<html>bad gateway</html>")

    with pytest.raises(ServerError) as raised:
        client.song("abc")

    assert str(raised.value) == "502 Bad Gateway (GET /api/v2.25/song/abc)"
    assert raised.value.body is None


def test_no_social_account_404_is_no_account_error(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get("/api/v2/artist/a1/audience/tiktok").respond(
        404, json=error_body(404, "No social account found for artist")
    )

    with pytest.raises(NoAccountError) as raised:
        client.artist_audience("a1", "tiktok", date(2024, 1, 1), date(2024, 1, 2))

    assert isinstance(raised.value, NotFoundError)
    assert raised.value.status_code == 404


def test_quota_429_is_quota_exceeded_and_not_retried(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(SONG_PATH).respond(
        429, json=error_body(429, "Maximum quota reached"), headers={"x-ratelimit-reset": "0"}
    )

    with pytest.raises(QuotaExceededError):
        client.song("abc")

    assert route.call_count == 1


def test_timeout_is_api_timeout_error(client: SoundchartsClient, router: respx.MockRouter) -> None:
    router.get(SONG_PATH).mock(side_effect=httpx.ReadTimeout("timed out"))

    with pytest.raises(ApiTimeoutError) as raised:
        client.song("abc")

    assert isinstance(raised.value, ApiConnectionError)
    assert raised.value.path == SONG_PATH


def test_connection_failure_is_api_connection_error(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(SONG_PATH).mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(ApiConnectionError) as raised:
        client.song("abc")

    assert type(raised.value) is ApiConnectionError
    assert str(raised.value) == "Connection failed: ConnectError (GET /api/v2.25/song/abc)"


def test_invalid_json_is_response_validation_error(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(SONG_PATH).respond(200, text="{not json")

    with pytest.raises(ResponseValidationError, match="is not JSON"):
        client.song("abc")


def test_missing_song_uuid_names_path_and_field(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(SONG_PATH).respond(200, json={"type": "song", "object": {"name": "secret sauce"}})

    with pytest.raises(ResponseValidationError) as raised:
        client.song("abc")

    assert (
        str(raised.value) == "Unexpected response from GET /api/v2.25/song/abc: missing field uuid"
    )
    assert "secret sauce" not in str(raised.value)


def test_missing_object_is_response_validation_error(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get(SONG_PATH).respond(200, json={"errors": []})

    with pytest.raises(ResponseValidationError, match="missing field object"):
        client.song("abc")


def test_missing_ranking_song_uuid_names_the_entry(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    router.get("/api/v2.14/chart/song/g/ranking/latest").respond(
        200,
        json={
            "related": {"date": "2024-05-30T00:00:00+00:00"},
            "items": [{"song": {"name": "x"}, "position": 1}],
            "page": {"offset": 0, "total": 1, "next": None},
        },
    )

    with pytest.raises(ResponseValidationError, match=r"missing field entries\.0\.song\.uuid"):
        client.ranking("g")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ServerError("500", status_code=500), True),
        (RateLimitError("429", status_code=429, retry_after=3.0), True),
        (ApiConnectionError("down"), True),
        (ApiTimeoutError("slow"), True),
        (AuthenticationError("401", status_code=401), False),
        (QuotaExceededError("429", status_code=429), False),
        (NotFoundError("404", status_code=404), False),
        (NoAccountError("404", status_code=404), False),
        (BadRequestError("400", status_code=400), False),
        (ResponseValidationError("bad"), False),
        (SoundchartsError("other"), False),
        (ValueError("unrelated"), False),
    ],
)
def test_is_retryable(error: BaseException, expected: bool) -> None:
    assert is_retryable(error) is expected
