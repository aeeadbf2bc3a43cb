"""What a run may spend: a call budget for the run, and the shared Prefect rate limit."""

from __future__ import annotations

import contextvars
import threading
import time
from collections import deque

from prefect.concurrency.sync import rate_limit


class BudgetExhausted(Exception):
    """The run's API-call budget has no room for this item."""


class CallBudget:
    """The `max_api_calls` of one run, shared by the run's task threads."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._used = 0
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        return self._used

    def reserve(self, calls: int) -> bool:
        """Take room for `calls` calls; False (and nothing taken) when it does not fit."""
        with self._lock:
            if self.limit is not None and self._used + calls > self.limit:
                return False
            self._used += calls
            return True

    def release(self, calls: int) -> None:
        """Give back room that was reserved but not spent."""
        with self._lock:
            self._used = max(0, self._used - calls)


class RateBudget:
    """Slots of one shared Prefect rate limit, acquired in chunks, spent one per request.

    Every task thread of a process draws from one pool per limit: Prefect serialises
    acquisitions per process anyway, and each is a round trip to the server, so one
    acquisition per chunk of requests keeps the limiter off the hot path. The rate bound is
    Prefect's (no slot is spent before the server granted it); a chunk never exceeds the
    limit's burst, which Prefect refuses. Granted slots expire after `max_age` seconds, so a
    long-lived process cannot bank slots through idle time and spend them in one burst.
    """

    _pools: dict[str, RateBudget] = {}
    _pools_lock = threading.Lock()

    def __init__(self, name: str, chunk: int, max_age: float) -> None:
        self.name = name
        self.chunk = max(1, chunk)
        self.max_age = max_age
        self._grants: deque[list[float]] = deque()  # [expires at, slots left], oldest first
        self._fetching = False
        self._error: BaseException | None = None
        self._changed = threading.Condition()

    @classmethod
    def shared(cls, name: str | None, chunk: int, max_age: float = 60.0) -> RateBudget | None:
        """The process's pool for the limit `name` (None: no rate limit)."""
        if name is None:
            return None
        with cls._pools_lock:
            pool = cls._pools.get(name)
            if pool is None or (pool.chunk, pool.max_age) != (max(1, chunk), max_age):
                pool = cls._pools[name] = cls(name, chunk, max_age)
            return pool

    def spend(self) -> None:
        """Take one slot; the next chunk is always being acquired in the background."""
        with self._changed:
            while not self._take():
                if self._error is not None:
                    error, self._error = self._error, None
                    raise error
                self._acquire_in_background()
                self._changed.wait()
            if sum(left for _, left in self._grants) < self.chunk:
                self._acquire_in_background()

    def _take(self) -> bool:
        now = time.monotonic()
        while self._grants and self._grants[0][0] <= now:
            self._grants.popleft()
        if not self._grants:
            return False
        self._grants[0][1] -= 1
        if self._grants[0][1] == 0:
            self._grants.popleft()
        return True

    def _acquire_in_background(self) -> None:
        if self._fetching:
            return
        self._fetching = True
        context = contextvars.copy_context()  # the caller's Prefect settings and client
        threading.Thread(
            target=context.run, args=(self._acquire,), name=f"rate-{self.name}", daemon=True
        ).start()

    def _acquire(self) -> None:
        error: BaseException | None = None
        try:
            rate_limit(self.name, occupy=self.chunk, strict=True)
        except BaseException as exc:  # noqa: BLE001 - handed to the spending thread
            error = exc
        with self._changed:
            self._fetching = False
            if error is None:
                self._grants.append([time.monotonic() + self.max_age, self.chunk])
            else:
                self._error = error
            self._changed.notify_all()


class CallMeter:
    """Counts one task's calls against the run budget and spends the shared rate limit."""

    def __init__(self, budget: CallBudget, rate: RateBudget | None) -> None:
        self.budget = budget
        self.rate = rate
        self.allowance = 0

    def start_item(self, estimate: int) -> bool:
        """Reserve the item's expected calls; False when the budget has no room."""
        if not self.budget.reserve(estimate):
            return False
        self.allowance = estimate
        return True

    def end_item(self) -> None:
        """Give back what the item reserved and did not spend."""
        self.budget.release(self.allowance)
        self.allowance = 0

    def before_request(self, path: str) -> None:
        """The client's hook: count one call, and wait for the rate limit."""
        if self.allowance > 0:
            self.allowance -= 1
        elif not self.budget.reserve(1):
            raise BudgetExhausted(f"API-call budget reached before {path}")
        if self.rate is not None:
            self.rate.spend()
