"""Sandbox switches: configuration, the sliding-window rate limit and injected faults."""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from chartcascade.sandbox.paging import error_body

KINDS = ("missing_field", "malformed", "timeout")
STATUS_MESSAGES = {
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service unavailable.",
    504: "Gateway timeout.",
}
RATE_LIMIT_MESSAGE = "You have reached the maximum request count per minute."
QUOTA_MESSAGE = "Maximum quota reached"
UNLIMITED_QUOTA = 1_000_000


@dataclass
class SandboxConfig:
    """Runtime switches of a sandbox; mutate fields at any time (`sandbox.config.x = ...`).

    `quota` is the number of billable calls left: every 2xx API answer decrements it, and at 0
    requests get 429 "Maximum quota reached". None means unlimited.
    """

    app_id: str = "soundcharts"
    api_key: str = field(default="soundcharts", repr=False)
    client_id: str = "soundcharts"
    client_secret: str = field(default="soundcharts", repr=False)
    token_ttl_seconds: float = 3600.0
    rate_limit: int | None = None
    rate_window_seconds: float = 60.0
    quota: int | None = None
    latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_statuses: tuple[int, ...] = (500, 502, 503)
    timeout_rate: float = 0.0
    malformed_rate: float = 0.0
    fault_seed: int = 0
    timeout_delay_seconds: float = 30.0


@dataclass(frozen=True)
class Fault:
    """What to do instead of (or to) a normal answer."""

    kind: str  # "status", "timeout", "malformed" or "missing_field"
    status: int = 200
    quota_style: bool = False  # a 429 that reads as "quota reached", not the rate limit


@dataclass
class Injection:
    """A targeted fault for the next `remaining` requests matching endpoint (and key)."""

    endpoint: str
    key: str | None
    fault: Fault
    remaining: int


def parse_kind(kind: str | int) -> Fault:
    """A fault from an `inject` kind: a named kind, a status, "429-rate" or "429-quota"."""
    if isinstance(kind, str) and kind in KINDS:
        return Fault(kind)
    text = str(kind)
    if text in ("429-rate", "429-quota"):
        return Fault("status", 429, quota_style=text == "429-quota")
    if text.isdigit() and 400 <= int(text) <= 599:
        return Fault("status", int(text))
    raise ValueError(f"unknown fault kind {kind!r}: use {KINDS}, a 4xx/5xx status or '429-quota'")


def draw_fault(rng: random.Random, config: SandboxConfig) -> Fault | None:
    """A random fault per the configured rates (one draw per request when any rate is set)."""
    rates = (config.timeout_rate, config.fault_rate, config.malformed_rate)
    if not any(rates):
        return None
    roll = rng.random()
    if roll < config.timeout_rate:
        return Fault("timeout")
    if roll < config.timeout_rate + config.fault_rate and config.fault_statuses:
        return Fault("status", rng.choice(config.fault_statuses))
    if roll < sum(rates):
        return Fault("malformed")
    return None


def fault_answer(fault: Fault) -> tuple[dict[str, Any], dict[str, str]]:
    """Body and extra headers of a status fault."""
    if fault.status == 429 and fault.quota_style:
        return quota_body(), {}
    if fault.status == 429:
        return rate_limit_body(), {"x-ratelimit-reset": "1"}
    message = STATUS_MESSAGES.get(fault.status) or f"{HTTPStatus(fault.status).phrase}."
    return error_body(fault.status, "server" if fault.status >= 500 else "fault", message), {}


def rate_limit_body() -> dict[str, Any]:
    return error_body(429, "rate_limit", RATE_LIMIT_MESSAGE)


def quota_body() -> dict[str, Any]:
    return error_body(429, "quota", QUOTA_MESSAGE)


class SlidingWindow:
    """Admits at most `limit` requests in any `window` seconds (not thread-safe: lock it)."""

    def __init__(self) -> None:
        self._stamps: deque[float] = deque()

    def admit(self, limit: int | None, window: float, now: float) -> int | None:
        """None if admitted (and recorded), else whole seconds until a slot frees (>= 1)."""
        if limit is None:
            return None
        while self._stamps and self._stamps[0] <= now - window:
            self._stamps.popleft()
        if len(self._stamps) < limit:
            self._stamps.append(now)
            return None
        if limit <= 0:
            return max(1, math.ceil(window))
        freeing = self._stamps[len(self._stamps) - limit]
        return max(1, math.ceil(freeing + window - now))

    def clear(self) -> None:
        self._stamps.clear()
