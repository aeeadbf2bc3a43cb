"""`sync --plan`: what a run would fetch and cost, making only ranking calls."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.options import SyncOptions
from chartcascade.planning import plan_sync
from tests.flows.test_sync_chart import CHART, calls, summary_of

pytestmark = pytest.mark.prefect
EXACT = ("ranking", "track-metadata", "track-audience-spotify", "track-audience-shazam")


def test_plan_makes_only_ranking_calls_and_matches_the_run(sandbox: Any, cascade_env: str) -> None:
    plan = plan_sync(CHART, None, SyncOptions())

    assert calls(sandbox) == {"ranking": 1}
    planned = {stage.stage: stage.calls for stage in plan.stages}
    sandbox.reset_counts()
    summary = summary_of(sync_chart(CHART, return_state=True))
    made = {stage.stage: stage.api_calls for stage in summary.stages}
    for stage in EXACT:
        assert planned[stage] == made[stage], stage
    # A day's radio stations can take a second page: the plan counts one call per day.
    assert made["track-airplay"] >= planned["track-airplay"] == 7 * plan.tracks


def test_plan_after_a_run_costs_only_the_ranking(sandbox: Any, cascade_env: str) -> None:
    assert sync_chart(CHART, return_state=True).is_completed()
    sandbox.reset_counts()

    result = CliRunner().invoke(app, ["sync", CHART, "--plan"])

    assert result.exit_code == 0, result.output
    assert "about 1 API calls" in result.output
    assert calls(sandbox) == {"ranking": 1}
