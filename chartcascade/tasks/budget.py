"""What a run may spend: a call budget for the run, and the shared Prefect rate limit."""

from __future__ import annotations

import atexit
import contextvars
import threading
import time
from collections import deque

from chartcascade.tasks import broker, brokered
from chartcascade.tasks.pace import Pace
from chartcascade.tasks.slots import (
    STARVED_SECONDS,
    Grant,
    RateLimiterUnavailable,
    SlotRequester,
    read_refill,
    timeout_message,
    unusable_message,
)

__all__ = [
    "BudgetExhausted",
    "CallBudget",
    "CallMeter",
    "RateBudget",
    "RateLimiterUnavailable",
    "RunStopping",
]

# How long the Prefect API may leave an acquisition of slots unanswered before the run stops: a
# stalled Prefect API must not block every thread silently (denials are answers: waiting for
# the fleet's turns is not a stall). Waiters get a little longer than the acquisition itself.
ACQUIRE_TIMEOUT_SECONDS = 60.0
SPEND_GRACE_SECONDS = 1.0
# While a 429 pauses the process, slots are acquired only this close to the pause's end.
PREFETCH_LEAD_SECONDS = 0.2
# The next chunk is asked for this long (about a round trip to the Prefect server) before the
# pace would have spent the slots in hand.
ASK_LEAD_SECONDS = 0.03


class BudgetExhausted(Exception):
    """The run's API-call budget has no room for this item."""


class RunStopping(BudgetExhausted):
    """The run is stopping (quota used up, credentials refused): no more calls are sent, and
    the item is left for a later run, as one the budget has no room for."""


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
    """Slots of one shared Prefect rate limit, acquired in chunks, spent one per request at the
    process's `Pace`.

    Every task thread of a process draws from one pool per limit, and one background thread,
    living as long as the pool, acquires for it: each acquisition is a round trip to the
    Prefect server, so one per chunk of requests keeps the limiter off the hot path. The next
    chunk is asked for just before the pace will have spent the slots in hand. The rate bound
    across processes is Prefect's: no request is sent on a slot the server did not grant, or on
    one the server may already have freed (a grant expires once the slots this process holds on
    the server have decayed, at the latest after `max_age`). With the whole burst as the chunk
    (as runs acquire) the server grants one chunk per `chunk / refill` seconds to all
    processes together, so two processes never spend chunks at once. Within the process the
    `Pace` spaces requests evenly and listens to 429s. An acquisition the server leaves
    unanswered for `timeout`, or no usable slot for `starved` seconds, raises
    `RateLimiterUnavailable` in every thread waiting for it.
    """

    _pools: dict[str, RateBudget] = {}
    _pools_lock = threading.Lock()

    def __init__(
        self,
        name: str,
        chunk: int,
        max_age: float,
        *,
        refill: float,
        timeout: float = ACQUIRE_TIMEOUT_SECONDS,
        starved: float = STARVED_SECONDS,
        local: bool = False,
    ) -> None:
        self.name = name
        self.chunk = max(1, chunk)
        self.max_age = max_age
        self.refill = refill
        self.timeout = timeout
        self.starved = starved
        self.pace = Pace(refill)
        self._grants: deque[list[float]] = deque()  # [expires at, slots left], oldest first
        self.local = local and broker.SUPPORTED
        requester = brokered.BrokeredRequester if self.local else SlotRequester
        self._requester = requester(name, self.chunk, refill, timeout, starved)
        self._fetcher: threading.Thread | None = None  # acquires chunks while the pool lives
        self._ask_at: float | None = None  # when the chunk being acquired may be asked for
        self._closed = threading.Event()
        self.acquisitions = 0  # chunks granted so far
        self._wanted = self.chunk  # the next chunk is asked for below this many slots in hand
        self._failures = 0
        self._error: BaseException | None = None
        self._changed = threading.Condition()

    @classmethod
    def shared(
        cls,
        name: str | None,
        chunk: int,
        max_age: float = 60.0,
        *,
        refill: float | None = None,
        local: bool = False,
    ) -> RateBudget | None:
        """The process's pool for the limit `name` (None: no rate limit). Without `refill`,
        the limit's slot decay is read from the Prefect API once per pool. `local`: ask the
        machine's broker (`chartcascade.tasks.broker`) rather than the Prefect API."""
        if name is None:
            return None
        with cls._pools_lock:
            pool = cls._pools.get(name)
            wanted = (max(1, chunk), max_age, local and broker.SUPPORTED)
            if pool is None or (pool.chunk, pool.max_age, pool.local) != wanted:
                rate = refill if refill is not None else read_refill(name)
                pool = cls._pools[name] = cls(name, chunk, max_age, refill=rate, local=local)
            return pool

    @classmethod
    def shutdown_all(cls, timeout: float = 5.0) -> None:
        """Stop every pool's background acquisition (for process exit): no new acquisition
        starts, running ones are waited for up to `timeout` seconds in all."""
        with cls._pools_lock:
            pools = list(cls._pools.values())
            cls._pools.clear()
        deadline = time.monotonic() + timeout
        for pool in pools:
            pool.close(max(0.0, deadline - time.monotonic()))

    def close(self, timeout: float = 5.0) -> None:
        """Start no more acquisitions; wait up to `timeout` seconds for a running one."""
        with self._changed:
            self._closed.set()
            fetcher = self._fetcher
            self._changed.notify_all()
        deadline = time.monotonic() + timeout
        if fetcher is not None:
            fetcher.join(timeout)
        self._requester.close(max(0.0, deadline - time.monotonic()))

    @property
    def hosting(self) -> bool:
        """Whether this process serves the machine's broker for the limit."""
        return bool(getattr(self._requester, "hosting", False))

    @property
    def denials(self) -> int:
        """Acquisition requests the Prefect server refused so far."""
        return self._requester.denials

    def spend(self) -> None:
        """Take one slot and this process's next turn to send, and wait for the turn; the next
        chunk is always being acquired in the background."""
        while True:
            turn, pause = self._reserve()
            if self.pace.wait_for(turn, pause):
                return  # else a 429 paused the process: the slot is left to expire

    def rate_limited(self, wait: float) -> None:
        """The API answered 429 and asked for `wait` seconds: pause and slow down the process."""
        self.pace.rate_limited(wait)

    def _reserve(self) -> tuple[float, float]:
        """A slot still granted at the next turn, taken with that turn: (turn, pause)."""
        waiting_since: float | None = None  # when this wait for a grant began
        with self._changed:
            failures = self._failures
            while True:
                now = time.monotonic()
                turn = self.pace.next_turn(now)
                if turn - now > PREFETCH_LEAD_SECONDS:  # paused: acquire nearer the turn
                    self._changed.wait(turn - now - PREFETCH_LEAD_SECONDS)
                    waiting_since = None
                    continue
                self._drop_expired(turn)  # grants that end before the turn are of no use
                if self._grants:
                    self._take()
                    pause = self.pace.take(turn)
                    if self._held() < self._wanted:
                        self._acquire_in_background()
                    return turn, pause
                if self._failures != failures and self._error is not None:
                    raise self._error
                waiting_since = waiting_since or now
                # A server that denies (other processes hold the chunk) is no stall, nor is the
                # requester's wait for the next chunk to be free; but grants that keep expiring
                # before their turn are (they are answers too, so bounded apart).
                denied = self._requester.denied_at or 0.0
                since = max(waiting_since, denied, self._requester.free_at)
                deadline = since + self.timeout + SPEND_GRACE_SECONDS
                if now >= deadline:
                    raise RateLimiterUnavailable(timeout_message(self.name, self.timeout))
                if now - waiting_since > self.starved + self.timeout:
                    raise RateLimiterUnavailable(unusable_message(self.name, now - waiting_since))
                self._acquire_in_background()
                self._changed.wait(deadline - now)

    def _drop_expired(self, at: float) -> None:
        while self._grants and self._grants[0][0] <= at:
            self._grants.popleft()

    def _held(self) -> int:
        return int(sum(left for _, left in self._grants))

    def _take(self) -> None:
        grant = self._grants[0]
        grant[1] -= 1
        if grant[1] <= 0:
            self._grants.popleft()

    def _acquire_in_background(self) -> None:
        """Have the next chunk acquired, asked for shortly before the slots in hand run out:
        spent at the pace, or expired (a slowed process takes no chunks it cannot spend)."""
        if self._closed.is_set():
            return
        ask_at = self._runs_out_at(time.monotonic()) - ASK_LEAD_SECONDS
        if self._ask_at is not None and ask_at >= self._ask_at:
            return  # already wanted as soon (waking every thread again would spin)
        self._ask_at = ask_at
        if self._fetcher is None:
            context = contextvars.copy_context()  # the caller's Prefect settings and client
            self._fetcher = threading.Thread(
                target=context.run, args=(self._fetch,), name=f"rate-{self.name}", daemon=True
            )
            self._fetcher.start()
        self._changed.notify_all()

    def _runs_out_at(self, now: float) -> float:
        """When the slots in hand (none: those taken, with their turns) will be spent at the
        pace, or have expired if sooner."""
        spent_at = self.pace.next_turn(now) + self._held() / self.pace.rate
        return min(spent_at, self._grants[-1][0]) if self._grants else spent_at

    def _fetch(self) -> None:
        """The pool's acquiring thread: one chunk each time one is wanted (at the time wanted,
        which spenders may bring forward), until the pool is closed."""
        with self._requester.asking():
            while True:
                with self._changed:
                    while not self._closed.is_set():
                        if self._ask_at is None:
                            self._changed.wait()
                        elif (delay := self._ask_at - time.monotonic()) > 0:
                            self._changed.wait(delay)
                        else:
                            break
                    if self._closed.is_set():
                        return
                self._acquire()

    def _acquire(self) -> None:
        error: BaseException | None = None
        grant: Grant | None = None
        try:
            grant = self._requester.acquire(self._closed)
        except BaseException as exc:  # noqa: BLE001 - handed to the spending threads
            error = exc
        with self._changed:
            self._ask_at = None
            if grant is not None:
                self._granted(grant)
            elif error is not None:
                self._failures += 1
                self._error = error
            self._changed.notify_all()

    def _granted(self, grant: Grant) -> None:
        """Record a chunk: usable until the server may free it, and for `max_age` at most. (A
        machine's broker hands out shares of the server's chunks: the next share is asked for
        once less than one is in hand.)"""
        self._grants.append([min(grant.expires, grant.sent + self.max_age), grant.slots])
        self._wanted = grant.slots
        self.acquisitions += 1


# At exit, before the interpreter stops daemon threads (one stopped inside the Prefect client's
# pydantic-core frames aborts the process).
atexit.register(RateBudget.shutdown_all, timeout=3.0)


class CallMeter:
    """Counts one task's calls against the run budget and spends the shared rate limit."""

    def __init__(
        self, budget: CallBudget, rate: RateBudget | None, stop: threading.Event | None = None
    ) -> None:
        self.budget = budget
        self.rate = rate
        self.stop = stop  # the run's: once set, no call is sent
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
        """The client's hook: count one call, and wait for the rate limit. A thread that was
        waiting for a request slot or its rate-limit turn when the run began to stop sends
        nothing (the call it counted is given back)."""
        if self._stopping():
            raise RunStopping(f"the run is stopping: {path} not sent")
        from_allowance = self.allowance > 0
        if from_allowance:
            self.allowance -= 1
        elif not self.budget.reserve(1):
            raise BudgetExhausted(f"API-call budget reached before {path}")
        if self.rate is not None:
            self.rate.spend()
            if self._stopping():
                if from_allowance:
                    self.allowance += 1
                else:
                    self.budget.release(1)
                raise RunStopping(f"the run is stopping: {path} not sent")

    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def rate_limited(self, wait: float) -> None:
        """The client's 429 hook: the process pauses `wait` seconds and slows down (without a
        shared pool, only this thread waits)."""
        if self.rate is not None:
            self.rate.rate_limited(wait)
        else:
            time.sleep(wait)
