"""A 429 pauses every thread of the process and lowers its pace; a silent Prefect API stops
the threads with `RateLimiterUnavailable`, a limit others hold is waited for; granted slots
expire once the server freed them."""

from __future__ import annotations

import contextvars
import socket
import threading
import time
from collections.abc import Iterator
from uuid import uuid4

import pytest
from prefect import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings

from chartcascade.sandbox import Sandbox
from chartcascade.settings import Settings
from chartcascade.soundcharts import SoundchartsClient
from chartcascade.tasks.budget import CallBudget, CallMeter, RateBudget, RateLimiterUnavailable

from .rate_load import SANDBOX_KEY

pytestmark = pytest.mark.prefect

RATE = 20.0  # the Prefect limit's refill, slots per second


def fresh_limit(burst: int, refill: float = RATE) -> str:
    name = f"test-pause-{uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(
            name, limit=burst, slot_decay_per_second=refill
        )
    return name


def test_a_429_pauses_every_thread_for_the_reset_and_slows_the_process(
    sandbox: Sandbox, prefect_api: str
) -> None:
    pool = RateBudget(fresh_limit(burst=10), 5, 60.0, refill=RATE)
    stop_at = time.monotonic() + 6.0
    with sandbox.serve() as base_url:
        settings = Settings(_env_file=None, base_url=base_url)  # type: ignore[call-arg]

        def work() -> None:
            meter = CallMeter(CallBudget(None), pool)
            with SoundchartsClient(
                settings,
                credentials=SANDBOX_KEY,
                before_request=meter.before_request,
                on_rate_limit=meter.rate_limited,
            ) as client:
                while time.monotonic() < stop_at:
                    client.song_chart_platforms()

        threads = [threading.Thread(target=work) for _ in range(16)]
        for thread in threads:
            thread.start()
        time.sleep(2.0)
        sandbox.inject("chart_platforms", kind="429-rate")  # answers x-ratelimit-reset: 1
        for thread in threads:
            thread.join()
    pool.close()
    log = [(t, status) for t, endpoint, status in sandbox.request_log if endpoint != "token"]
    limited_at = next(t for t, status in log if status == 429)
    after = [t for t, _ in log if t > limited_at]

    # The reset (1 s) plus the client's margin (0.5 s): no thread sent in between.
    assert after[0] - limited_at >= 1.5
    assert pool.pace.slowdowns == 1
    assert [s for _, s in log].count(429) == 1


@pytest.fixture
def silent_prefect_api() -> Iterator[str]:
    """An address that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/api"


def test_a_silent_prefect_api_stops_every_waiting_thread(silent_prefect_api: str) -> None:
    errors: list[BaseException] = []
    with temporary_settings(updates={PREFECT_API_URL: silent_prefect_api}):
        pool = RateBudget("test-silent", 5, 60.0, refill=RATE, timeout=1.0)

        def spend() -> None:
            try:
                pool.spend()
            except BaseException as exc:  # noqa: BLE001 - the test looks at it
                errors.append(exc)

        started = time.monotonic()
        threads = [  # each thread in this context, where the silent API is Prefect's
            threading.Thread(target=contextvars.copy_context().run, args=(spend,)) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        waited = time.monotonic() - started
    pool.close(timeout=0)

    assert len(errors) == 4
    assert all(isinstance(error, RateLimiterUnavailable) for error in errors), errors
    assert "test-silent" in str(errors[0]) and "within 1 s" in str(errors[0])
    assert waited < 5.0


def test_a_limit_held_by_others_is_waited_for_past_the_timeout(prefect_api: str) -> None:
    # Another process took the whole burst (5 slots at 0.5/s: free again 10 s on). The server
    # denies every request meanwhile, which is an answer, not a stall: the pool waits past its
    # 3-s timeout and gets the chunk once it is free.
    name = fresh_limit(burst=5, refill=0.5)
    with get_client(sync_client=True) as client:
        client.increment_concurrency_slots(names=[name], slots=5, mode="rate_limit")
    pool = RateBudget(name, 5, 60.0, refill=0.5, timeout=3.0)
    started = time.monotonic()

    pool.spend()

    waited = time.monotonic() - started
    pool.close()
    assert waited >= 8.0, waited
    assert pool.denials > 0 and pool.acquisitions >= 1


def test_grants_that_expire_before_their_turn_stop_the_threads(prefect_api: str) -> None:
    # Every grant is already over when it arrives (as when the Prefect server answers slower
    # than a grant lasts): the server keeps answering, yet no slot is usable, so the waiting
    # threads stop after `starved` + `timeout` seconds instead of taking chunks forever.
    pool = RateBudget(fresh_limit(burst=5), 5, 1e-6, refill=RATE, timeout=1.0, starved=2.0)
    started = time.monotonic()

    with pytest.raises(RateLimiterUnavailable, match="could be used within"):
        pool.spend()

    waited = time.monotonic() - started
    pool.close()
    assert 3.0 <= waited < 10.0, waited
    assert pool.acquisitions >= 2


def test_slots_expire_once_the_server_has_freed_them(prefect_api: str) -> None:
    # Burst 10, refill 10/s: two chunks of 5 (the second prefetched) are free on the server
    # after 1 s at the latest, so a spend after that needs a third grant.
    pool = RateBudget(fresh_limit(burst=10, refill=10.0), 5, 60.0, refill=10.0)
    pool.spend()
    deadline = time.monotonic() + 5.0
    while pool.acquisitions < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.acquisitions == 2
    time.sleep(1.1)

    pool.spend()

    assert pool.acquisitions == 3
    pool.close()


def test_a_slowed_process_keeps_its_pace_as_its_slots_expire(prefect_api: str) -> None:
    # Burst 5 at 20/s: a chunk is free on the server (and expires here) 0.25 s after its
    # grant, before a pace of a few requests per second has spent it. Each spend should still
    # come at the pace, a fresh chunk being asked for as the old one expires.
    pool = RateBudget(fresh_limit(burst=5), 5, 60.0, refill=RATE)
    for _ in range(3):  # three 429s in a row: the pace falls to an eighth of the ceiling
        pool.rate_limited(0.05)
        time.sleep(0.06)
    slowest = pool.pace.rate  # the pace only rises from here
    spends = 8
    started = time.monotonic()

    for _ in range(spends):
        pool.spend()

    assert slowest <= RATE / 4
    assert time.monotonic() - started <= spends / slowest + 0.4
    assert pool.acquisitions >= 2
    pool.close()
