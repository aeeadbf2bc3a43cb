"""Counters, the request log and their exactness under concurrent use."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from chartcascade.sandbox import Sandbox, SandboxWorld

PLATFORMS = "/api/v2/chart/song/platforms"


def test_counters_by_endpoint_and_status(
    sandbox: Sandbox, client: httpx.Client, world: SandboxWorld
) -> None:
    client.get(PLATFORMS)
    client.get(f"/api/v2.25/song/{world.song_uuids[0]}")
    client.get("/api/v2.25/song/missing")
    client.get("/nowhere")

    assert sandbox.calls == {"chart_platforms": 1, "song": 2, "other": 1}
    assert sandbox.billable == {"chart_platforms": 1, "song": 1}
    assert sandbox.statuses == {
        ("chart_platforms", 200): 1,
        ("song", 200): 1,
        ("song", 404): 1,
        ("other", 404): 1,
    }
    assert [(e, s) for _, e, s in sandbox.request_log] == [
        ("chart_platforms", 200),
        ("song", 200),
        ("song", 404),
        ("other", 404),
    ]


def test_request_log_times_are_monotonic(sandbox: Sandbox, client: httpx.Client) -> None:
    for _ in range(5):
        client.get(PLATFORMS)
    times = [t for t, _, _ in sandbox.request_log]

    assert times == sorted(times)


def test_reset_counts(sandbox: Sandbox, client: httpx.Client) -> None:
    client.get(PLATFORMS)
    sandbox.reset_counts()

    assert sandbox.calls == {}
    assert sandbox.billable == {}
    assert sandbox.statuses == {}
    assert sandbox.request_log == []


def test_counters_are_exact_under_16_threads(sandbox: Sandbox, world: SandboxWorld) -> None:
    sandbox.config.fault_rate = 0.2
    sandbox.config.quota = 1000
    transport = sandbox.transport()
    headers = {"x-app-id": "soundcharts", "x-api-key": "soundcharts"}
    songs = world.song_uuids[:50]

    def work(worker: int) -> list[int]:
        with httpx.Client(transport=transport, headers=headers) as client:
            return [
                client.get(f"http://sandbox/api/v2.25/song/{songs[(worker + i) % 50]}").status_code
                for i in range(100)
            ]

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = [s for batch in pool.map(work, range(16)) for s in batch]

    ok = statuses.count(200)
    assert sandbox.calls["song"] == 1600
    assert sum(n for (e, _), n in sandbox.statuses.items() if e == "song") == 1600
    assert sandbox.billable["song"] == ok
    assert sandbox.statuses[("song", 200)] == ok
    assert len(sandbox.request_log) == 1600
    assert ok == 1000
    assert sandbox.config.quota == 0
    assert statuses.count(429) == sandbox.statuses[("song", 429)] > 0
    assert ok + statuses.count(429) + sum(statuses.count(s) for s in (500, 502, 503)) == 1600


def test_peak_in_flight_counts_requests_answered_at_once(
    sandbox: Sandbox, world: SandboxWorld
) -> None:
    sandbox.config.latency_ms = 300  # every request open long enough for all 6 to overlap
    transport = sandbox.transport()
    headers = {"x-app-id": "soundcharts", "x-api-key": "soundcharts"}
    start = threading.Barrier(6)

    def ask(n: int) -> int:
        with httpx.Client(transport=transport, headers=headers) as client:
            start.wait()
            return client.get(f"http://sandbox/api/v2.25/song/{world.song_uuids[n]}").status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert list(pool.map(ask, range(6))) == [200] * 6
    assert sandbox.peak_in_flight == 6

    with httpx.Client(transport=transport, headers=headers) as client:
        sandbox.reset_counts()
        client.get(f"http://sandbox{PLATFORMS}")
    assert sandbox.peak_in_flight == 1
