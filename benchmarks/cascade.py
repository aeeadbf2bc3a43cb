"""Benchmark of the full chart cascade against the sandbox served on loopback.

Prints: the flow's time against a plain asyncio + httpx script making the same requests at
the same concurrency, and their ratio; calls made against the minimum; peak memory; and,
with a sandbox rate limit of R requests per second, the sustained throughput.

    .venv/bin/python benchmarks/cascade.py [--entries 200] [--latency-ms 50] [--rate 50] [--runs 5]
    .venv/bin/python benchmarks/cascade.py --limiter   # the rate limiter alone (about 6 min)

It starts (and stops) a sandbox server and a Prefect server (SQLite with the recorder
settings of prefect-notes, or PostgreSQL with --prefect-postgres URL) on free loopback ports.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from baseline import run_baseline  # noqa: E402
from databases import Databases  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHART = "global-28"
STATS = "/_sandbox/stats"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def process(args: list[str], env: dict[str, str], ready_url: str) -> Any:
    """Run a server process until the block ends."""
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            wait_for(ready_url)
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def sandbox_server(
    stack: ExitStack, args: argparse.Namespace, rate: float | None, window: float | None = None
) -> str:
    port = free_port()
    command = [
        str(BIN / "chartcascade"),
        "sandbox",
        "serve",
        "--port",
        str(port),
        "--latency-ms",
        str(args.latency_ms),
    ]
    window = args.window if window is None else window
    if rate:
        command += ["--rate-limit", str(int(rate * window)), "--rate-window", str(window)]
    url = f"http://127.0.0.1:{port}"
    stack.enter_context(process(command, dict(os.environ), f"{url}{STATS}"))
    return url


def prefect_server(stack: ExitStack, args: argparse.Namespace) -> str:
    port = free_port()
    home = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-prefect-"))
    env = dict(
        os.environ,
        PREFECT_HOME=home,
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE="200",
        PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE="200",
        PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL="1",
        PREFECT_SERVER_LOGGING_LEVEL="WARNING",
    )
    if args.prefect_postgres:
        env["PREFECT_SERVER_DATABASE_CONNECTION_URL"] = args.prefect_postgres
    url = f"http://127.0.0.1:{port}/api"
    stack.enter_context(
        process(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env,
            f"{url}/health",
        )
    )
    return url


def configure(sandbox_url: str, database_url: str, rate: float, burst: int, workers: int) -> None:
    """Point this process's settings at the sandbox, a fresh database and a rate limit."""
    os.environ.update(
        SOUNDCHARTS_BASE_URL=sandbox_url,
        SOUNDCHARTS_TOKEN_URL=f"{sandbox_url}/oauth/token",
        SOUNDCHARTS_APP_ID="soundcharts",
        SOUNDCHARTS_API_KEY="soundcharts",
        DATABASE_URL=database_url,
        CHARTCASCADE_RATE_LIMIT_PER_SECOND=str(rate),
        CHARTCASCADE_RATE_LIMIT_BURST=str(burst),
        CHARTCASCADE_MAX_PARALLEL_REQUESTS=str(workers),
    )
    from chartcascade.limits import ensure_rate_limit
    from chartcascade.settings import get_settings

    get_settings.cache_clear()
    ensure_rate_limit(get_settings())


def stats(sandbox_url: str, reset: bool = False) -> dict[str, Any]:
    response = httpx.request("POST" if reset else "GET", f"{sandbox_url}{STATS}", timeout=30)
    return dict(response.json())


FLOW_SPAN: list[float] = []
FLOW_CPU: list[float] = []  # CPU seconds of this process (every thread) per flow run


def run_flow(entries: int) -> tuple[float, Any]:
    from chartcascade.flows.sync_chart import sync_chart
    from chartcascade.options import SyncOptions

    started, cpu = time.perf_counter(), time.process_time()
    FLOW_SPAN[:] = [time.monotonic()]
    state = sync_chart(CHART, options=SyncOptions(top_n=entries), return_state=True)
    FLOW_SPAN.append(time.monotonic())
    elapsed = time.perf_counter() - started
    FLOW_CPU.append(time.process_time() - cpu)
    if not state.is_completed():
        raise RuntimeError(f"the flow ended {state.type}: {state.message}")
    return elapsed, state.result()


# The speed part's rate limit does not bind: 5,000/s, granted 50,000 at a time (one grant
# lasts 10 s, so a Prefect round trip per grant costs the run little). A limit whose grants
# last 0.2 s (burst 1,000) idles every thread for one round trip per grant: 2x slower here.
SPEED_RATE, SPEED_BURST = 5_000, 50_000


def fresh_database(stack: ExitStack, args: argparse.Namespace, workdir: Path, name: str) -> str:
    """A new empty project database: a SQLite file, or one on `--postgres`'s server."""
    if not args.postgres:
        return f"sqlite:///{workdir / name}.db"
    databases = Databases(args.postgres)
    stack.callback(databases.drop_all)
    return databases.create(f"bench_{name}_{os.getpid()}")


def speed(args: argparse.Namespace, workdir: Path) -> None:
    """`--runs` flow runs (each into a fresh database) and baseline runs, alternately."""
    flow_times: list[float] = []
    baseline_times: list[float] = []
    with ExitStack() as stack:
        sandbox_url = sandbox_server(stack, args, rate=None)
        for run in range(args.runs):
            database_url = fresh_database(stack, args, workdir, f"speed_{run}")
            configure(sandbox_url, database_url, SPEED_RATE, SPEED_BURST, args.workers)
            stats(sandbox_url, reset=True)
            order = ("flow", "baseline") if run % 2 == 0 else ("baseline", "flow")
            for side in order:
                if side == "flow":
                    flow_seconds, summary = run_flow(args.entries)
                    flow_stats = stats(sandbox_url)
                    stats(sandbox_url, reset=True)
                    flow_times.append(flow_seconds)
                else:
                    started = time.perf_counter()
                    baseline_calls = asyncio.run(
                        run_baseline(
                            sandbox_url,
                            CHART,
                            concurrency=args.workers,
                            today=datetime.now(UTC).date(),
                        )
                    )
                    baseline_times.append(time.perf_counter() - started)
                    stats(sandbox_url, reset=True)
            print(
                f"  run {run + 1}: flow {flow_times[-1]:6.2f} s, asyncio + httpx "
                f"{baseline_times[-1]:6.2f} s, ratio {flow_times[-1] / baseline_times[-1]:.3f}"
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if os.environ.get("BENCH_DUMP"):
        Path(os.environ["BENCH_DUMP"]).write_text(json.dumps(flow_stats))
    flow_calls = Counter(flow_stats["calls"])
    flow_calls.pop("token", None)
    total = sum(flow_calls.values())
    print(
        f"project database: {'PostgreSQL' if args.postgres else 'SQLite'}; "
        f"chart {CHART}, {args.entries} entries, {args.latency_ms:g} ms latency, "
        f"{args.workers} parallel requests, {args.runs} runs of each side, alternately; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  flow run:        {spread(flow_times)}  ({total} calls in the last run)")
    print(f"     its CPU time: {spread(FLOW_CPU)} (this process, every thread)")
    times = sorted(t for t, endpoint, _ in flow_stats["request_log"] if endpoint != "token")
    print(
        f"     last run: {times[0] - FLOW_SPAN[0]:.2f} s before the first API call, "
        f"{times[-1] - times[0]:.2f} s of API calls, {FLOW_SPAN[1] - times[-1]:.2f} s after "
        "the last (summary and completeness artifacts)"
    )
    print(f"  asyncio + httpx: {spread(baseline_times)}  ({baseline_calls} calls)")
    ratios = sorted(f / b for f, b in zip(flow_times, baseline_times, strict=True))
    print(f"  ratio:           {spread(ratios, unit='')}  (per run pair)")
    of_medians = statistics.median(flow_times) / statistics.median(baseline_times)
    print(f"  ratio of medians: {of_medians:.3f}")
    print(
        f"  calls made {total} vs minimum {baseline_calls} (the baseline fetches each entity "
        f"once): {'equal' if total == baseline_calls else 'DIFFERENT'}"
    )
    print(f"  calls by endpoint: {dict(sorted(flow_calls.items()))}")
    print(f"  peak memory of the benchmark process (flow runs in it): {peak_mb:.0f} MB")


def spread(values: list[float], unit: str = " s") -> str:
    """min / median / max of `values`."""
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"min {low:.2f}{unit}, median {mid:.2f}{unit}, max {high:.2f}{unit}"


def throughput(args: argparse.Namespace, workdir: Path) -> None:
    rate = args.rate
    with ExitStack() as stack:
        sandbox_url = sandbox_server(stack, args, rate=rate)
        # Sustained rate just under R; the burst is small enough that no window exceeds R.
        burst = max(2, int(0.05 * rate * args.window))
        configure(
            sandbox_url,
            fresh_database(stack, args, workdir, "rate"),
            rate=0.95 * rate,
            burst=burst,
            workers=args.workers,
        )
        seconds, _ = run_flow(args.rate_entries)
        data = stats(sandbox_url)
    log = sorted((t, status) for t, endpoint, status in data["request_log"] if endpoint != "token")
    times = [t for t, _ in log]
    span = times[-1] - times[0]
    sustained = (len(times) - 1) / span if span else float("nan")
    worst_window = max(
        sum(1 for u in times[i:] if u - t < args.window) for i, t in enumerate(times)
    )
    worst_second = max(sum(1 for u in times[i:] if u - t < 1.0) for i, t in enumerate(times))
    limited = sum(1 for _, status in log if status == 429)
    print(
        f"rate limit R = {rate:g}/s ({int(rate * args.window)} per {args.window:g} s window), "
        f"{args.rate_entries} entries"
    )
    print(
        f"  {len(times)} requests in {span:.1f} s (run {seconds:.1f} s): sustained "
        f"{sustained:.2f}/s = {sustained / rate:.2f} R"
    )
    print(
        f"  busiest {args.window:g} s window: {worst_window} requests "
        f"(limit {int(rate * args.window)}); busiest 1 s: {worst_second}; 429 answers: {limited}"
    )


# The limiter part: (R per second, window in seconds, processes, seconds of load, through the
# machine's broker).
LIMITER_CASES = [
    (20.0, 1.0, 1, 20.0, False),
    (20.0, 1.0, 2, 20.0, False),
    (5.0, 60.0, 1, 70.0, False),
    (5.0, 60.0, 2, 70.0, False),
    (20.0, 1.0, 6, 30.0, False),
    (20.0, 1.0, 2, 20.0, True),
    (5.0, 60.0, 2, 70.0, True),
    (20.0, 1.0, 6, 30.0, True),
    (100.0, 1.0, 12, 30.0, True),
]


def limiter(args: argparse.Namespace) -> None:
    """The shared rate limit alone: processes of 16 threads calling the sandbox through the
    stage tasks' meter (tests/tasks/rate_load.py), the Prefect limit at 0.95 R with the
    default burst; figures from the sandbox's request log."""
    sys.path.insert(0, str(ROOT))
    from prefect import get_client

    from chartcascade.settings import Settings
    from tests.tasks.rate_load import LoadResult, common_span, start_in, window_figures

    burst = Settings.model_fields["rate_limit_burst"].default
    only = set(args.limiter_cases) if args.limiter_cases else None
    for case, (rate, window, processes, seconds, local) in enumerate(LIMITER_CASES, 1):
        if only is not None and case not in only:
            continue
        with ExitStack() as stack:
            sandbox_url = sandbox_server(stack, args, rate=rate, window=window)
            name = f"bench-limiter-{time.monotonic_ns()}"
            with get_client(sync_client=True) as client:
                client.upsert_global_concurrency_limit_by_name(
                    name, limit=burst, slot_decay_per_second=0.95 * rate
                )
            wall_start, _ = start_in(8.0)
            command = [sys.executable, "-m", "tests.tasks.rate_load", sandbox_url, name]
            command += [str(seconds), "--refill", str(0.95 * rate), "--chunk", str(burst)]
            command += ["--start-at", str(wall_start)] + (["--local"] if local else [])
            children = [
                subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
                for _ in range(processes)
            ]
            outputs = [child.communicate(timeout=seconds + 120)[0] for child in children]
            log = [tuple(entry) for entry in stats(sandbox_url)["request_log"]]
        results = [LoadResult(**json.loads(output)) for output in outputs]
        figures = window_figures(log, window, common_span(results))  # type: ignore[arg-type]
        print(
            f"limiter: R = {rate:g}/s per {window:g} s window, {processes} process(es) x 16 "
            f"threads, Prefect limit {0.95 * rate:g}/s burst {burst} (acquired whole), "
            f"{seconds:g} s, " + ("one broker for the machine" if local else "each process asks")
        )
        print(f"  {figures.line(rate, window)}")
        shares = ", ".join(
            f"{r.calls} calls / {r.acquisitions} chunks / {r.denials} denied"
            + (" (broker)" if r.hosted else "")
            for r in results
        )
        print(f"  per process: {shares}")
        calls = [r.calls for r in results]
        denials = sum(r.denials for r in results)
        print(
            f"  fairness: fewest calls {min(calls)}, most {max(calls)}; "
            f"{denials / max(1, sum(r.acquisitions for r in results)):.1f} denials per chunk"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--runs", type=int, default=5, help="flow and baseline runs, alternately")
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument(
        "--window",
        type=float,
        default=60.0,
        help="the sandbox's rate window (the real API counts per minute)",
    )
    parser.add_argument("--rate-entries", type=int, default=200)
    parser.add_argument(
        "--prefect-postgres",
        default=None,
        help="postgresql+asyncpg://... for the Prefect server's database",
    )
    parser.add_argument(
        "--postgres",
        default=None,
        help="postgresql+psycopg://... of a server on which each run gets a fresh project "
        "database (default: a SQLite file per run)",
    )
    parser.add_argument("--skip", choices=["speed", "rate"], default=None)
    parser.add_argument(
        "--limiter",
        action="store_true",
        help="only the rate limiter: 1-s and 60-s windows, 1 to 12 processes, with and "
        "without the machine's broker",
    )
    parser.add_argument(
        "--limiter-cases",
        type=int,
        nargs="*",
        help="only these of the limiter's cases (1-based, in LIMITER_CASES)",
    )
    args = parser.parse_args()
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir, ExitStack() as stack:
        # One Prefect server for both parts: Prefect reads its API URL once per process.
        os.environ["PREFECT_API_URL"] = prefect_server(stack, args)
        if args.limiter:
            limiter(args)
            return
        if args.skip != "speed":
            speed(args, Path(workdir))
        if args.skip != "rate":
            throughput(args, Path(workdir))


if __name__ == "__main__":
    main()
