"""Shared fixtures for the Soundcharts client tests: a respx router injected as a transport."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import respx
from pydantic import SecretStr

from chartcascade.settings import ClientCredentials, LegacyKey, Settings
from chartcascade.soundcharts import SoundchartsClient, clear_token_cache

BASE_URL = "https://api.soundcharts.test"
TOKEN_URL = "https://account.soundcharts.test/oauth/token"
API_KEY = "legacy-api-key-5b1c9e"
CLIENT_SECRET = "client-secret-77ad01"
ACCESS_TOKEN = "access-token-f00dcafe"

LEGACY = LegacyKey("app-id", SecretStr(API_KEY))
OAUTH = ClientCredentials("client-id", SecretStr(CLIENT_SECRET), "team-7")


def make_settings(**overrides: Any) -> Settings:
    """Settings that ignore the environment and `.env`."""
    values: dict[str, Any] = {
        "app_id": None,
        "api_key": None,
        "client_id": None,
        "client_secret": None,
        "team_id": None,
        "secret_block": None,
        "base_url": BASE_URL,
        "token_url": TOKEN_URL,
        "max_rate_limit_wait_seconds": 5.0,
    }
    return Settings(_env_file=None, **{**values, **overrides})  # type: ignore[call-arg]


def page(items: list[Any], *, total: int | None = None, offset: int = 0, **extra: Any) -> dict:
    """A collection envelope with one page of items."""
    page_info = {"offset": offset, "limit": 100, "next": None, "previous": None}
    page_info["total"] = len(items) + offset if total is None else total
    return {"items": items, "page": {**page_info, **extra}, "errors": []}


def error_body(status: int, message: str) -> dict:
    return {"errors": [{"key": "error", "code": status, "message": message}]}


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
