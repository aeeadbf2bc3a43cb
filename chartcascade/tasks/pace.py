"""One process's pace towards the API: evenly spaced requests at a rate that listens to 429s.

The pace starts at the ceiling (the Prefect limit's refill rate). A per-minute 429 pauses
every thread of the process until the reset the server gave, and lowers the pace
(multiplicative decrease). The pace then climbs back quickly to just under the rate that drew
the 429, and slowly beyond it, up to the ceiling (additive increase), so a process that shares
the API with others settles near its share.
"""

from __future__ import annotations

import threading
import time

DECREASE = 0.5  # the pace after a 429, as a share of the pace that drew it
RECOVER_TO = 0.9  # climb quickly back to this share of the pace that drew the 429 ...
FAST_RISE = 0.5  # ... at this share of the ceiling per second,
SLOW_RISE = 0.02  # then at this share of the ceiling per second
FLOOR = 0.02  # the pace never falls below this share of the ceiling


class Pace:
    """Hands out send times spaced `1 / rate` apart, shared by the threads of one process."""

    def __init__(self, ceiling: float) -> None:
        if ceiling <= 0:
            raise ValueError("the ceiling must be a positive rate")
        self.ceiling = ceiling
        self.rate = ceiling
        self.paused_until = 0.0
        self.slowdowns = 0
        self._drew_429 = 0.0  # the pace when the last 429 came
        self._next = 0.0  # the earliest time of the next send
        self._rated_at = time.monotonic()
        self._lock = threading.Lock()

    def next_turn(self, now: float) -> float:
        """The earliest time the next request may go: after any pause, `1 / rate` after the
        last turn taken."""
        with self._lock:
            self._rise(now)
            return max(now, self._next, self.paused_until)

    def take(self, turn: float) -> float:
        """Take the turn at `turn` (from `next_turn`); the pause it was taken under."""
        with self._lock:
            self._next = max(self._next, turn + 1.0 / self.rate)
            return self.paused_until

    def wait_for(self, turn: float, pause: float) -> bool:
        """Sleep until `turn`; False if a 429 paused the process meanwhile (the turn is lost)."""
        delay = turn - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        with self._lock:
            return self.paused_until == pause

    def rate_limited(self, wait: float) -> None:
        """A 429 asked for `wait` seconds: every thread pauses that long; the pace drops once
        per pause (429s of requests sent before the pause are part of the same event)."""
        with self._lock:
            now = time.monotonic()
            if now < self.paused_until:
                self.paused_until = max(self.paused_until, now + wait)
            else:
                self._rise(now)
                self._drew_429 = self.rate
                self.rate = max(FLOOR * self.ceiling, DECREASE * self.rate)
                self.paused_until = now + wait
                self.slowdowns += 1
            self._next = self.paused_until
            self._rated_at = self.paused_until

    def _rise(self, now: float) -> None:
        """Raise the pace for the time since the last update (never during a pause)."""
        elapsed = now - self._rated_at
        if elapsed <= 0:
            return
        self._rated_at = now
        rate = self.rate
        knee = RECOVER_TO * self._drew_429
        if rate < knee:
            fast_time = (knee - rate) / (FAST_RISE * self.ceiling)
            if elapsed <= fast_time:
                self.rate = rate + FAST_RISE * self.ceiling * elapsed
                return
            rate, elapsed = knee, elapsed - fast_time
        self.rate = min(self.ceiling, rate + SLOW_RISE * self.ceiling * elapsed)
