"""Chart schedules on a real Prefect server: `schedule add/pause/resume/list/remove` from the
CLI, the scheduled runs the server creates from them, and `prefect deploy --all` and `serve`
keeping what the CLI added."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from prefect import get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.settings import PREFECT_API_URL, temporary_settings

from chartcascade.deploy.schedules import served_deployments
from tests.integration.processes import BIN, REPO, Processes, free_port, wait_for_api
from tests.integration.test_deployments_on_server import base_env

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

ADDED = "viral-50-global"  # not in prefect.yaml: `schedule add` creates its deployment
IN_FILE = "top-100-global"  # a default chart: `schedule add` changes its schedule
SCHEDULED_WITHIN = 60.0


def file_options(chart: str | None = None) -> dict[str, Any]:
    """The chart options prefect.yaml gives a chart (default: a chart not in the file)."""
    loaded = yaml.safe_load((REPO / "prefect.yaml").read_text())
    for spec in loaded["deployments"]:
        if chart and spec.get("parameters", {}).get("chart") == chart:
            return dict(spec["parameters"]["options"])
    return dict(loaded["definitions"]["options"]["chart"])


def chart_schedules(client: Any) -> dict[str, tuple[Any, Any]]:
    """Chart -> (its deployment, its schedules), for every sync-chart deployment."""
    flows = {f.id: f.name for f in client.read_flows()}
    return {
        d.parameters["chart"]: (d, d.schedules)
        for d in client.read_deployments()
        if flows[d.flow_id] == "sync-chart"
    }


def scheduled_runs(client: Any, deployment_id: Any) -> list[Any]:
    return client.read_flow_runs(
        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
        flow_run_filter=FlowRunFilter(
            state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
        ),
    )


def wait_for_scheduled_runs(client: Any, deployment_id: Any) -> list[Any]:
    deadline = time.monotonic() + SCHEDULED_WITHIN
    while time.monotonic() < deadline:
        runs = scheduled_runs(client, deployment_id)
        if runs:
            return runs
        time.sleep(1)
    raise AssertionError(f"no scheduled run of {deployment_id} within {SCHEDULED_WITHIN:.0f} s")


def test_chart_schedules_on_a_prefect_server(tmp_path: Path) -> None:
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = base_env(tmp_path / "prefect-home", api_url)
    processes = Processes(tmp_path)
    cli = [str(BIN / "chartcascade"), "schedule"]
    try:
        server = processes.start(
            "server",
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1"]
            + ["--port", str(port), "--no-ui"],
            env
            | {
                "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
                "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
            },
        )
        wait_for_api(api_url, server, timeout=120)
        pool = ["work-pool", "create", "chartcascade-process", "--type", "process"]
        processes.run("pool", [str(BIN / "prefect"), *pool], env, 60)
        deploy = [str(BIN / "prefect"), "--no-prompt", "deploy", "--all"]
        processes.run("deploy", deploy, env, 180)
        processes.run(
            "add-1",
            [*cli, "add", ADDED, "--cron", "0 6 * * *", "--timezone", "Europe/Paris"]
            + ["-o", "track_platforms=spotify", "-o", "top_n=5"],
            env,
            60,
        )
        processes.run(
            "add-2",
            [*cli, "add", IN_FILE, "--cron", "45 8 * * 1-5", "-o", "artist_platforms=spotify"],
            env,
            60,
        )
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            with get_client(sync_client=True) as client:
                added = chart_schedules(client)
            processes.run("pause", [*cli, "pause", ADDED], env, 60)
            with get_client(sync_client=True) as client:
                paused = chart_schedules(client)
                in_file_runs = wait_for_scheduled_runs(client, paused[IN_FILE][0].id)
                runs_while_paused = scheduled_runs(client, paused[ADDED][0].id)
            served_while_paused = {d.name: d for d in served_deployments()}
            processes.run("resume", [*cli, "resume", ADDED], env, 60)
            with get_client(sync_client=True) as client:
                resumed = chart_schedules(client)
                added_runs = wait_for_scheduled_runs(client, resumed[ADDED][0].id)
            listed = processes.run("list", [*cli, "list"], env | {"COLUMNS": "80"}, 60)
            processes.run("pause-in-file", [*cli, "pause", IN_FILE], env, 60)
            processes.run("redeploy", deploy, env, 180)
            with get_client(sync_client=True) as client:
                redeployed = chart_schedules(client)
            processes.run("remove", [*cli, "remove", ADDED], env, 60)
            with get_client(sync_client=True) as client:
                removed = chart_schedules(client)
    finally:
        processes.stop_all()

    added_options = file_options() | {"track_platforms": ["spotify"], "top_n": 5}
    in_file_options = file_options(IN_FILE) | {"artist_platforms": ["spotify"]}
    added_params = {"chart": ADDED, "options": added_options}
    in_file_params = {"chart": IN_FILE, "options": in_file_options}

    # Each chart's schedule carries the chart and its own options.
    deployment, [schedule] = added[ADDED]
    assert deployment.name == ADDED and deployment.work_pool_name == "chartcascade-process"
    assert deployment.global_concurrency_limit.limit == 1
    assert (schedule.slug, schedule.schedule.cron, schedule.schedule.timezone) == (
        ADDED,
        "0 6 * * *",
        "Europe/Paris",
    )
    assert schedule.parameters == added_params
    deployment, [schedule] = added[IN_FILE]
    assert deployment.name == "apple-music-top-100-global"
    assert deployment.parameters == in_file_params  # a Quick run from the UI starts the same
    assert (schedule.slug, schedule.schedule.cron) == (IN_FILE, "45 8 * * 1-5")
    assert schedule.parameters == in_file_params

    # Pausing one chart pauses only that chart; its scheduled runs are gone meanwhile.
    assert {chart: [s.active for s in pair[1]] for chart, pair in paused.items()} == {
        chart: [chart != ADDED] for chart in added
    }
    assert runs_while_paused == []
    assert served_while_paused[ADDED].schedules[0].active is False
    assert [s.active for s in served_while_paused["apple-music-top-100-global"].schedules] == [True]
    assert all(all(s.active for s in pair[1]) for pair in resumed.values())
    assert [s.parameters for s in resumed[ADDED][1]] == [added_params]  # kept through both

    # The server's scheduled runs start with each schedule's own parameters.
    assert {tuple(sorted(r.parameters)) for r in added_runs} == {("chart", "options")}
    assert all(r.parameters == added_params for r in added_runs)
    assert all(r.parameters == in_file_params for r in in_file_runs)

    [row] = [line for line in listed.splitlines() if ADDED in line]  # a whole name at 80 columns
    assert "0 6 * * *" in row and "active" in row and "top_n=5" in listed

    # A redeploy keeps the added chart and puts the file's charts back as the file says,
    # a pause excepted.
    [kept] = redeployed[ADDED][1]
    assert (kept.slug, kept.active, kept.parameters) == (ADDED, True, added_params)
    [reset] = redeployed[IN_FILE][1]
    assert (reset.slug, reset.schedule.cron, reset.active) == (IN_FILE, "15 7 * * *", False)
    assert redeployed[IN_FILE][0].parameters == {"chart": IN_FILE, "options": file_options(IN_FILE)}

    # Removing the added chart deletes its deployment; the file's charts stay.
    assert ADDED not in removed and IN_FILE in removed
