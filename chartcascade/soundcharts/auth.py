"""httpx authentication for Soundcharts: legacy key headers, or a cached OAuth bearer token."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass

import httpx
from pydantic import SecretStr

from chartcascade.settings import ClientCredentials
from chartcascade.soundcharts.errors import (
    AuthenticationError,
    ResponseValidationError,
    error_for_response,
)

logger = logging.getLogger("chartcascade.soundcharts")

DEFAULT_TOKEN_TTL = 3600.0
RENEW_MARGIN_SECONDS = 60.0
REFUSED_MESSAGE = (
    "Soundcharts token request was refused: "
    "check SOUNDCHARTS_CLIENT_ID and SOUNDCHARTS_CLIENT_SECRET"
)

_CacheKey = tuple[str, str, str | None]


@dataclass(frozen=True)
class _Token:
    value: SecretStr
    renew_at: float


# One token per (token URL, client id, team) for the whole process: many clients share it.
_tokens: dict[_CacheKey, _Token] = {}
_fetch_locks: dict[_CacheKey, threading.Lock] = {}
_registry_lock = threading.Lock()


def clear_token_cache() -> None:
    """Forget every cached access token (tests, or after rotating a client secret)."""
    with _registry_lock:
        _tokens.clear()


class LegacyKeyAuth(httpx.Auth):
    """Sends the legacy `x-app-id` / `x-api-key` headers."""

    def __init__(self, app_id: str, api_key: SecretStr) -> None:
        self._app_id = app_id
        self._api_key = api_key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["x-app-id"] = self._app_id
        request.headers["x-api-key"] = self._api_key.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return f"LegacyKeyAuth(app_id={self._app_id!r})"


class BearerTokenAuth(httpx.Auth):
    """Exchanges client credentials for a bearer token, through the client's own transport."""

    requires_response_body = True

    def __init__(
        self,
        credentials: ClientCredentials,
        token_url: str,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._credentials = credentials
        self._token_url = token_url
        self._clock = clock
        self._key: _CacheKey = (token_url, credentials.client_id, credentials.team_id)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._cached()
        fetched = False
        if token is None:
            token, fetched = yield from self._renew(request, stale=None)
        request.headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        response = yield request
        if response.status_code != 401 or fetched:
            return
        token, _ = yield from self._renew(request, stale=token)
        request.headers["Authorization"] = f"Bearer {token.get_secret_value()}"
        yield request

    def __repr__(self) -> str:
        return f"BearerTokenAuth(client_id={self._credentials.client_id!r})"

    def _cached(self) -> SecretStr | None:
        with _registry_lock:
            entry = _tokens.get(self._key)
        if entry is None or self._clock() >= entry.renew_at:
            return None
        return entry.value

    def _renew(
        self, request: httpx.Request, *, stale: SecretStr | None
    ) -> Generator[httpx.Request, httpx.Response, tuple[SecretStr, bool]]:
        """A valid token other than `stale`: another thread's fresh one, or a newly fetched one."""
        with _registry_lock:
            lock = _fetch_locks.setdefault(self._key, threading.Lock())
        with lock:
            current = self._cached()
            if current is not None and current != stale:
                return current, False
            with _registry_lock:
                _tokens.pop(self._key, None)
            response = yield self._token_request(request)
            entry = self._read_token(response)
            with _registry_lock:
                _tokens[self._key] = entry
            return entry.value, True

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        pair = f"{self._credentials.client_id}:{self._credentials.client_secret.get_secret_value()}"
        form = {"grant_type": "client_credentials"}
        if self._credentials.team_id:
            form["team_id"] = self._credentials.team_id
        return httpx.Request(
            "POST",
            self._token_url,
            data=form,
            headers={
                "Authorization": "Basic " + base64.b64encode(pair.encode()).decode("ascii"),
                "Accept": "application/json",
            },
            extensions={"timeout": request.extensions.get("timeout", {})},
        )

    def _read_token(self, response: httpx.Response) -> _Token:
        path = httpx.URL(self._token_url).path
        logger.debug("POST %s -> %s (token)", path, response.status_code)
        if response.status_code in (400, 401, 403):
            raise AuthenticationError(REFUSED_MESSAGE, status_code=response.status_code, path=path)
        if not response.is_success:
            raise error_for_response(response, method="POST", path=path)
        try:
            payload = response.json()
        except ValueError:
            payload = None
        value = payload.get("access_token") if isinstance(payload, dict) else None
        if not isinstance(value, str) or not value:
            raise ResponseValidationError(
                f"Soundcharts token response has no access_token (POST {path})", path=path
            )
        ttl = _seconds(payload.get("expires_in")) if isinstance(payload, dict) else None
        ttl = ttl if ttl is not None and ttl > 0 else DEFAULT_TOKEN_TTL
        renew_at = self._clock() + ttl - min(RENEW_MARGIN_SECONDS, ttl * 0.1)
        return _Token(SecretStr(value), renew_at)


def _seconds(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None
