"""Neither the API key, the client secret nor the access token leak into logs or errors."""

from __future__ import annotations

import base64
import logging
import socket

import httpx
import pytest
import respx
from pydantic import SecretStr

from chartcascade.settings import ClientCredentials
from chartcascade.soundcharts import SoundchartsClient, SoundchartsError

from .helpers import (
    ACCESS_TOKEN,
    API_KEY,
    CLIENT_SECRET,
    LEGACY,
    OAUTH,
    TOKEN_URL,
    error_body,
    make_settings,
)

SECRETS = [
    API_KEY,
    CLIENT_SECRET,
    ACCESS_TOKEN,
    base64.b64encode(f"client-id:{CLIENT_SECRET}".encode()).decode(),
]
SONG = "/api/v2.25/song/abc"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


API_ANSWERS: list[httpx.Response | Exception] = [
    httpx.Response(200, json={"object": {"uuid": "abc", "name": "ok"}}),
    httpx.Response(401, json=error_body(401, "Not logged in")),
    httpx.Response(403, json=error_body(403, "Not in your plan")),
    httpx.Response(404, json=error_body(404, "Not found.")),
    httpx.Response(429, json=error_body(429, "Maximum quota reached")),
    httpx.Response(
        429,
        json=error_body(429, "Maximum request count reached"),
        headers={"x-ratelimit-reset": "999"},
    ),
    httpx.Response(500, json=error_body(500, "Oops")),
    httpx.ReadTimeout("timed out"),
    httpx.ConnectError("refused"),
    httpx.Response(200, text="not json"),
    httpx.Response(200, json={"object": {"name": "no uuid"}}),
]


def token_answer(request: httpx.Request) -> httpx.Response:
    """A token for `client-id`; refused for `refused-client`; a 500 for anyone else."""
    client_id = base64.b64decode(request.headers["Authorization"].split()[1]).decode()
    client_id = client_id.split(":")[0]
    if client_id == "client-id":
        return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})
    if client_id == "refused-client":
        return httpx.Response(401, json={"error": "invalid_client"})
    return httpx.Response(500)


def failures(router: respx.MockRouter, transport: httpx.MockTransport) -> list[SoundchartsError]:
    """Provoke every kind of failure, with both kinds of credentials and a real transport."""
    answers = iter(API_ANSWERS * 3)

    def api_answer(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    router.get(SONG).mock(side_effect=api_answer)
    router.post(TOKEN_URL).mock(side_effect=token_answer)
    refused = ClientCredentials("refused-client", SecretStr(CLIENT_SECRET))
    broken = ClientCredentials("broken-client", SecretStr(CLIENT_SECRET))
    clients = [
        SoundchartsClient(make_settings(), credentials=credentials, transport=transport)
        for credentials in (LEGACY, OAUTH, refused, broken)
    ]
    clients.append(
        SoundchartsClient(
            make_settings(), credentials=LEGACY, base_url=f"http://127.0.0.1:{closed_port()}"
        )
    )
    caught: list[SoundchartsError] = []
    for client in clients:
        assert API_KEY not in repr(client) and CLIENT_SECRET not in repr(client)
        for _ in API_ANSWERS:
            try:
                client.song("abc")
            except SoundchartsError as exc:
                caught.append(exc)
    return caught


def test_secrets_never_reach_logs_or_errors(
    router: respx.MockRouter, transport: httpx.MockTransport, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore", "chartcascade", "chartcascade.soundcharts"):
        caplog.set_level(logging.DEBUG, logger=name)

    caught = failures(router, transport)

    kinds = {type(exc).__name__ for exc in caught}
    assert kinds >= {
        "AuthenticationError",
        "NotFoundError",
        "QuotaExceededError",
        "RateLimitError",
        "ServerError",
        "ApiTimeoutError",
        "ApiConnectionError",
        "ResponseValidationError",
    }
    assert any("token request was refused" in str(exc) for exc in caught)
    assert any(record.name == "chartcascade.soundcharts" for record in caplog.records)
    assert any(record.name.startswith("httpcore") for record in caplog.records)
    texts = [caplog.text] + [f"{exc} {exc!r} {getattr(exc, 'body', '')}" for exc in caught]
    for secret in SECRETS:
        assert not [text for text in texts if secret in text]


def test_debug_log_names_method_path_status_and_time(
    client: SoundchartsClient, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="chartcascade.soundcharts")
    router.get(SONG).respond(404, json=error_body(404, "Not found."))

    with pytest.raises(SoundchartsError):
        client.song("abc")

    messages = [r.getMessage() for r in caplog.records if r.name == "chartcascade.soundcharts"]
    assert len(messages) == 1
    assert messages[0].startswith("GET /api/v2.25/song/abc -> 404 in ")
    assert messages[0].endswith(" ms")
