"""The report flow, and its deployment running after each chart sync through its trigger."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from prefect import flow, get_client
from prefect.artifacts import Artifact
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import Artifact as ArtifactResponse
from prefect.client.schemas.objects import FlowRun

from chartcascade.flows.report import chart_report, report_trigger
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.reports.completeness import publish_completeness
from chartcascade.settings import get_settings
from tests.reports import seed

pytestmark = pytest.mark.prefect

CHART = "viral-50-global"
DEPLOYMENT = "report-after-sync-test"
TRIGGER_NAME = str(report_trigger().name)
SERVE_SCRIPT = """
import sys
from chartcascade.flows.report import chart_report, report_trigger
chart_report.serve(
    name=sys.argv[1],
    triggers=[report_trigger()],
    parameters={"output_dir": sys.argv[2]},
    print_starting_message=False,
)
"""
WAIT_SECONDS = 40
T = TypeVar("T")


@pytest.fixture
def world(sqlite_url: str, prefect_api: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    seed.analytics_world(sqlite_url)
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    get_settings.cache_clear()
    yield sqlite_url
    get_settings.cache_clear()


def test_report_flow_writes_html_and_a_summary_artifact(world: str, tmp_path: Path) -> None:
    [path] = chart_report("c1", output_dir=str(tmp_path))
    assert Path(path) == (tmp_path / "report-c1.html").resolve()
    assert "Plotly.newPlot(" in Path(path).read_text("utf-8")
    artifact = Artifact.get("report-c1")
    assert isinstance(artifact, ArtifactResponse) and artifact.type == "markdown"
    assert f"written to `{path}`" in str(artifact.data)
    assert "| A1 | c1 | 1 | 1 |" in str(artifact.data)  # on c1 only: t1 charting


def test_report_flow_writes_csv_tables(world: str, tmp_path: Path) -> None:
    paths = chart_report(report_format="csv", output_dir=str(tmp_path))
    assert [Path(p).name for p in paths] == ["artists-all-charts.csv", "tracks-all-charts.csv"]
    assert Path(paths[0]).read_text("utf-8").count("\n") == 4  # header and three artists


def test_publish_completeness_creates_table_and_markdown_artifacts(world: str) -> None:
    flow(name="publish-completeness-test")(publish_completeness)(world, "c2")
    table = Artifact.get("completeness-c2")
    summary = Artifact.get("completeness-c2-summary")
    assert isinstance(table, ArtifactResponse) and table.type == "table"
    assert isinstance(summary, ArtifactResponse) and summary.type == "markdown"
    assert '"check": "tracks lacking metadata"' in str(table.data)
    assert "### Completeness of `c2`, ranking of 2026-03-03" in str(summary.data)


def test_report_trigger_runs_on_completed_chart_syncs() -> None:
    trigger = report_trigger()
    assert trigger.expect == {"prefect.flow-run.Completed"}
    assert trigger.match_related.model_dump() == {  # type: ignore[union-attr]
        "prefect.resource.role": "flow",
        "prefect.resource.name": "sync-chart",
    }
    assert trigger.parameters == {"chart": "{{ flow_run.parameters.chart }}"}


def _wait_for(condition: Callable[[], T | None], what: str, timeout: float = WAIT_SECONDS) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def served_report(cascade_env: str, prefect_api: str, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The report deployment with its trigger, served by a subprocess; yields (id, output dir)."""
    output = tmp_path / "served-reports"
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api,
        "DATABASE_URL": cascade_env,
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "-c", SERVE_SCRIPT, DEPLOYMENT, str(output)],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    client = get_client(sync_client=True)

    def ready() -> str | None:
        if serve.poll() is not None:
            raise AssertionError((tmp_path / "serve.log").read_text()[-3000:])
        return _deployment_with_automation(client)

    try:
        deployment = _wait_for(ready, "the served deployment and its trigger")
        yield str(deployment), output
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=15)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        log.close()
        for automation in client.read_automations_by_name(TRIGGER_NAME):
            client.delete_automation(automation.id)
        for found in client.read_deployments(limit=200):
            if found.name == DEPLOYMENT:
                client.delete_deployment(found.id)


def _deployment_with_automation(client: SyncPrefectClient) -> str | None:
    deployments = [d for d in client.read_deployments(limit=200) if d.name == DEPLOYMENT]
    automations = client.read_automations_by_name(TRIGGER_NAME)
    return str(deployments[0].id) if deployments and automations else None


def test_report_deployment_runs_when_a_chart_sync_completes(
    served_report: tuple[str, Path],
) -> None:
    deployment_id, output = served_report
    assert sync_chart(CHART, return_state=True).is_completed()
    client = get_client(sync_client=True)

    def completed_run() -> FlowRun | None:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
        return next((r for r in runs if r.state and r.state.is_final()), None)

    run = _wait_for(completed_run, "the triggered report run")
    serve_log = (output.parent / "serve.log").read_text()[-3000:]
    assert run.state_name == "Completed", f"{run.state}\n{serve_log}"
    assert run.parameters["chart"] == CHART
    report = output / f"report-{CHART}.html"
    assert report.is_file() and "Plotly.newPlot(" in report.read_text("utf-8")


def test_report_deployment_still_runs_after_a_chart_sync_with_a_failed_item(
    served_report: tuple[str, Path], sandbox: object
) -> None:
    deployment_id, output = served_report
    ranking = sandbox.world.ranking(CHART)  # type: ignore[attr-defined]
    broken = next(e["song"]["uuid"] for e in ranking if e.get("position"))
    sandbox.inject("song", uuid=broken, kind="missing_field", times=1)  # type: ignore[attr-defined]

    state = sync_chart(CHART, return_state=True)

    assert state.is_completed()
    assert "1 item(s) failed: track-metadata 1" in (state.message or "")
    client = get_client(sync_client=True)

    def completed_run() -> FlowRun | None:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id]))
        )
        return next((r for r in runs if r.state and r.state.is_final()), None)

    run = _wait_for(completed_run, "the report run triggered by the sync with a failed item")
    assert run.state_name == "Completed" and run.parameters["chart"] == CHART
    assert (output / f"report-{CHART}.html").is_file()
