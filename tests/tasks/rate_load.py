"""Load on the shared rate limit: threads of one process calling the sandbox through the
run's `CallMeter`, as the stage tasks do; and the figures a test or benchmark reads from
the sandbox's request log.

    python -m tests.tasks.rate_load BASE_URL LIMIT_NAME SECONDS --refill R --chunk C [--local]

runs one process's load and prints its `LoadResult` as JSON (the second process of a test).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pydantic import SecretStr

from chartcascade.settings import LegacyKey, Settings
from chartcascade.soundcharts import RateLimitError, SoundchartsClient
from chartcascade.tasks.budget import CallBudget, CallMeter, RateBudget

PATH = "/api/v2/chart/song/platforms"  # one request per call, no paging
SANDBOX_KEY = LegacyKey("soundcharts", SecretStr("soundcharts"))


@dataclass
class LoadResult:
    """What one process's threads did."""

    calls: int = 0  # requests the clients sent
    gave_up: int = 0  # calls that still ended in a 429 after the client's waits
    slowdowns: int = 0  # times the process lowered its pace
    final_rate: float = 0.0  # the pace at the end
    acquisitions: int = 0  # chunks the Prefect limit granted
    denials: int = 0  # acquisition requests it refused
    hosted: bool = False  # whether this process hosted the machine's broker at the end
    started: float = 0.0  # the load's start and end in `time.monotonic()` (late when the
    ended: float = 0.0  # imports outlast the planned start on a busy machine)


def run_load(
    base_url: str,
    limit_name: str,
    seconds: float,
    *,
    refill: float,
    chunk: int,
    threads: int = 16,
    start_at: float | None = None,
    local: bool = False,
) -> LoadResult:
    """`threads` threads calling the sandbox for `seconds` through one process's pool, from
    `start_at` (a `time.time()`, so that processes start together) or now. The clients are
    built before the start (building 16 takes up to a second on a busy machine). `local`:
    through the machine's broker."""
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        base_url=base_url,
        token_url=f"{base_url}/oauth/token",
        max_rate_limit_wait_seconds=65.0,
    )
    pool = RateBudget(limit_name, chunk, max_age=60.0, refill=refill, local=local)
    result = LoadResult()
    lock = threading.Lock()
    clients = []
    for _ in range(threads):
        meter = CallMeter(CallBudget(None), pool)
        clients.append(
            SoundchartsClient(
                settings,
                credentials=SANDBOX_KEY,
                before_request=meter.before_request,
                on_rate_limit=meter.rate_limited,
            )
        )
    if start_at is not None:
        time.sleep(max(0.0, start_at - time.time()))
    result.started = time.monotonic()
    deadline = result.started + seconds

    def work(client: SoundchartsClient) -> None:
        with client:
            while time.monotonic() < deadline:
                try:
                    client.song_chart_platforms()
                except RateLimitError:
                    with lock:
                        result.gave_up += 1
        with lock:
            result.calls += client.calls_made

    workers = [threading.Thread(target=work, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.hosted = pool.hosting
    pool.close()
    result.slowdowns = pool.pace.slowdowns
    result.final_rate = pool.pace.rate
    result.ended = deadline
    result.acquisitions = pool.acquisitions
    result.denials = pool.denials
    return result


@dataclass
class WindowFigures:
    """The load as the API saw it, from its request log."""

    requests: int
    limited: int  # answered 429
    throughput: float  # answered 2xx per second over the run
    busiest_sent: int  # most requests (any answer) in one window of the API's length
    busiest_admitted: int  # most 2xx answers in one window

    def line(self, rate: float, window: float) -> str:
        allowed = round(rate * window)
        return (
            f"{self.requests} requests, {self.limited} answered 429 "
            f"({self.limited / max(1, self.requests):.1%}), throughput "
            f"{self.throughput:.2f}/s = {self.throughput / rate:.2f} R, busiest {window:g} s "
            f"window: {self.busiest_sent} sent, {self.busiest_admitted} admitted "
            f"(limit {allowed})"
        )


def window_figures(
    log: Sequence[tuple[float, str, int]], window: float, run: tuple[float, float]
) -> WindowFigures:
    """Figures of the API requests in a sandbox request log (the token endpoint left out).
    `run` is the (start, end) of the load in `time.monotonic()` (one clock for every process
    of the machine); the throughput leaves out the last second, as the requests already
    waiting for their turn at the end are sent after it."""
    entries = sorted((t, status) for t, endpoint, status in log if endpoint != "token")
    sent = [t for t, _ in entries]
    admitted = [t for t, status in entries if 200 <= status < 300]
    start, end = run[0], run[1] - 1.0
    return WindowFigures(
        requests=len(sent),
        limited=sum(1 for _, status in entries if status == 429),
        throughput=sum(1 for t in admitted if start <= t <= end) / (end - start),
        busiest_sent=busiest(sent, window),
        busiest_admitted=busiest(admitted, window),
    )


def common_span(results: Sequence[LoadResult]) -> tuple[float, float]:
    """The (start, end) in `time.monotonic()` while every process was loading."""
    return max(r.started for r in results), min(r.ended for r in results)


def start_in(seconds: float) -> tuple[float, float]:
    """A start `seconds` from now for processes to share: (`time.time()`, `time.monotonic()`)."""
    return time.time() + seconds, time.monotonic() + seconds


def busiest(times: Sequence[float], window: float) -> int:
    """Most of the sorted `times` within any half-open window (t - window, t]."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while times[first] <= moment - window:
            first += 1
        most = max(most, last - first + 1)
    return most


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url")
    parser.add_argument("limit_name")
    parser.add_argument("seconds", type=float)
    parser.add_argument("--refill", type=float, required=True)
    parser.add_argument("--chunk", type=int, required=True)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--start-at", type=float, default=None, help="a time.time() to start at")
    parser.add_argument("--local", action="store_true", help="through the machine's broker")
    args = parser.parse_args()
    result = run_load(
        args.base_url,
        args.limit_name,
        args.seconds,
        refill=args.refill,
        chunk=args.chunk,
        threads=args.threads,
        start_at=args.start_at,
        local=args.local,
    )
    print(json.dumps(asdict(result)))


if __name__ == "__main__":
    main()
