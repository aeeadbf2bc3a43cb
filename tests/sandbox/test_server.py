"""The ASGI app over real HTTP answers the same bytes as the in-process transport."""

from __future__ import annotations

import httpx
import pytest

from chartcascade.sandbox import Sandbox, SandboxWorld

from .conftest import LEGACY


def test_server_answers_the_same_bytes_as_the_transport(world: SandboxWorld) -> None:
    song = world.ranking("global-28")[0]["song"]["uuid"]
    day = world.ranking_datetimes("global-28")[1].replace("+", "%2B")
    paths = [
        f"/api/v2.14/chart/song/global-28/ranking/{day}?offset=100",
        f"/api/v2.25/song/{song}",
        f"/api/v2/song/{song}/audience/spotify?startDate=2026-10-01&endDate=2026-11-01",
        "/api/v2.9/artist/unknown",
    ]
    direct = httpx.Client(transport=Sandbox(world).transport(), headers=LEGACY)
    expected = [direct.get(f"http://sandbox{p}") for p in paths]

    with Sandbox(world).serve() as url, httpx.Client(base_url=url, headers=LEGACY) as client:
        served = [client.get(p) for p in paths]

    assert url.startswith("http://127.0.0.1:")
    assert [a.status_code for a in served] == [200, 200, 200, 404]
    assert [a.content for a in served] == [a.content for a in expected]
    assert (
        served[0]
        .json()["page"]["previous"]
        .startswith(f"/api/v2.14/chart/song/global-28/ranking/{day}?")
    )


def test_server_token_flow_and_headers(world: SandboxWorld) -> None:
    sandbox = Sandbox(world)
    with sandbox.serve() as url, httpx.Client(base_url=url) as client:
        token = client.post(
            "/oauth/token",
            auth=("soundcharts", "soundcharts"),
            data={"grant_type": "client_credentials"},
        ).json()["access_token"]
        answer = client.get(
            "/api/v2/chart/song/platforms", headers={"Authorization": f"Bearer {token}"}
        )

    assert answer.status_code == 200
    assert answer.headers["x-quota-remaining"] == "999999"
    assert answer.headers["content-type"] == "application/json"
    assert sandbox.calls == {"token": 1, "chart_platforms": 1}


def test_server_timeout_fault_outlasts_the_client(world: SandboxWorld) -> None:
    sandbox = Sandbox(world)
    sandbox.config.timeout_delay_seconds = 1.0
    sandbox.inject("chart_platforms", kind="timeout")
    with sandbox.serve() as url, httpx.Client(base_url=url, headers=LEGACY, timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get("/api/v2/chart/song/platforms")
        assert client.get("/api/v2/chart/song/platforms").status_code == 200


def test_server_stops_on_exit(world: SandboxWorld) -> None:
    with Sandbox(world).serve() as url:
        pass

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/v2/chart/song/platforms", timeout=1.0)
