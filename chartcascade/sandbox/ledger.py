"""Exact, thread-safe request counters of a sandbox."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager


class Ledger:
    """Calls, 2xx answers and statuses per endpoint, a timestamped request log, what each
    routed request asked for (path parameters and query), and the most requests open at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: Counter[str] = Counter()
        self._billable: Counter[str] = Counter()
        self._statuses: Counter[tuple[str, int]] = Counter()
        self._log: list[tuple[float, str, int]] = []
        self._asked: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self._billed_api = 0
        self._open = 0
        self._peak_open = 0

    @contextmanager
    def in_flight(self) -> Iterator[None]:
        """One request being answered, latency included."""
        with self._lock:
            self._open += 1
            self._peak_open = max(self._peak_open, self._open)
        try:
            yield
        finally:
            with self._lock:
                self._open -= 1

    @property
    def peak_in_flight(self) -> int:
        """The most requests being answered at once since the last reset."""
        with self._lock:
            return self._peak_open

    def count(self, endpoint: str) -> None:
        """A request arrived."""
        with self._lock:
            self._calls[endpoint] += 1

    def note(self, endpoint: str, params: Mapping[str, str], query: Mapping[str, str]) -> None:
        """What a routed request asked for."""
        with self._lock:
            self._asked.append((endpoint, dict(params), dict(query)))

    def record(self, endpoint: str, now: float, status: int, *, api: bool) -> int:
        """An answer left; returns the number of 2xx API answers so far."""
        with self._lock:
            self._statuses[(endpoint, status)] += 1
            self._log.append((now, endpoint, status))
            if 200 <= status < 300:
                self._billable[endpoint] += 1
                self._billed_api += api
            return self._billed_api

    @property
    def calls(self) -> Counter[str]:
        with self._lock:
            return Counter(self._calls)

    @property
    def billable(self) -> Counter[str]:
        with self._lock:
            return Counter(self._billable)

    @property
    def statuses(self) -> Counter[tuple[str, int]]:
        with self._lock:
            return Counter(self._statuses)

    @property
    def request_log(self) -> list[tuple[float, str, int]]:
        with self._lock:
            return list(self._log)

    @property
    def requests(self) -> list[tuple[str, dict[str, str], dict[str, str]]]:
        with self._lock:
            return [(e, dict(p), dict(q)) for e, p, q in self._asked]

    def reset(self) -> None:
        with self._lock:
            self._asked.clear()
            self._calls.clear()
            self._billable.clear()
            self._statuses.clear()
            self._log.clear()
            self._billed_api = 0
            self._peak_open = self._open
