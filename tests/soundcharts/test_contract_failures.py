"""The client against the sandbox: credentials, quota, rate limits and injected faults."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from chartcascade.sandbox import Sandbox, SandboxWorld
from chartcascade.settings import ClientCredentials, LegacyKey
from chartcascade.soundcharts import (
    ApiTimeoutError,
    AuthenticationError,
    NotFoundError,
    QuotaExceededError,
    RateLimitError,
    ResponseValidationError,
    ServerError,
    SoundchartsClient,
)

from .helpers import LEGACY_SANDBOX, OAUTH_SANDBOX, make_settings


def test_quota_remaining_and_calls_made(
    sandbox_client: SoundchartsClient, sandbox: Sandbox
) -> None:
    sandbox_client.song_chart_platforms()
    sandbox_client.ranking("global-28")

    assert sandbox_client.calls_made == 3
    assert sandbox_client.quota_remaining is not None and sandbox_client.quota_remaining > 0
    assert sandbox.calls["chart_platforms"] + sandbox.calls["ranking"] == 3


def test_one_token_serves_many_clients(sandbox: Sandbox) -> None:
    for _ in range(3):
        SoundchartsClient(
            make_settings(), credentials=OAUTH_SANDBOX, transport=sandbox.transport()
        ).song_chart_platforms()

    assert sandbox.calls["token"] == 1


def test_wrong_legacy_key_is_authentication_error(sandbox: Sandbox) -> None:
    wrong = LegacyKey("soundcharts", SecretStr("wrong"))
    client = SoundchartsClient(make_settings(), credentials=wrong, transport=sandbox.transport())

    with pytest.raises(AuthenticationError):
        client.song_chart_platforms()


def test_wrong_client_secret_is_refused(sandbox: Sandbox) -> None:
    wrong = ClientCredentials("soundcharts", SecretStr("wrong"))
    client = SoundchartsClient(make_settings(), credentials=wrong, transport=sandbox.transport())

    with pytest.raises(AuthenticationError, match="token request was refused"):
        client.song_chart_platforms()


def test_unknown_song_is_not_found(sandbox_client: SoundchartsClient) -> None:
    with pytest.raises(NotFoundError):
        sandbox_client.song("00000000-0000-0000-0000-000000000000")


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        (500, ServerError),
        (503, ServerError),
        ("429-quota", QuotaExceededError),
        ("timeout", ApiTimeoutError),
        ("malformed", ResponseValidationError),
        ("missing_field", ResponseValidationError),
    ],
)
def test_injected_faults_map_to_typed_errors(
    sandbox_client: SoundchartsClient,
    sandbox: Sandbox,
    world: SandboxWorld,
    kind: str | int,
    error: type[Exception],
) -> None:
    sandbox.inject("song", kind=kind)

    with pytest.raises(error):
        sandbox_client.song(world.song_uuids[0])


def test_injected_missing_items_is_response_validation_error(
    sandbox_client: SoundchartsClient, sandbox: Sandbox
) -> None:
    sandbox.inject("ranking_dates", kind="missing_field")

    with pytest.raises(ResponseValidationError, match="missing field items"):
        sandbox_client.ranking_dates("global-28")


def test_rate_limit_is_waited_out(sandbox: Sandbox, world: SandboxWorld) -> None:
    sandbox.inject("song", kind="429-rate")
    client = SoundchartsClient(
        make_settings(), credentials=LEGACY_SANDBOX, transport=sandbox.transport()
    )

    assert client.song(world.song_uuids[0]).uuid == world.song_uuids[0]
    assert sandbox.statuses[("song", 429)] == 1
    assert sandbox.statuses[("song", 200)] == 1


def test_rate_limit_above_the_cap_raises(sandbox: Sandbox, world: SandboxWorld) -> None:
    sandbox.inject("song", kind="429-rate")
    client = SoundchartsClient(
        make_settings(),
        credentials=LEGACY_SANDBOX,
        transport=sandbox.transport(),
        max_rate_limit_wait=0.5,
    )

    with pytest.raises(RateLimitError) as raised:
        client.song(world.song_uuids[0])

    assert raised.value.retry_after == 1.0
