"""Chunks of slots from the shared Prefect rate limit, asked for over the Prefect API.

Prefect's own `rate_limit()` sleeps for the server's `Retry-After`, which grows with every
denied request of every process (`(slots + denied slots) / decay`), and its client backs off
2, 4, 8 s on a 503 (a busy SQLite server): two processes sharing a limit left it idle for
seconds at a time. Here a denied or failed request is asked again after at most half the time
the server needs to free one chunk, and an acquisition that takes longer than its timeout
raises `RateLimiterUnavailable`.
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import httpx
from prefect import get_client
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings

LOCKED = 423


class RateLimiterUnavailable(Exception):
    """The Prefect API did not grant rate-limit slots in time (or cannot be reached): the run
    should stop, since no request may be sent without the shared limit's consent."""


class ServerBusy(Exception):
    """The Prefect API answered 5xx (a busy SQLite server answers 503): ask again shortly."""


class MissingLimitError(Exception):
    """The Prefect rate limit does not exist (or has no slot decay)."""


class SlotRequester:
    """Asks one Prefect rate limit for `chunk` slots at a time (one caller at a time)."""

    def __init__(self, name: str, chunk: int, refill: float, timeout: float) -> None:
        self.name = name
        self.chunk = chunk
        self.refill = refill
        self.timeout = timeout
        self._client: Any = None
        self._lock = threading.Lock()

    def acquire(self, stop: threading.Event) -> bool:
        """Block until the server grants a chunk (True), or `stop` is set (False)."""
        deadline = time.monotonic() + self.timeout
        with temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 0}):  # retried here
            while not stop.is_set():
                problem = None
                try:
                    wait = self._try_once()
                except (httpx.TransportError, ServerBusy) as exc:
                    problem, wait = exc, self._poll_interval()
                if wait is None:
                    return True
                if time.monotonic() + wait > deadline:
                    raise RateLimiterUnavailable(timeout_message(self.name, self.timeout, problem))
                stop.wait(wait)
        return False

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.__exit__(None, None, None)

    def _try_once(self) -> float | None:
        """None when granted, else the seconds to wait before asking again."""
        try:
            response = self._prefect().increment_concurrency_slots(
                names=[self.name], slots=self.chunk, mode="rate_limit"
            )
        except httpx.HTTPStatusError as exc:
            status = exc.response.status_code
            if status >= 500:
                raise ServerBusy(f"{status} {exc.response.reason_phrase}") from exc
            if status != LOCKED:
                raise MissingLimitError(
                    f"The Prefect rate limit {self.name!r} refused {self.chunk} slots "
                    f"({status}): run `chartcascade setup` to repair it"
                ) from exc
            server_wait = float(exc.response.headers.get("Retry-After") or 0.0)
            return min(server_wait, self._poll_interval())
        if not response.json():
            raise MissingLimitError(f"The Prefect rate limit {self.name!r} does not exist")
        return None

    def _poll_interval(self) -> float:
        """Half the time the server needs to free one chunk, with jitter."""
        return 0.5 * self.chunk / self.refill * random.uniform(0.7, 1.0)  # noqa: S311

    def _prefect(self) -> Any:
        """One Prefect API client for the requester, opened on first use."""
        with self._lock:
            if self._client is None:
                client = get_client(sync_client=True)
                client.__enter__()
                self._client = client
            return self._client


def read_refill(name: str) -> float:
    """The slot decay (slots per second) of the Prefect limit `name`."""
    try:
        with get_client(sync_client=True) as client:
            limit = client.read_global_concurrency_limit_by_name(name)
    except (httpx.TransportError, httpx.HTTPStatusError) as exc:
        raise RateLimiterUnavailable(
            f"The Prefect API could not be read for the rate limit {name!r}: {exc}"
        ) from exc
    if not limit.slot_decay_per_second:
        raise MissingLimitError(f"The Prefect concurrency limit {name!r} has no slot decay")
    return float(limit.slot_decay_per_second)


def timeout_message(name: str, timeout: float, problem: BaseException | None = None) -> str:
    """What to say when no slots came in time (`problem`: the last failed request)."""
    last = f" (last answer: {type(problem).__name__}: {problem})" if problem else ""
    return (
        f"The Prefect API granted no slots of the rate limit {name!r} within {timeout:g} s"
        f"{last}: is the Prefect server up and answering (PREFECT_API_URL)?"
    )
