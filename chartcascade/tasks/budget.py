"""What a run may spend: a call budget for the run, and the shared Prefect rate limit."""

from __future__ import annotations

import threading

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
    """Slots of the shared Prefect rate limit, acquired in chunks, spent one per request.

    One acquisition per chunk of requests keeps the limiter off the hot path; the chunk
    never exceeds the limit's burst, which Prefect refuses.
    """

    def __init__(self, name: str | None, chunk: int) -> None:
        self.name = name
        self.chunk = max(1, chunk)
        self._tokens = 0
        self._planned = 0

    def plan(self, calls: int) -> None:
        """Say how many calls the holder expects to make, so chunks are not oversized."""
        self._planned = max(0, calls)

    def spend(self) -> None:
        """Take one slot, acquiring a new chunk from Prefect when none is left."""
        if self.name is None:
            return
        if self._tokens == 0:
            occupy = min(self.chunk, max(1, self._planned))
            rate_limit(self.name, occupy=occupy, strict=True)
            self._tokens = occupy
        self._tokens -= 1
        self._planned = max(0, self._planned - 1)


class CallMeter:
    """Counts one task's calls against the run budget and spends the shared rate limit."""

    def __init__(self, budget: CallBudget, rate: RateBudget) -> None:
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
        self.rate.spend()
