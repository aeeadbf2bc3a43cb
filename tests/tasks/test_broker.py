"""One process per machine asks the Prefect limit for every process of the machine: the
others are served by it over a local socket, first asked first served, and take over when it
ends or is killed."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from uuid import uuid4

import pytest
from prefect import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings

from chartcascade.sandbox import Sandbox
from chartcascade.tasks import broker, brokered
from chartcascade.tasks.budget import RateBudget
from chartcascade.tasks.slots import MissingLimitError

from .rate_load import LoadResult, start_in, window_figures

pytestmark = [
    pytest.mark.prefect,
    pytest.mark.skipif(not broker.SUPPORTED, reason="the broker needs Linux abstract sockets"),
]

ROOT = Path(__file__).resolve().parents[2]
RATE = 20.0  # the sandbox's limit per 1-s window; the Prefect limit refills at 0.95 of it
BURST = 5


def fresh_limit(refill: float = 0.95 * RATE) -> str:
    name = f"test-broker-{uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(
            name, limit=BURST, slot_decay_per_second=refill
        )
    return name


def listening_pids(pids: list[int]) -> list[int]:
    """Which of `pids` hold a listening broker socket (read from /proc, as `ss -xl` does)."""
    inodes = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        listening = int(fields[3], 16) & 0x10000
        if len(fields) >= 8 and fields[7].startswith("@chartcascade-rate-") and listening:
            inodes.add(f"socket:[{fields[6]}]")
    holders = []
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except FileNotFoundError:  # the process has gone
            continue
        links = set()
        for fd in fds:
            try:
                links.add(os.readlink(fd))
            except FileNotFoundError:  # closed meanwhile
                continue
        if links & inodes:
            holders.append(pid)
    return holders


def spend_in_thread(pool: RateBudget, count: int, out: list[BaseException]) -> threading.Thread:
    def work() -> None:
        try:
            for _ in range(count):
                pool.spend()
        except BaseException as exc:  # noqa: BLE001 - the test reads it
            out.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_the_second_pool_is_served_by_the_first_and_takes_over_when_it_closes(
    prefect_api: str,
) -> None:
    name = fresh_limit(refill=50.0)
    first = RateBudget(name, BURST, 60.0, refill=50.0, local=True)
    second = RateBudget(name, BURST, 60.0, refill=50.0, local=True)
    first.spend()
    second.spend()
    assert (first.hosting, second.hosting) == (True, False)
    assert listening_pids([os.getpid()]) == [os.getpid()]

    first.close()
    errors: list[BaseException] = []
    spend_in_thread(second, 3 * BURST, errors).join(30)

    assert errors == []
    assert second.hosting  # it bound the socket the first one left
    assert second.acquisitions >= 4
    second.close()


def test_a_missing_limit_reaches_the_served_process_as_its_own_error(prefect_api: str) -> None:
    name = f"test-broker-missing-{uuid4().hex[:8]}"
    host = RateBudget(name, BURST, 60.0, refill=RATE, local=True)
    served = RateBudget(name, BURST, 60.0, refill=RATE, local=True)
    errors: list[BaseException] = []
    threads = [spend_in_thread(pool, 1, errors) for pool in (host, served)]
    for thread in threads:
        thread.join(30)
    host.close()
    served.close()

    assert [type(error) for error in errors] == [MissingLimitError, MissingLimitError]
    assert all(name in str(error) for error in errors)


def test_a_socket_name_taken_by_a_stranger_falls_back_to_asking_prefect(prefect_api: str) -> None:
    # Someone binds the broker's name and never listens (or accepts): the pool cannot reach
    # a broker nor host one, so it asks the Prefect API itself instead of waiting forever.
    name = fresh_limit()
    with temporary_settings(updates={PREFECT_API_URL: prefect_api}):
        address = broker.socket_address(name, BURST, 0.95 * RATE)
    squatter = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    squatter.bind(address)
    pool = RateBudget(name, BURST, 60.0, refill=0.95 * RATE, local=True)
    started = time.monotonic()
    try:
        for _ in range(2 * BURST):
            pool.spend()
    finally:
        pool.close()
        squatter.close()

    assert time.monotonic() - started < brokered.CONNECT_SECONDS + 5.0
    assert not pool.hosting
    assert pool.acquisitions >= 2  # granted by Prefect directly


def test_the_broker_process_killed_the_others_take_over_within_the_limit(
    sandbox: Sandbox, prefect_api: str
) -> None:
    # Process A starts first and so hosts the broker; B and C start later and are served by
    # it; A gets SIGKILL halfway: one of B and C binds the socket and both go on, the API
    # never seeing more than its limit in any second.
    name = fresh_limit()
    sandbox.config.rate_limit = round(RATE)
    sandbox.config.rate_window_seconds = 1.0
    sandbox.config.latency_ms = 20.0
    env = dict(os.environ, PREFECT_API_URL=prefect_api)
    with sandbox.serve() as base_url:
        base = [sys.executable, "-m", "tests.tasks.rate_load", base_url, name]
        options = ["--refill", str(0.95 * RATE), "--chunk", str(BURST), "--local"]
        a_start, a_mono = start_in(8.0)

        def start(at: float, seconds: float) -> subprocess.Popen[str]:
            command = base + [str(seconds), *options, "--start-at", str(at)]
            return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)

        a = start(a_start, 60.0)
        others = [start(a_start + 4.0, 18.0) for _ in range(2)]
        time.sleep(max(0.0, a_mono + 9.0 - time.monotonic()))
        assert listening_pids([a.pid] + [p.pid for p in others]) == [a.pid]
        a.send_signal(signal.SIGKILL)
        a.wait(10)
        killed_at = time.monotonic()
        outputs = [child.communicate(timeout=90)[0] for child in others]
    assert [child.returncode for child in others] == [0, 0]
    results = [LoadResult(**json.loads(output)) for output in outputs]
    assert sum(result.hosted for result in results) >= 1
    after = window_figures(sandbox.request_log, 1.0, (killed_at + 1.0, results[0].ended))
    whole = window_figures(sandbox.request_log, 1.0, (a_mono, results[0].ended))
    assert whole.limited == 0, whole
    assert whole.busiest_admitted <= RATE, whole
    assert after.throughput >= 0.5 * RATE, after  # served again after the handover
    assert min(result.calls for result in results) > 0
