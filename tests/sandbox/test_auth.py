"""Credentials: legacy headers, the OAuth token flow, expiry, and never echoing secrets."""

from __future__ import annotations

import time

import httpx

from chartcascade.sandbox import Sandbox, SandboxConfig, SandboxWorld

from .conftest import BASE_URL, LEGACY

TOKEN_URL = "https://account.soundcharts.com/oauth/token"
UNAUTHORIZED = {"errors": [{"key": "auth", "code": 401, "message": "Unauthorized"}]}
PLATFORMS = "/api/v2/chart/song/platforms"


def _bare(sandbox: Sandbox) -> httpx.Client:
    return httpx.Client(base_url=BASE_URL, transport=sandbox.transport())


def _token(client: httpx.Client, secret: str = "soundcharts") -> httpx.Response:
    return client.post(
        TOKEN_URL, auth=("soundcharts", secret), data={"grant_type": "client_credentials"}
    )


def test_missing_credentials_are_401(sandbox: Sandbox) -> None:
    answer = _bare(sandbox).get(PLATFORMS)

    assert answer.status_code == 401
    assert answer.json() == UNAUTHORIZED


def test_wrong_api_key_is_401_without_echoing_it(sandbox: Sandbox) -> None:
    answer = _bare(sandbox).get(
        PLATFORMS, headers={"x-app-id": "soundcharts", "x-api-key": "hunter2-secret"}
    )

    assert answer.status_code == 401
    assert b"hunter2" not in answer.content
    assert "hunter2" not in str(answer.headers)


def test_legacy_headers_are_accepted(client: httpx.Client) -> None:
    assert client.get(PLATFORMS).status_code == 200


def test_token_flow_on_another_host(sandbox: Sandbox) -> None:
    client = _bare(sandbox)
    granted = _token(client)
    token = granted.json()["access_token"]
    answer = client.get(PLATFORMS, headers={"Authorization": f"Bearer {token}"})

    assert granted.status_code == 200
    assert granted.json()["token_type"] == "Bearer"
    assert granted.json()["expires_in"] == 3600
    assert len(token) >= 32
    assert answer.status_code == 200
    assert sandbox.calls["token"] == 1
    assert "x-quota-remaining" not in granted.headers


def test_tokens_differ_between_grants(sandbox: Sandbox) -> None:
    client = _bare(sandbox)

    assert _token(client).json()["access_token"] != _token(client).json()["access_token"]


def test_bad_client_secret_is_invalid_client(sandbox: Sandbox) -> None:
    answer = _token(_bare(sandbox), secret="wrong-secret")

    assert answer.status_code == 401
    assert answer.json() == {"error": "invalid_client"}
    assert b"wrong-secret" not in answer.content


def test_token_needs_client_credentials_grant(sandbox: Sandbox) -> None:
    answer = _bare(sandbox).post(TOKEN_URL, auth=("soundcharts", "soundcharts"), data={})

    assert answer.status_code == 400
    assert answer.json() == {"error": "unsupported_grant_type"}


def test_token_endpoint_rejects_get(sandbox: Sandbox) -> None:
    assert _bare(sandbox).get(TOKEN_URL).status_code == 405


def test_unknown_bearer_token_is_401(sandbox: Sandbox) -> None:
    answer = _bare(sandbox).get(PLATFORMS, headers={"Authorization": "Bearer made-up"})

    assert answer.status_code == 401
    assert answer.json() == UNAUTHORIZED


def test_token_expires_after_ttl(world: SandboxWorld) -> None:
    sandbox = Sandbox(world, SandboxConfig(token_ttl_seconds=1))
    client = _bare(sandbox)
    granted = _token(client).json()
    bearer = {"Authorization": f"Bearer {granted['access_token']}"}
    before = client.get(PLATFORMS, headers=bearer)
    time.sleep(1.05)
    after = client.get(PLATFORMS, headers=bearer)

    assert granted["expires_in"] == 1
    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json() == UNAUTHORIZED


def test_config_repr_hides_secrets() -> None:
    config = SandboxConfig(api_key="key-123", client_secret="secret-456")

    assert "key-123" not in repr(config)
    assert "secret-456" not in repr(config)


def test_custom_legacy_credentials(world: SandboxWorld) -> None:
    sandbox = Sandbox(world, SandboxConfig(app_id="me", api_key="k"))

    assert _bare(sandbox).get(PLATFORMS, headers=LEGACY).status_code == 401
    assert (
        _bare(sandbox).get(PLATFORMS, headers={"x-app-id": "me", "x-api-key": "k"}).status_code
        == 200
    )
