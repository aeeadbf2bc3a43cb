"""The sandbox core: one thread-safe `respond()` shared by the transports and the ASGI app.

Per API request: count the call, check credentials (401), the rate limit (429), the quota
(429), apply an injected or random fault, then run the route handler. The token endpoint
skips the credential, rate-limit and quota checks and only takes targeted faults.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chartcascade.sandbox import auth
from chartcascade.sandbox.faults import (
    UNLIMITED_QUOTA,
    Fault,
    Injection,
    SandboxConfig,
    SlidingWindow,
    draw_fault,
    fault_answer,
    parse_kind,
    quota_body,
    rate_limit_body,
)
from chartcascade.sandbox.ledger import Ledger
from chartcascade.sandbox.paging import ApiError, error_body
from chartcascade.sandbox.reply import (
    TIMEOUT_STATUS,
    SandboxReply,
    drop_required,
    encode,
    truncated,
)
from chartcascade.sandbox.routes import ENDPOINTS, Call, Route, match
from chartcascade.sandbox.world import SandboxWorld

if TYPE_CHECKING:
    import httpx
    from starlette.applications import Starlette


@dataclass(frozen=True)
class _Admission:
    """The outcome of the checks made before a handler runs."""

    reply: tuple[int, dict[str, Any], dict[str, str]] | None = None
    fault: Fault | None = None
    charged: bool = False


class Sandbox:
    """A faithful local fake of the Soundcharts API over a `SandboxWorld`."""

    def __init__(self, world: SandboxWorld | None = None, config: SandboxConfig | None = None):
        self.world = world if world is not None else SandboxWorld()
        self.config = config if config is not None else SandboxConfig()
        self.ledger = Ledger()
        self._lock = threading.Lock()  # guards the rate window, quota, tokens, faults
        self._window = SlidingWindow()
        self._tokens = auth.TokenStore()
        self._injections: list[Injection] = []
        self._rng = random.Random(self.config.fault_seed)
        self._rng_seed = self.config.fault_seed

    # Counters (copies, exact under concurrency).

    @property
    def calls(self) -> Counter[str]:
        """Requests received per endpoint (every status; unknown paths count as "other")."""
        return self.ledger.calls

    @property
    def billable(self) -> Counter[str]:
        """2xx answers per endpoint."""
        return self.ledger.billable

    @property
    def statuses(self) -> Counter[tuple[str, int]]:
        """Answers per (endpoint, status); status 0 = timed out."""
        return self.ledger.statuses

    @property
    def request_log(self) -> list[tuple[float, str, int]]:
        """(time.monotonic() at arrival, endpoint, status) per request."""
        return self.ledger.request_log

    @property
    def requests(self) -> list[tuple[str, dict[str, str], dict[str, str]]]:
        """(endpoint, path parameters, query) per routed request, in arrival order."""
        return self.ledger.requests

    @property
    def peak_in_flight(self) -> int:
        """The most requests being answered at once (latency included) since the last reset."""
        return self.ledger.peak_in_flight

    def in_flight(self) -> AbstractContextManager[None]:
        """One request's whole answer, latency included (the transports and server use it)."""
        return self.ledger.in_flight()

    def reset_counts(self) -> None:
        """Zero the counters and the request log (not the quota, tokens or rate window)."""
        self.ledger.reset()

    # Faults.

    def inject(
        self, endpoint: str, *, uuid: str | None = None, kind: str | int, times: int = 1
    ) -> None:
        """Fault the next `times` requests to `endpoint` (and, if given, to that uuid/slug).

        `kind`: "missing_field", "malformed", "timeout", a 4xx/5xx status (429 = rate limit),
        "429-rate" or "429-quota".
        """
        if times < 1:
            raise ValueError("times must be >= 1")
        if endpoint not in ENDPOINTS:
            raise ValueError(f"unknown endpoint {endpoint!r}: use one of {ENDPOINTS}")
        fault = parse_kind(kind)
        with self._lock:
            self._injections.append(Injection(endpoint, uuid, fault, times))

    def clear_injections(self) -> None:
        with self._lock:
            self._injections.clear()

    def _take_injection(self, route: Route, params: Mapping[str, str]) -> Fault | None:
        entity = params.get(route.key_param) if route.key_param else None
        for injection in self._injections:
            if injection.endpoint == route.endpoint and injection.key in (None, entity):
                injection.remaining -= 1
                if injection.remaining <= 0:
                    self._injections.remove(injection)
                return injection.fault
        return None

    # The request pipeline.

    def respond(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        headers: Mapping[str, str],
        body: bytes = b"",
    ) -> SandboxReply:
        """Answer one request. `path` may be percent-encoded; header names any case."""
        now = time.monotonic()
        lowered = {k.lower(): v for k, v in headers.items()}
        found = match(path)
        endpoint = found[0].endpoint if found else "other"
        self.ledger.count(endpoint)
        if found is None:
            return self._finish(endpoint, now, False, 404, error_body(404, "access", "Not found."))
        route, params = found
        self.ledger.note(endpoint, params, query)
        if method.upper() != route.method:
            not_allowed = error_body(405, "method", "Method not allowed.")
            return self._finish(endpoint, now, False, 405, not_allowed)
        with self._lock:
            admission = self._admit(route, params, lowered, now)
        if admission.reply is not None:
            status, payload, extra = admission.reply
            return self._finish(endpoint, now, admission.charged, status, payload, extra)
        fault = admission.fault
        if fault is not None and fault.kind == "timeout":
            return self._finish(endpoint, now, admission.charged, TIMEOUT_STATUS, {})
        try:
            payload = self._handle(route, Call(path, params, dict(query)), lowered, body, now)
        except ApiError as error:
            return self._finish(endpoint, now, admission.charged, error.status, error.body())
        if fault is not None and fault.kind == "missing_field":
            payload = drop_required(payload)
        reply = self._finish(endpoint, now, admission.charged, 200, payload)
        return truncated(reply) if fault is not None and fault.kind == "malformed" else reply

    def _admit(
        self, route: Route, params: Mapping[str, str], headers: Mapping[str, str], now: float
    ) -> _Admission:
        """Auth, rate limit, quota and fault choice; call with the lock held."""
        config = self.config
        if route.handler is None:  # the token endpoint
            return self._fault_admission(self._take_injection(route, params))
        if not auth.authorized(headers, config, self._tokens, now):
            return _Admission(reply=(401, error_body(401, "auth", "Unauthorized"), {}))
        wait = self._window.admit(config.rate_limit, config.rate_window_seconds, now)
        if wait is not None:
            return _Admission(reply=(429, rate_limit_body(), {"x-ratelimit-reset": str(wait)}))
        if config.quota is not None and config.quota <= 0:
            return _Admission(reply=(429, quota_body(), {}))
        if config.fault_seed != self._rng_seed:  # a new seed restarts the fault sequence
            self._rng, self._rng_seed = random.Random(config.fault_seed), config.fault_seed
        fault = self._take_injection(route, params) or draw_fault(self._rng, config)
        admission = self._fault_admission(fault)
        if admission.reply is None and config.quota is not None:
            config.quota -= 1  # reserved now, refunded if the answer is not 2xx
            return _Admission(fault=fault, charged=True)
        return admission

    @staticmethod
    def _fault_admission(fault: Fault | None) -> _Admission:
        if fault is not None and fault.kind == "status":
            payload, extra = fault_answer(fault)
            return _Admission(reply=(fault.status, payload, extra))
        return _Admission(fault=fault)

    def _handle(
        self, route: Route, call: Call, headers: Mapping[str, str], body: bytes, now: float
    ) -> dict[str, Any]:
        if route.handler is not None:
            return route.handler(self.world, call)
        with self._lock:
            return auth.grant(headers, body, self.config, self._tokens, now)

    def _finish(
        self,
        endpoint: str,
        now: float,
        charged: bool,
        status: int,
        payload: dict[str, Any],
        extra: Mapping[str, str] | None = None,
    ) -> SandboxReply:
        """Record the answer (refunding the quota unless 2xx) and build the reply."""
        api = endpoint != "token"
        headers = {"content-type": "application/json", **(extra or {})}
        billed = self.ledger.record(endpoint, now, status, api=api)
        with self._lock:
            if charged and not 200 <= status < 300 and self.config.quota is not None:
                self.config.quota += 1
            quota = self.config.quota
        if api:
            remaining = UNLIMITED_QUOTA - billed if quota is None else quota
            headers["x-quota-remaining"] = str(max(0, remaining))
        timeout = status == TIMEOUT_STATUS
        if timeout:
            status, payload = 504, error_body(504, "server", "Gateway timeout.")
        delay = max(0.0, self.config.latency_ms) / 1000.0
        return SandboxReply(status, headers, encode(payload), delay, timeout, endpoint)

    # Transports and servers (defined in their own modules).

    def transport(self) -> httpx.BaseTransport:
        """A sync httpx transport answering in process, for any host."""
        from chartcascade.sandbox.transport import SandboxTransport

        return SandboxTransport(self)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """An async httpx transport answering in process, for any host."""
        from chartcascade.sandbox.transport import AsyncSandboxTransport

        return AsyncSandboxTransport(self)

    def asgi_app(self) -> Starlette:
        """A Starlette app serving this sandbox."""
        from chartcascade.sandbox.server import build_app

        return build_app(self)

    @contextmanager
    def serve(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        """Run the ASGI app with uvicorn in a background thread; yields the base URL."""
        from chartcascade.sandbox.server import serve_in_thread

        with serve_in_thread(self, host, port) as url:
            yield url
