"""Shared fixtures for the Soundcharts client tests: a respx router injected as a transport."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
import respx
from hypothesis import settings

from chartcascade.soundcharts import SoundchartsClient, clear_token_cache

from .helpers import (
    ACCESS_TOKEN,
    BASE_URL,
    LEGACY,
    LEGACY_SANDBOX,
    OAUTH_SANDBOX,
    SANDBOX_AS_OF,
    TOKEN_URL,
    make_settings,
)

if TYPE_CHECKING:
    from chartcascade.sandbox import Sandbox, SandboxWorld

# Property-based tests: the same examples on every run (HYPOTHESIS_PROFILE=explore for more).
settings.register_profile("ci", derandomize=True, max_examples=100, deadline=None, database=None)
settings.register_profile("explore", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def _fresh_token_cache() -> Iterator[None]:
    clear_token_cache()
    yield
    clear_token_cache()


@pytest.fixture
def router() -> respx.MockRouter:
    return respx.MockRouter(base_url=BASE_URL, assert_all_called=False)


@pytest.fixture
def transport(router: respx.MockRouter) -> httpx.MockTransport:
    return httpx.MockTransport(router.handler)


@pytest.fixture
def client(transport: httpx.MockTransport) -> Iterator[SoundchartsClient]:
    with SoundchartsClient(make_settings(), credentials=LEGACY, transport=transport) as made:
        yield made


@pytest.fixture
def token_route(router: respx.MockRouter) -> respx.Route:
    return router.post(TOKEN_URL).respond(
        200, json={"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600}
    )


# The sandbox (imported lazily: only the contract tests need it).


@pytest.fixture(scope="session")
def world() -> SandboxWorld:
    from chartcascade.sandbox import SandboxWorld

    return SandboxWorld(
        seed=7,
        n_songs=300,
        n_artists=120,
        as_of=SANDBOX_AS_OF,
        history_days=200,
        ranking_days=5,
        chart_sizes={"global-28": 150},
    )


@pytest.fixture
def sandbox(world: SandboxWorld) -> Sandbox:
    from chartcascade.sandbox import Sandbox, SandboxConfig

    return Sandbox(world, SandboxConfig())


@pytest.fixture(params=["legacy", "oauth"])
def sandbox_client(request: pytest.FixtureRequest, sandbox: Sandbox) -> Iterator[SoundchartsClient]:
    """A client of the sandbox, once with legacy keys and once with a bearer token."""
    credentials = LEGACY_SANDBOX if request.param == "legacy" else OAUTH_SANDBOX
    with SoundchartsClient(
        make_settings(), credentials=credentials, transport=sandbox.transport()
    ) as made:
        yield made
