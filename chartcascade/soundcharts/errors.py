"""Typed Soundcharts failures: one class per kind, carrying status, path and the error body."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

_MAX_MESSAGE_CHARS = 300
_RATE_LIMIT_MARKER = "maximum request count"
_NO_ACCOUNT_MARKER = "no social account found"
# An `x-ratelimit-reset` above this is read as a Unix timestamp rather than a number of seconds.
_EPOCH_THRESHOLD = 1_000_000_000


class SoundchartsError(Exception):
    """Any failure of a Soundcharts call."""

    def __init__(
        self, message: str, *, status_code: int | None = None, path: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.path = path

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class ApiStatusError(SoundchartsError):
    """The API answered with an error status; `body` is its parsed `errors` list."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        path: str | None = None,
        body: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, path=path)
        self.body = body


class AuthenticationError(ApiStatusError):
    """401/403 or a refused token request; never retried."""


class NotFoundError(ApiStatusError):
    """404 or 410: the entity does not exist (or cannot be served)."""


class NoAccountError(NotFoundError):
    """The artist has no account on the platform: an absence to record, not a failure."""


class BadRequestError(ApiStatusError):
    """400, 405, 409 and other client errors."""


class QuotaExceededError(ApiStatusError):
    """429 because the plan's quota is used up; never retried."""


class RateLimitError(ApiStatusError):
    """429 from the per-minute limit; `retry_after` is the wait the server asked for."""

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        path: str | None = None,
        body: list[dict[str, Any]] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, path=path, body=body)
        self.retry_after = retry_after


class ServerError(ApiStatusError):
    """5xx: a problem on Soundcharts' side."""


class ApiConnectionError(SoundchartsError):
    """The request did not get an answer (connection refused, reset, protocol error)."""


class ApiTimeoutError(ApiConnectionError):
    """The request timed out."""


class ResponseValidationError(SoundchartsError):
    """A 2xx payload that is not JSON or misses required fields."""


def is_retryable(exc: BaseException) -> bool:
    """True for failures that can succeed later: server errors, rate limits, connection errors."""
    return isinstance(exc, ServerError | RateLimitError | ApiConnectionError)


def error_for_response(response: httpx.Response, *, method: str, path: str) -> ApiStatusError:
    """The typed error for an error response; its message never holds a header or a secret."""
    status = response.status_code
    body = _error_list(response)
    text = _first_message(body) or response.reason_phrase or "HTTP error"
    message = f"{status} {text} ({method} {path})"
    lowered = text.lower()
    kind: type[ApiStatusError]
    if status in (401, 403):
        kind = AuthenticationError
    elif status == 429:
        if _RATE_LIMIT_MARKER in lowered:
            retry_after = retry_after_seconds(response.headers)
            return RateLimitError(
                message, status_code=status, path=path, body=body, retry_after=retry_after
            )
        kind = QuotaExceededError
    elif 400 <= status < 500 and _NO_ACCOUNT_MARKER in lowered:
        kind = NoAccountError
    elif status in (404, 410):
        kind = NotFoundError
    elif 400 <= status < 500:
        kind = BadRequestError
    elif status >= 500:
        kind = ServerError
    else:
        kind = ApiStatusError
    return kind(message, status_code=status, path=path, body=body)


def retry_after_seconds(headers: httpx.Headers, *, now: float | None = None) -> float | None:
    """Seconds to wait from `x-ratelimit-reset` or `Retry-After` (seconds or HTTP-date)."""
    current = time.time() if now is None else now
    reset = _number(headers.get("x-ratelimit-reset"))
    if reset is not None:
        wait = reset - current if reset > _EPOCH_THRESHOLD else reset
        return max(wait, 0.0)
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    return max(moment.timestamp() - current, 0.0)


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def _error_list(response: httpx.Response) -> list[dict[str, Any]] | None:
    try:
        payload = response.json()
    except ValueError:
        return None
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list):
        return None
    return [error for error in errors if isinstance(error, dict)]


def _first_message(body: list[dict[str, Any]] | None) -> str | None:
    for error in body or []:
        message = error.get("message")
        if isinstance(message, str) and message.strip():
            return message.strip()[:_MAX_MESSAGE_CHARS]
    return None
