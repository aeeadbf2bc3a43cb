"""The whole operation on real parts: a Prefect server on PostgreSQL, `chartcascade setup`,
`prefect deploy --all`, two process workers, three chart runs started at once through the API
with custom parameters, and the project's own PostgreSQL database."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import pytest
from prefect import get_client
from prefect.client.schemas.actions import DeploymentUpdate
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import make_url

from chartcascade.db import get_engine
from chartcascade.sandbox import Sandbox, SandboxConfig, SandboxWorld
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.integration.checks import (
    assert_project_data,
    assert_rate_budget_held,
    deployed_as_served,
    served_as_served,
)
from tests.integration.processes import BIN, Processes, free_port, wait_for_api

pytestmark = [pytest.mark.postgres, pytest.mark.integration, pytest.mark.timeout(420)]

CHART_SIZES = {"global-28": 12, "shazam-top-200-world": 8, "airplay-daily": 8}
RUNS = {  # deployment -> the chart and the options a user would type into the UI form
    "sync-chart/spotify-global-28": {
        "chart": "global-28",
        "options": {"track_platforms": ["spotify"], "artist_platforms": ["spotify"]},
    },
    "sync-chart/shazam-top-200-world": {
        "chart": "shazam-top-200-world",
        "options": {"track_platforms": ["shazam"], "artist_platforms": ["spotify"]},
    },
    "sync-chart/airplay-daily": {
        "chart": "airplay-daily",
        "options": {"track_platforms": ["airplay"], "artist_platforms": []},
    },
}
COMMON_OPTIONS = {"listening_platforms": [], "lookback_days": 5, "airplay_lookback_days": 2}
RATE_PER_SECOND, BURST = 20, 10
RUN_TIMEOUT = 200.0


@pytest.fixture
def databases() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL databases: the Prefect server's and the project's."""
    prefect_db, project_db = create_postgres_database(), create_postgres_database()
    try:
        yield prefect_db, project_db
    finally:
        drop_postgres_database(project_db)
        drop_postgres_database(prefect_db)


def asyncpg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql+asyncpg").render_as_string(False)


def base_env(home: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "SOUNDCHARTS_"))}
    env.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_EPHEMERAL_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "INFO",
            "PREFECT_TASKS_DEFAULT_NO_CACHE": "true",
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "PREFECT_WORKER_PREFETCH_SECONDS": "2",
        }
    )
    return env


def test_three_chart_deployments_run_at_once_on_two_workers(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    prefect_db, project_db = databases
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = base_env(tmp_path / "prefect-home", api_url)
    world = SandboxWorld(seed=11, n_songs=80, n_artists=50, chart_sizes=CHART_SIZES)
    sandbox = Sandbox(world=world, config=SandboxConfig())
    processes = Processes(tmp_path)
    try:
        server = processes.start(
            "server",
            [
                str(BIN / "prefect"),
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-ui",
            ],
            env
            | {
                "PREFECT_SERVER_DATABASE_CONNECTION_URL": asyncpg_url(prefect_db),
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "200",
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "200",
                "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
                "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
            },
        )
        wait_for_api(api_url, server, timeout=120)
        with sandbox.serve() as sandbox_url:
            run_env = env | {
                "SOUNDCHARTS_BASE_URL": sandbox_url,
                "SOUNDCHARTS_TOKEN_URL": f"{sandbox_url}/oauth/token",
                "SOUNDCHARTS_APP_ID": "soundcharts",
                "SOUNDCHARTS_API_KEY": "soundcharts",
                "DATABASE_URL": project_db,
                "CHARTCASCADE_RATE_LIMIT_PER_SECOND": str(RATE_PER_SECOND),
                "CHARTCASCADE_RATE_LIMIT_BURST": str(BURST),
                "CHARTCASCADE_RETRY_DELAY_SECONDS": "0.2",
            }
            processes.run("setup", [str(BIN / "chartcascade"), "setup"], run_env, timeout=60)
            processes.run(
                "deploy", [str(BIN / "prefect"), "--no-prompt", "deploy", "--all"], env, 180
            )
            pool = ["--pool", "chartcascade-process", "--limit", "2"]
            for name in ("worker-1", "worker-2"):
                worker = [str(BIN / "prefect"), "worker", "start", *pool, "--name", name]
                processes.start(name, worker, run_env)
            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                deployed = deployed_as_served()
                keep_reports_in(tmp_path / "reports")
                run_ids = start_runs()
                states = wait_for(run_ids, processes)
                artifacts = summary_artifacts(run_ids)
    finally:
        processes.stop_all()
        get_engine(project_db).dispose()

    assert states == dict.fromkeys(RUNS, "Completed"), processes.tail()
    served = served_as_served()
    assert sorted(deployed) == sorted(served)
    for name, fields in served.items():
        for field, value in fields.items():
            assert deployed[name][field] == value, (name, field)
    submitted = sum(
        (tmp_path / f"{name}.log").read_text().count("submitted to infrastructure")
        for name in ("worker-1", "worker-2")
    )
    # Which worker polls first is timing; together they must have run every flow.
    assert submitted >= len(RUNS), "the pool's workers ran the flows"
    assert {name: f"sync-{p['chart']}-summary" in artifacts[name] for name, p in RUNS.items()} == (
        dict.fromkeys(RUNS, True)
    )
    assert_project_data(project_db, sandbox, CHART_SIZES)
    busiest = assert_rate_budget_held(
        sandbox.request_log, rate=RATE_PER_SECOND, burst=BURST, processes=len(RUNS)
    )
    (tmp_path / "rate.txt").write_text(f"{len(sandbox.request_log)} requests; busiest {busiest}")


def keep_reports_in(folder: Path) -> None:
    """The report runs that follow each chart run write outside the repository."""
    with get_client(sync_client=True) as client:
        report = client.read_deployment_by_name("chart-report/after-chart-sync")
        parameters = {**report.parameters, "output_dir": str(folder)}
        client.update_deployment(report.id, DeploymentUpdate(parameters=parameters))


def start_runs() -> dict[str, UUID]:
    """One run per chart deployment, all at once, with parameters as the UI form sends them."""
    with get_client(sync_client=True) as client:
        return {
            name: client.create_flow_run_from_deployment(
                client.read_deployment_by_name(name).id,
                parameters={
                    "chart": params["chart"],
                    "options": {**COMMON_OPTIONS, **params["options"]},
                },
            ).id
            for name, params in RUNS.items()
        }


def wait_for(run_ids: dict[str, UUID], processes: Processes) -> dict[str, str]:
    """Each run's final state name (or its state when the time is up)."""
    deadline = time.monotonic() + RUN_TIMEOUT
    with get_client(sync_client=True) as client:
        while True:
            runs = {name: client.read_flow_run(run_id) for name, run_id in run_ids.items()}
            if all(r.state and r.state.is_final() for r in runs.values()):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(2)
    return {name: (r.state.name if r.state else "?") or "?" for name, r in runs.items()}


def summary_artifacts(run_ids: dict[str, UUID]) -> dict[str, set[str]]:
    """Deployment -> the keys of its run's markdown artifacts."""
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=list(run_ids.values()))
            )
        )
    keys: dict[str, set[str]] = {name: set() for name in run_ids}
    names = {run_id: name for name, run_id in run_ids.items()}
    for artifact in artifacts:
        if artifact.type == "markdown" and artifact.key and artifact.flow_run_id in names:
            keys[names[artifact.flow_run_id]].add(artifact.key)
    return keys
