"""The per-window rate limit and the quota, with their headers and bodies."""

from __future__ import annotations

import time

import httpx

from chartcascade.sandbox import Sandbox, SandboxConfig, SandboxWorld

from .conftest import BASE_URL, LEGACY

PLATFORMS = "/api/v2/chart/song/platforms"
RATE_LIMITED = {
    "errors": [
        {
            "key": "rate_limit",
            "code": 429,
            "message": "You have reached the maximum request count per minute.",
        }
    ]
}
QUOTA_REACHED = {"errors": [{"key": "quota", "code": 429, "message": "Maximum quota reached"}]}


def _client(world: SandboxWorld, **config: object) -> tuple[Sandbox, httpx.Client]:
    sandbox = Sandbox(world, SandboxConfig(**config))  # type: ignore[arg-type]
    return sandbox, httpx.Client(base_url=BASE_URL, transport=sandbox.transport(), headers=LEGACY)


def test_rate_limit_answers_429_with_reset(world: SandboxWorld) -> None:
    _, client = _client(world, rate_limit=3, rate_window_seconds=60.0)
    answers = [client.get(PLATFORMS) for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json() == RATE_LIMITED
    assert answers[3].headers["x-ratelimit-reset"] in ("59", "60")


def test_rate_limit_recovers_after_the_window(world: SandboxWorld) -> None:
    _, client = _client(world, rate_limit=2, rate_window_seconds=0.3)
    first = [client.get(PLATFORMS).status_code for _ in range(3)]
    time.sleep(0.35)
    later = client.get(PLATFORMS)

    assert first == [200, 200, 429]
    assert later.status_code == 200


def test_rate_limit_reset_is_at_least_one_second(world: SandboxWorld) -> None:
    _, client = _client(world, rate_limit=1, rate_window_seconds=0.2)
    client.get(PLATFORMS)

    assert client.get(PLATFORMS).headers["x-ratelimit-reset"] == "1"


def test_rate_limit_can_be_switched_on_at_runtime(world: SandboxWorld) -> None:
    sandbox, client = _client(world)
    client.get(PLATFORMS)
    sandbox.config.rate_limit = 1

    assert [client.get(PLATFORMS).status_code for _ in range(2)] == [200, 429]


def test_quota_counts_down_to_429(world: SandboxWorld) -> None:
    sandbox, client = _client(world, quota=3)
    answers = [client.get(PLATFORMS) for _ in range(4)]

    assert [a.headers["x-quota-remaining"] for a in answers] == ["2", "1", "0", "0"]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[3].json() == QUOTA_REACHED
    assert sandbox.config.quota == 0


def test_failed_requests_are_not_charged(world: SandboxWorld) -> None:
    sandbox, client = _client(world, quota=5)
    missing = client.get("/api/v2.25/song/unknown")
    bad = client.get("/api/v2/chart/song/by-platform/nope")

    assert (missing.status_code, bad.status_code) == (404, 400)
    assert missing.headers["x-quota-remaining"] == "5"
    assert sandbox.config.quota == 5


def test_unlimited_quota_reports_a_large_countdown(client: httpx.Client) -> None:
    first = client.get(PLATFORMS).headers["x-quota-remaining"]
    second = client.get(PLATFORMS).headers["x-quota-remaining"]

    assert (first, second) == ("999999", "999998")


def test_unauthorized_requests_do_not_use_the_rate_window(world: SandboxWorld) -> None:
    sandbox, client = _client(world, rate_limit=1)
    httpx.Client(base_url=BASE_URL, transport=sandbox.transport()).get(PLATFORMS)

    assert client.get(PLATFORMS).status_code == 200
