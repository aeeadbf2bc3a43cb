"""Random and targeted faults: statuses, timeouts, malformed bodies, missing fields, latency."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from chartcascade.sandbox import Sandbox, SandboxWorld

PLATFORMS = "/api/v2/chart/song/platforms"


def test_fault_rate_answers_configured_statuses(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.config.fault_rate = 0.3
    sandbox.config.fault_statuses = (500, 503)
    statuses = [client.get(PLATFORMS).status_code for _ in range(400)]
    faults = [s for s in statuses if s != 200]

    assert 80 < len(faults) < 160
    assert set(faults) == {500, 503}


def test_fault_bodies_use_the_error_envelope(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.config.fault_rate = 1.0
    sandbox.config.fault_statuses = (502,)
    answer = client.get(PLATFORMS)

    assert answer.status_code == 502
    assert answer.json() == {"errors": [{"key": "server", "code": 502, "message": "Bad gateway."}]}


def test_fault_sequence_is_seeded(world: SandboxWorld) -> None:
    def run() -> list[int]:
        sandbox = Sandbox(world)
        sandbox.config.fault_rate = 0.5
        client = httpx.Client(transport=sandbox.transport(), headers=_legacy())
        return [client.get(f"http://x{PLATFORMS}").status_code for _ in range(50)]

    assert run() == run()


def test_timeout_rate_raises_read_timeout(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.config.timeout_rate = 1.0

    with pytest.raises(httpx.ReadTimeout):
        client.get(PLATFORMS)
    assert sandbox.statuses[("chart_platforms", 0)] == 1


def test_malformed_rate_truncates_json(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.config.malformed_rate = 1.0
    answer = client.get(PLATFORMS)

    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.content)


def test_inject_status_hits_only_the_targeted_uuid(
    sandbox: Sandbox, client: httpx.Client, world: SandboxWorld
) -> None:
    target, other = world.song_uuids[:2]
    sandbox.inject("song", uuid=target, kind=503, times=2)

    assert client.get(f"/api/v2.25/song/{other}").status_code == 200
    assert [client.get(f"/api/v2.25/song/{target}").status_code for _ in range(3)] == [
        503,
        503,
        200,
    ]


def test_inject_missing_field_drops_object_uuid(
    sandbox: Sandbox, client: httpx.Client, world: SandboxWorld
) -> None:
    uuid = world.artist_uuids[0]
    sandbox.inject("artist", kind="missing_field")
    damaged = client.get(f"/api/v2.9/artist/{uuid}").json()
    intact = client.get(f"/api/v2.9/artist/{uuid}").json()

    assert "uuid" not in damaged["object"]
    assert damaged["object"]["name"] == intact["object"]["name"]
    assert intact["object"]["uuid"] == uuid


def test_inject_missing_field_drops_collection_items(
    sandbox: Sandbox, client: httpx.Client
) -> None:
    sandbox.inject("ranking", uuid="global-28", kind="missing_field")
    body = client.get("/api/v2.14/chart/song/global-28/ranking/latest").json()

    assert "items" not in body
    assert body["page"]["total"] == 203  # 200 charted, 3 that left the chart


def test_inject_malformed(sandbox: Sandbox, client: httpx.Client, world: SandboxWorld) -> None:
    sandbox.inject("song", kind="malformed")
    answer = client.get(f"/api/v2.25/song/{world.song_uuids[0]}")

    assert answer.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        answer.json()


def test_inject_timeout(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.inject("chart_list", uuid="spotify", kind="timeout")

    with pytest.raises(httpx.ReadTimeout):
        client.get("/api/v2/chart/song/by-platform/spotify")
    assert client.get("/api/v2/chart/song/by-platform/spotify").status_code == 200


def test_inject_rate_limited_429_carries_reset(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.inject("chart_platforms", kind="429-rate")
    answer = client.get(PLATFORMS)

    assert answer.status_code == 429
    assert answer.headers["x-ratelimit-reset"] == "1"
    assert answer.json()["errors"][0]["key"] == "rate_limit"


def test_inject_token_failure(sandbox: Sandbox) -> None:
    sandbox.inject("token", kind=500)
    client = httpx.Client(transport=sandbox.transport())
    url = "https://account.soundcharts.com/oauth/token"
    form = {"grant_type": "client_credentials"}

    assert client.post(url, auth=("soundcharts", "soundcharts"), data=form).status_code == 500
    assert client.post(url, auth=("soundcharts", "soundcharts"), data=form).status_code == 200


def test_inject_rejects_unknown_kind_and_endpoint(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        sandbox.inject("song", kind="explode")
    with pytest.raises(ValueError, match="unknown endpoint"):
        sandbox.inject("songs", kind=500)


def test_faulted_requests_are_not_charged(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.config.quota = 10
    sandbox.inject("chart_platforms", kind=500, times=3)
    [client.get(PLATFORMS) for _ in range(3)]

    assert sandbox.config.quota == 10
    assert sandbox.billable["chart_platforms"] == 0


def test_latency_is_slept(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.config.latency_ms = 50
    started = time.monotonic()
    client.get(PLATFORMS)

    assert time.monotonic() - started >= 0.05


def _legacy() -> dict[str, str]:
    return {"x-app-id": "soundcharts", "x-api-key": "soundcharts"}
