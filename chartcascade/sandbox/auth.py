"""Credentials: legacy `x-app-id`/`x-api-key` headers and OAuth client-credentials tokens."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

from chartcascade.sandbox.faults import SandboxConfig
from chartcascade.sandbox.paging import ApiError


class OAuthError(ApiError):
    """A token-endpoint failure, answered OAuth-style: `{"error": "<code>"}`."""

    def body(self) -> dict[str, Any]:
        return {"error": self.key}


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class TokenStore:
    """Issued bearer tokens and their expiry (time.monotonic); lock it from outside."""

    def __init__(self) -> None:
        self._expiry: dict[str, float] = {}

    def issue(self, ttl_seconds: float, now: float) -> str:
        """A new unguessable token valid for `ttl_seconds` from `now`."""
        self._expiry = {t: e for t, e in self._expiry.items() if e > now}
        token = secrets.token_urlsafe(32)
        self._expiry[token] = now + ttl_seconds
        return token

    def valid(self, token: str, now: float) -> bool:
        expiry = self._expiry.get(token)
        return expiry is not None and now < expiry

    def clear(self) -> None:
        self._expiry.clear()


def authorized(
    headers: Mapping[str, str], config: SandboxConfig, tokens: TokenStore, now: float
) -> bool:
    """Whether lower-cased request headers carry valid legacy keys or a live bearer token."""
    app_id, api_key = headers.get("x-app-id"), headers.get("x-api-key")
    if _same(app_id, config.app_id) and _same(api_key, config.api_key):
        return True
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(token) and tokens.valid(token.strip(), now)


def client_credentials(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(client_id, client_secret) from an HTTP Basic `authorization` header."""
    scheme, _, encoded = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (client_id, secret) if sep else None


def valid_client(headers: Mapping[str, str], config: SandboxConfig) -> bool:
    """Whether the Basic credentials match the configured client."""
    found = client_credentials(headers)
    return (
        found is not None
        and _same(found[0], config.client_id)
        and _same(found[1], config.client_secret)
    )


def grant_type(body: bytes) -> str | None:
    """`grant_type` of a form-encoded token request body."""
    try:
        form = parse_qs(body.decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        return None
    values = form.get("grant_type")
    return values[-1] if values else None


def grant(
    headers: Mapping[str, str], body: bytes, config: SandboxConfig, tokens: TokenStore, now: float
) -> dict[str, Any]:
    """The token answer for a client-credentials request (raises `OAuthError`).

    `tokens` must be locked by the caller.
    """
    if not valid_client(headers, config):
        raise OAuthError(401, "invalid_client", "invalid_client")
    if grant_type(body) != "client_credentials":
        raise OAuthError(400, "unsupported_grant_type", "unsupported_grant_type")
    ttl = config.token_ttl_seconds
    expires_in: float = int(ttl) if float(ttl).is_integer() else ttl
    token = tokens.issue(ttl, now)
    return {"access_token": token, "token_type": "Bearer", "expires_in": expires_in}
