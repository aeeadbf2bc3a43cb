"""Chunks of slots from the shared Prefect rate limit, asked for over the Prefect API.

Prefect's own `rate_limit()` sleeps for the server's `Retry-After`, which grows with every
denied request of every process (`(slots + denied slots) / decay`), and its client backs off
2, 4, 8 s on a 503 (a busy SQLite server): two processes sharing a limit left it idle for
seconds at a time. Here a chunk is asked for when the server can have freed one: a limit
whose burst is one chunk grants the next chunk `chunk / refill` seconds after the last grant
(its decay is floored, so it is never earlier), so the requester asks then and, when denied
(another process took it; a denial costs the server no decay), again shortly after.

A denial is an answer: a run waits as long as the server denies, and raises
`RateLimiterUnavailable` when the server has not answered for the timeout, or has granted
nothing for `STARVED_SECONDS` after a denial. (Before, 60 s of denials stopped the run: in a
fleet of 12 runs on one limit, 7 of them.) Polling less often as more processes share the limit
was tried and left out: the process that lost polled slower and lost more (2 processes: 61
calls against 299), and asking only at estimated turns left chunks idle (6 processes: 0.65 R
against 0.85 R).
"""

from __future__ import annotations

import random
import threading
import time
from contextlib import AbstractContextManager
from typing import Any, NamedTuple

import httpx
from prefect import get_client
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings

LOCKED = 423
# A chunk is asked for this long after the server can have freed it (the server's clock runs
# a few ms behind ours: a request that arrives early is denied).
ASK_MARGIN_SECONDS = 0.003
# After a denial, ask again after MIN_POLL_SECONDS, doubling with each denial in a row up to
# this share of the time the server takes to free a chunk: little of the limit is left idle.
DENIED_POLL_SHARE = 0.15
MIN_POLL_SECONDS = 0.005
# Denied for this long without a grant: the limit is shared far beyond what it can serve.
STARVED_SECONDS = 600.0


class Grant(NamedTuple):
    """Slots the server granted: when they were asked for (the grant is no older), when the
    server may have freed them (monotonic), and how many."""

    sent: float
    expires: float
    slots: int


class RateLimiterUnavailable(Exception):
    """The Prefect API did not grant rate-limit slots in time (or cannot be reached): the run
    should stop, since no request may be sent without the shared limit's consent."""


class ServerBusy(Exception):
    """The Prefect API answered 5xx (a busy SQLite server answers 503): ask again shortly."""


class MissingLimitError(Exception):
    """The Prefect rate limit does not exist (or has no slot decay)."""


class SlotRequester:
    """Asks one Prefect rate limit for `chunk` slots at a time (one caller at a time)."""

    def __init__(
        self, name: str, chunk: int, refill: float, timeout: float, starved: float = STARVED_SECONDS
    ) -> None:
        self.name = name
        self.chunk = chunk
        self.refill = refill
        self.timeout = timeout
        self.starved = starved
        self.denials = 0  # requests the server refused so far
        self.denied_at: float | None = None  # when the server last denied (monotonic)
        self._next_ask = 0.0  # no chunk can be freed for this process before then
        self._level = 0.0  # this requester's slots on the server, decaying at `refill`
        self._level_at = 0.0
        self._client: Any = None
        self._lock = threading.Lock()

    def acquire(self, stop: threading.Event) -> Grant | None:
        """Block until the server grants a chunk, or None when `stop` is set."""
        wait = self._next_ask - time.monotonic()
        deadline = time.monotonic() + max(0.0, wait) + self.timeout  # moved on by each denial
        first_denial: float | None = None
        problem: BaseException | None = None
        denied = 0  # requests denied or failed in a row
        refused = 0  # of those, the denials
        while not stop.is_set():
            if wait > 0:
                if time.monotonic() + wait > deadline:
                    raise RateLimiterUnavailable(timeout_message(self.name, self.timeout, problem))
                if stop.wait(wait):
                    break
            if first_denial is not None and time.monotonic() - first_denial > self.starved:
                message = starved_message(self.name, self.starved, refused, denied - refused)
                raise RateLimiterUnavailable(message)
            problem = None
            sent = time.monotonic()
            try:
                denied_for = self._try_once(denied)
            except (httpx.TransportError, ServerBusy) as exc:
                problem, denied_for = exc, self._retry_interval()
            if denied_for is None:
                self._next_ask = sent + self.chunk / self.refill + ASK_MARGIN_SECONDS
                return self._granted(sent)
            if problem is None:  # denied: the server works, other processes hold the chunk
                self.denied_at = time.monotonic()
                deadline = self.denied_at + self.timeout
                first_denial = first_denial or self.denied_at
                self.denials += 1
                refused += 1
            denied += 1
            wait = denied_for
        return None

    def _granted(self, sent: float) -> Grant:
        """The chunk granted to a request sent at `sent`. The server frees slots at `refill`
        per second, in the order granted, so this chunk is free once this requester's slots up
        to it have decayed (other requesters' slots only make that later)."""
        self._level = max(0.0, self._level - self.refill * (sent - self._level_at)) + self.chunk
        self._level_at = sent
        return Grant(sent, sent + self._level / self.refill, self.chunk)

    @property
    def free_at(self) -> float:
        """When a chunk can next be free for this process (monotonic): the requester does not
        ask before."""
        return self._next_ask

    def asking(self) -> AbstractContextManager[Any]:
        """The context to call `acquire` in (see `asking`)."""
        return asking()

    def close(self, timeout: float = 0.0) -> None:  # noqa: ARG002 - the interface's
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.__exit__(None, None, None)

    def _try_once(self, denied: int) -> float | None:
        """None when granted, else the seconds to wait before asking again (`denied`: the
        requests denied in a row before this one)."""
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
            return min(server_wait, self._poll_interval(denied))
        if not response.json():
            raise MissingLimitError(f"The Prefect rate limit {self.name!r} does not exist")
        return None

    def _retry_interval(self) -> float:
        """The wait after a failed request: half the time the server needs to free a chunk
        (at least 50 ms), with jitter."""
        return max(0.05, 0.5 * self.chunk / self.refill) * random.uniform(0.7, 1.0)  # noqa: S311

    def _poll_interval(self, denied: int) -> float:
        """The wait before asking again after `denied` + 1 denials in a row, with jitter."""
        longest = max(MIN_POLL_SECONDS, DENIED_POLL_SHARE * self.chunk / self.refill)
        wait = min(longest, MIN_POLL_SECONDS * 2 ** min(denied, 16))
        return wait * random.uniform(0.7, 1.0)  # noqa: S311

    def _prefect(self) -> Any:
        """One Prefect API client for the requester, opened on first use."""
        with self._lock:
            if self._client is None:
                client = get_client(sync_client=True)
                client.__enter__()
                self._client = client
            return self._client


def asking() -> AbstractContextManager[Any]:
    """The context to acquire in, entered once for many acquisitions (entering it builds
    Prefect settings: up to 0.1 s on a busy machine): Prefect's client retries off, since
    `SlotRequester.acquire` asks again itself."""
    return temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 0})


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
    """What to say when the server did not answer in time (`problem`: the last failed request)."""
    last = f" (last answer: {type(problem).__name__}: {problem})" if problem else ""
    return (
        f"The Prefect API did not answer for the rate limit {name!r} within {timeout:g} s"
        f"{last}: is the Prefect server up and answering (PREFECT_API_URL)?"
    )


def starved_message(name: str, seconds: float, denied: int, failed: int) -> str:
    """What to say when no request was granted for `seconds` after the first denial
    (`failed`: the requests among them the server did not answer)."""
    return (
        f"The Prefect rate limit {name!r} granted none of {denied + failed} requests in "
        f"{seconds:g} s ({denied} denied, {failed} unanswered): more runs share it "
        "than it can serve"
    )


def unusable_message(name: str, seconds: float) -> str:
    """What to say when a thread got no slot it could use for `seconds` (grants expired
    before their turn: the Prefect server answers too slowly for the limit's burst)."""
    return (
        f"No slot of the Prefect rate limit {name!r} could be used within {seconds:g} s: "
        "grants expire before they arrive (a slow Prefect server, or a burst too small for it)"
    )
