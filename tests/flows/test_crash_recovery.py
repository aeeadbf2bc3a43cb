"""A run killed with SIGKILL, then rerun; two runs at once, one killed: nothing is lost.

`chartcascade sync` runs as a user runs it, in a subprocess, against the sandbox served on a
local port and the Prefect test server; the test kills it mid-run with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chartcascade.flows.summary import artifact_key

pytestmark = pytest.mark.prefect

BIN = Path(sys.executable).parent
CHARTS = {"global-28": 30, "top-100-global": 24}
RUN_TIMEOUT = 300.0

# The series each stage stores, as `audience_check` names it (entity kind, series).
SERIES_STAGES = {
    "track-audience-spotify": ("track", "audience:spotify"),
    "track-audience-youtube": ("track", "audience:youtube"),
    "track-audience-shazam": ("track", "audience:shazam"),
    "track-airplay": ("track", "airplay"),
    "artist-audience-spotify": ("artist", "audience:spotify"),
    "artist-audience-youtube": ("artist", "audience:youtube"),
    "artist-audience-instagram": ("artist", "audience:instagram"),
    "artist-audience-tiktok": ("artist", "audience:tiktok"),
    "artist-listening-spotify": ("artist", "listening:spotify"),
}


@pytest.fixture
def served(prefect_api: str, tmp_path: Path) -> Iterator[tuple[Any, dict[str, str]]]:
    """The sandbox (with some latency, so a run lasts long enough to be killed) served on a
    local port, and the environment a user's shell would have for it."""
    from chartcascade.limits import ensure_rate_limit
    from chartcascade.sandbox import Sandbox, SandboxConfig, SandboxWorld
    from chartcascade.settings import get_settings

    world = SandboxWorld(seed=23, n_songs=90, n_artists=45, chart_sizes=CHARTS)
    sandbox = Sandbox(world=world, config=SandboxConfig(latency_ms=40))
    database = tmp_path / "cascade.db"
    with sandbox.serve() as base_url:
        env = {
            **os.environ,
            "SOUNDCHARTS_BASE_URL": base_url,
            "SOUNDCHARTS_TOKEN_URL": f"{base_url}/oauth/token",
            "SOUNDCHARTS_APP_ID": sandbox.config.app_id,
            "SOUNDCHARTS_API_KEY": sandbox.config.api_key,
            "DATABASE_URL": f"sqlite:///{database}",
            "PREFECT_API_URL": prefect_api,
            "CHARTCASCADE_RATE_LIMIT_PER_SECOND": "1000",
            "CHARTCASCADE_RATE_LIMIT_BURST": "200",
            "CHARTCASCADE_MAX_PARALLEL_REQUESTS": "4",
            "COLUMNS": "160",
        }
        for name in ("SOUNDCHARTS_CLIENT_ID", "SOUNDCHARTS_CLIENT_SECRET"):
            env.pop(name, None)
        previous = dict(os.environ)
        os.environ.update(env)
        get_settings.cache_clear()
        try:
            ensure_rate_limit(get_settings())
        finally:
            os.environ.clear()
            os.environ.update(previous)
            get_settings.cache_clear()
        yield sandbox, env


def start_sync(env: dict[str, str], chart: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(BIN / "chartcascade"), "sync", chart],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def run_sync(env: dict[str, str], chart: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "chartcascade"), "sync", chart],
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )


def database_path(env: dict[str, str]) -> str:
    return env["DATABASE_URL"].removeprefix("sqlite:///")


def query(env: dict[str, str], sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """Read the run's SQLite file as an outside observer (no project code)."""
    path = database_path(env)
    if not Path(path).exists():
        return []
    with sqlite3.connect(path, timeout=30) as connection:
        try:
            return list(connection.execute(sql, args))
        except sqlite3.OperationalError:  # tables not created yet
            return []


def checked_series(env: dict[str, str]) -> int:
    rows = query(env, "SELECT count(*) FROM audience_check WHERE checked_at > '1971-01-01'")
    return int(rows[0][0]) if rows else 0


def wait_until(condition: Any, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, "the run ended before it could be killed mid-way"
        time.sleep(0.05)
    raise AssertionError("the run made no progress in time")


def kill(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def stored_items(env: dict[str, str], tracks: list[str], artists: list[str]) -> dict[str, set[str]]:
    """What the database holds, per stage, for these tracks and artists (read with plain SQL)."""
    found: dict[str, set[str]] = {}
    rows = query(env, "SELECT uuid FROM track WHERE metadata_fetched_at IS NOT NULL")
    found["track-metadata"] = {r[0] for r in rows} & set(tracks)
    rows = query(env, "SELECT uuid FROM artist WHERE metadata_fetched_at IS NOT NULL")
    found["artist-metadata"] = {r[0] for r in rows} & set(artists)
    checks = query(
        env,
        "SELECT entity_kind, series, entity_uuid FROM audience_check "
        "WHERE checked_at > '1971-01-01'",
    )
    for stage, (kind, series) in SERIES_STAGES.items():
        scope = set(tracks if kind == "track" else artists)
        found[stage] = {u for k, s, u in checks if (k, s) == (kind, series) and u in scope}
    return found


def latest_stages(chart: str) -> dict[str, dict[str, int]]:
    """The newest stages table artifact of the chart's runs, from the Prefect API."""
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    key = artifact_key("sync", chart, "stages")
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort="CREATED_DESC",
            limit=1,
        )
    assert artifacts, f"no {key} artifact"
    data = artifacts[0].data
    rows = json.loads(data) if isinstance(data, str) else data
    return {row["stage"]: row for row in rows}


def fetches_per_entity(sandbox: Any) -> Counter[tuple[str, ...]]:
    """How often each entity (each series of it, each airplay day) was asked for."""
    counts: Counter[tuple[str, ...]] = Counter()
    for endpoint, params, asked in sandbox.ledger.requests:
        key = (endpoint, *(f"{k}={v}" for k, v in sorted(params.items())))
        if endpoint == "broadcast_groups":
            key += (asked.get("startDate", ""),)
        if "offset" in asked and asked["offset"] not in ("", "0"):
            key += (f"offset={asked['offset']}",)
        counts[key] += 1
    return counts


def chart_scope(world: Any, chart: str) -> tuple[list[str], list[str]]:
    tracks = [e["song"]["uuid"] for e in world.ranking(chart) if e.get("position")]
    tracks += [e["song"]["uuid"] for e in world.ranking(chart) if not e.get("position")]
    tracks = list(dict.fromkeys(tracks))
    artists = list(dict.fromkeys(a for t in tracks for a in world.song_artist_uuids(t)))
    return tracks, artists


def missing(env: dict[str, str], tracks: list[str], artists: list[str]) -> dict[str, int]:
    """Per stage, how many items of the scope the database still lacks."""
    stored = stored_items(env, tracks, artists)
    scope = {stage: set(tracks if stage.startswith("track") else artists) for stage in stored}
    return {stage: len(scope[stage] - stored[stage]) for stage in stored}


def documented_absent(env: dict[str, str]) -> int:
    rows = query(env, "SELECT count(*) FROM audience_check WHERE status != 'ok'")
    return int(rows[0][0]) if rows else 0


def test_sync_killed_mid_run_then_rerun_completes_without_refetching(
    served: tuple[Any, dict[str, str]], tmp_path: Path
) -> None:
    sandbox, env = served
    tracks, artists = chart_scope(sandbox.world, "global-28")
    total_series = len(tracks) * 4 + len(artists) * 5

    first = start_sync(env, "global-28", tmp_path / "killed.log")
    wait_until(lambda: checked_series(env) >= total_series // 4, first)
    kill(first)

    before = stored_items(env, tracks, artists)
    assert 0 < checked_series(env) < total_series, "killed too late to test anything"
    rerun = run_sync(env, "global-28")

    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    assert "Traceback" not in rerun.stdout + rerun.stderr
    assert missing(env, tracks, artists) == dict.fromkeys(before, 0)
    stages = latest_stages("global-28")
    for stage, items in before.items():
        row = stages[stage]
        # Fresh means stored by the killed run: exactly those, and nothing counted twice.
        assert row["skipped_fresh"] == len(items), (stage, row, len(items))
        assert row["done_elsewhere"] == 0 and row["left_undone"] == 0 and row["failed"] == 0
        scope = len(tracks if stage.startswith("track") else artists)
        assert row["new"] + row["updated"] + row["skipped_fresh"] == scope, (stage, row)
    worst = fetches_per_entity(sandbox).most_common(3)
    assert worst[0][1] <= 2, worst


def test_two_runs_sharing_artists_one_killed_the_other_completes_what_it_held(
    served: tuple[Any, dict[str, str]], tmp_path: Path
) -> None:
    sandbox, env = served
    a_tracks, a_artists = chart_scope(sandbox.world, "global-28")
    b_tracks, b_artists = chart_scope(sandbox.world, "top-100-global")
    shared = set(a_artists) & set(b_artists)
    assert shared, "the two charts must share artists"
    shared_claims = [f"artist-metadata/{a}" for a in shared]
    shared_claims += [f"{stage}/{a}" for stage in SERIES_STAGES for a in shared]

    # Slow answers while the doomed run works, so it holds each claim for a while and is
    # caught holding shared ones however fast the stages themselves have become (CI saw a
    # run finish its shared artists between two polls at the usual 40 ms).
    sandbox.config.latency_ms = 400
    doomed = start_sync(env, "global-28", tmp_path / "doomed.log")
    wait_until(lambda: bool(query(env, "SELECT owner FROM work_claim")), doomed)
    doomed_owner = query(env, "SELECT owner FROM work_claim")[0][0]

    def doomed_claims() -> set[str]:
        rows = query(env, "SELECT key FROM work_claim WHERE owner = ?", doomed_owner)
        return {r[0] for r in rows} & set(shared_claims)

    # Started together, either run may reach the shared artists first (CI saw the survivor
    # win them all). So the doomed run is frozen (SIGSTOP) while it holds some, the survivor
    # starts and gets to work beside it, then the frozen run is killed.
    wait_until(lambda: bool(doomed_claims()), doomed)
    os.killpg(doomed.pid, signal.SIGSTOP)
    sandbox.config.latency_ms = 40
    held = doomed_claims()
    survivor = start_sync(env, "top-100-global", tmp_path / "survivor.log")
    others = "SELECT count(*) FROM work_claim WHERE owner != ?"
    wait_until(lambda: query(env, others, doomed_owner)[0][0] > 0, survivor)
    assert doomed_claims() == held, "a stopped run changed its claims"
    kill(doomed)
    survivor.wait(timeout=RUN_TIMEOUT)

    output = (tmp_path / "survivor.log").read_text()
    assert survivor.returncode == 0, output[-4000:]
    assert missing(env, b_tracks, b_artists) == dict.fromkeys(SERIES_STAGES, 0) | {
        "track-metadata": 0,
        "artist-metadata": 0,
    }
    stages = latest_stages("top-100-global")
    assert all(row["left_undone"] == 0 and row["failed"] == 0 for row in stages.values())
    assert held, "the killed run held nothing the survivor needed"
    stored = stored_items(env, b_tracks, b_artists)
    for key in held:
        stage, uuid = key.split("/", 1)
        assert uuid in stored[stage], key
