"""Constants and payload builders shared by the Soundcharts client tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
from pydantic import SecretStr

from chartcascade.settings import ClientCredentials, LegacyKey, Settings

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


# The sandbox: its documented credentials and the day its world is built for.
SANDBOX_AS_OF = date(2026, 11, 26)
LEGACY_SANDBOX = LegacyKey("soundcharts", SecretStr("soundcharts"))
OAUTH_SANDBOX = ClientCredentials("soundcharts", SecretStr("soundcharts"))


def token_response(token: str, expires_in: object = 3600) -> httpx.Response:
    """A token endpoint answer."""
    return httpx.Response(200, json={"access_token": token, "expires_in": expires_in})


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now
