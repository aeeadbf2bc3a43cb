"""Legacy key headers, and bearer tokens fetched through the client transport, cached."""

from __future__ import annotations

import base64
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import httpx
import pytest
import respx
from pydantic import SecretStr

from chartcascade.settings import ClientCredentials, ConfigurationError
from chartcascade.soundcharts import (
    AuthenticationError,
    BearerTokenAuth,
    ResponseValidationError,
    ServerError,
    SoundchartsClient,
)

from .helpers import (
    ACCESS_TOKEN,
    API_KEY,
    BASE_URL,
    CLIENT_SECRET,
    OAUTH,
    TOKEN_URL,
    Clock,
    make_settings,
    page,
    token_response,
)

PATH = "/api/v2/chart/song/platforms"
REFUSED = (
    "Soundcharts token request was refused: "
    "check SOUNDCHARTS_CLIENT_ID and SOUNDCHARTS_CLIENT_SECRET"
)


def oauth_client(
    transport: httpx.BaseTransport, before_request: Callable[[str], None] | None = None
) -> SoundchartsClient:
    return SoundchartsClient(
        make_settings(), credentials=OAUTH, transport=transport, before_request=before_request
    )


def test_legacy_key_sends_app_id_and_api_key(
    client: SoundchartsClient, router: respx.MockRouter
) -> None:
    route = router.get(PATH).respond(200, json=page([]))

    client.song_chart_platforms()

    headers = route.calls.last.request.headers
    assert headers["x-app-id"] == "app-id"
    assert headers["x-api-key"] == API_KEY
    assert "authorization" not in headers


def test_credentials_come_from_settings(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    route = router.get(PATH).respond(200, json=page([]))
    settings = make_settings(app_id="from-settings", api_key=SecretStr("k"))

    SoundchartsClient(settings, transport=transport).song_chart_platforms()

    assert route.calls.last.request.headers["x-app-id"] == "from-settings"


def test_missing_credentials_raise_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        SoundchartsClient(make_settings())


def test_token_request_uses_basic_auth_and_form(
    router: respx.MockRouter, transport: httpx.MockTransport, token_route: respx.Route
) -> None:
    router.get(PATH).respond(200, json=page([]))

    oauth_client(transport).song_chart_platforms()

    request = token_route.calls.last.request
    expected = base64.b64encode(f"client-id:{CLIENT_SECRET}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "team_id": ["team-7"],
    }


def test_token_request_without_team_sends_no_team_id(
    router: respx.MockRouter, transport: httpx.MockTransport, token_route: respx.Route
) -> None:
    router.get(PATH).respond(200, json=page([]))
    credentials = ClientCredentials("solo-client", SecretStr(CLIENT_SECRET))

    SoundchartsClient(
        make_settings(), credentials=credentials, transport=transport
    ).song_chart_platforms()

    assert parse_qs(token_route.calls.last.request.content.decode()) == {
        "grant_type": ["client_credentials"]
    }


def test_api_request_carries_the_bearer_token(
    router: respx.MockRouter, transport: httpx.MockTransport, token_route: respx.Route
) -> None:
    route = router.get(PATH).respond(200, json=page([]))

    oauth_client(transport).song_chart_platforms()

    assert route.calls.last.request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert "x-api-key" not in route.calls.last.request.headers


def test_token_is_cached_across_clients(
    router: respx.MockRouter, transport: httpx.MockTransport, token_route: respx.Route
) -> None:
    route = router.get(PATH).respond(200, json=page([]))

    oauth_client(transport).song_chart_platforms()
    oauth_client(transport).song_chart_platforms()

    assert token_route.call_count == 1
    assert route.call_count == 2


def test_token_requests_are_not_counted_as_api_calls(
    router: respx.MockRouter, transport: httpx.MockTransport, token_route: respx.Route
) -> None:
    router.get(PATH).respond(200, json=page([]))
    seen: list[str] = []
    client = oauth_client(transport, before_request=seen.append)

    client.song_chart_platforms()

    assert seen == [PATH]
    assert client.calls_made == 1


def test_token_is_renewed_60_seconds_before_expiry(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    tokens = router.post(TOKEN_URL).mock(
        side_effect=[token_response("first"), token_response("second")]
    )
    route = router.get(PATH).respond(200, json=page([]))
    clock = Clock()
    http = httpx.Client(
        base_url=BASE_URL, transport=transport, auth=BearerTokenAuth(OAUTH, TOKEN_URL, clock=clock)
    )

    http.get(PATH)
    clock.now = 3539.0
    http.get(PATH)
    clock.now = 3540.0
    http.get(PATH)

    assert tokens.call_count == 2
    used = [call.request.headers["Authorization"] for call in route.calls]
    assert used == ["Bearer first", "Bearer first", "Bearer second"]


def test_short_lived_token_is_renewed_at_90_percent(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    tokens = router.post(TOKEN_URL).mock(
        side_effect=[token_response("first", "100"), token_response("second", 100)]
    )
    router.get(PATH).respond(200, json=page([]))
    clock = Clock()
    http = httpx.Client(
        base_url=BASE_URL, transport=transport, auth=BearerTokenAuth(OAUTH, TOKEN_URL, clock=clock)
    )

    http.get(PATH)
    clock.now = 89.0
    http.get(PATH)
    assert tokens.call_count == 1
    clock.now = 90.0
    http.get(PATH)
    assert tokens.call_count == 2


def test_token_without_expires_in_lasts_an_hour(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    tokens = router.post(TOKEN_URL).respond(200, json={"access_token": "t"})
    router.get(PATH).respond(200, json=page([]))
    clock = Clock()
    http = httpx.Client(
        base_url=BASE_URL, transport=transport, auth=BearerTokenAuth(OAUTH, TOKEN_URL, clock=clock)
    )

    http.get(PATH)
    clock.now = 3539.0
    http.get(PATH)

    assert tokens.call_count == 1


def test_401_with_a_cached_token_refetches_and_retries_once(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    tokens = router.post(TOKEN_URL).mock(side_effect=[token_response("old"), token_response("new")])

    revoked = False

    def api(request: httpx.Request) -> httpx.Response:
        if request.headers["Authorization"] == "Bearer new":
            return httpx.Response(200, json=page([{"code": "spotify"}]))
        if revoked:
            return httpx.Response(401, json={"errors": [{"message": "Token expired"}]})
        return httpx.Response(200, json=page([]))

    router.get(PATH).mock(side_effect=api)
    oauth_client(transport).song_chart_platforms()
    revoked = True
    client = oauth_client(transport)

    assert client.song_chart_platforms() == ["spotify"]
    assert tokens.call_count == 2
    assert client.calls_made == 2


def test_401_with_a_fresh_token_is_authentication_error(
    router: respx.MockRouter, transport: httpx.MockTransport, token_route: respx.Route
) -> None:
    route = router.get(PATH).respond(401, json={"errors": [{"message": "Unauthorized"}]})

    with pytest.raises(AuthenticationError):
        oauth_client(transport).song_chart_platforms()

    assert token_route.call_count == 1
    assert route.call_count == 1


@pytest.mark.parametrize("status", [400, 401])
def test_refused_token_request_is_authentication_error(
    router: respx.MockRouter, transport: httpx.MockTransport, status: int
) -> None:
    router.post(TOKEN_URL).respond(status, json={"error": "invalid_client"})
    route = router.get(PATH).respond(200, json=page([]))

    with pytest.raises(AuthenticationError) as raised:
        oauth_client(transport).song_chart_platforms()

    assert str(raised.value) == REFUSED
    assert raised.value.status_code == status
    assert route.call_count == 0


def test_token_server_error_is_server_error(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    router.post(TOKEN_URL).respond(503)

    with pytest.raises(ServerError, match=r"503 Service Unavailable \(POST /oauth/token\)"):
        oauth_client(transport).song_chart_platforms()


def test_token_response_without_access_token_is_validation_error(
    router: respx.MockRouter, transport: httpx.MockTransport
) -> None:
    router.post(TOKEN_URL).respond(200, json={"token": "elsewhere"})

    with pytest.raises(ResponseValidationError, match="no access_token"):
        oauth_client(transport).song_chart_platforms()


def test_concurrent_clients_fetch_one_token(
    router: respx.MockRouter, transport: httpx.MockTransport, token_route: respx.Route
) -> None:
    route = router.get(PATH).respond(200, json=page([]))

    def call(_: int) -> None:
        oauth_client(transport).song_chart_platforms()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(call, range(32)))

    assert token_route.call_count == 1
    assert route.call_count == 32
