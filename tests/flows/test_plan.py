"""`sync --plan`: what a run would fetch and cost, making only ranking calls; its total within
5% of the calls the sandbox then receives from the run, whatever the database holds."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.options import SyncOptions
from chartcascade.planning import SyncPlan, plan_sync
from chartcascade.soundcharts.credits import credit_names
from tests.flows.expected import chart_artists, chart_tracks
from tests.flows.test_sync_chart import CHART, calls, summary_of

pytestmark = pytest.mark.prefect
EXACT = ("ranking", "track-metadata", "track-audience-spotify", "track-audience-shazam")


def plan_then_run(sandbox: Any, options: SyncOptions | None = None) -> tuple[SyncPlan, int]:
    """The plan, then the calls the sandbox received from the run that follows."""
    plan = plan_sync(CHART, None, options or SyncOptions())
    sandbox.reset_counts()
    assert sync_chart(CHART, options=options, return_state=True).is_completed()
    return plan, sum(calls(sandbox).values())


def assert_within_5_percent(planned: int, made: int) -> None:
    assert abs(planned - made) <= 0.05 * made, f"planned {planned}, the run made {made}"


def test_credit_names_split_main_and_featured_artists() -> None:
    assert credit_names("Aya & Bo feat. Cy") == ["Aya", "Bo", "Cy"]
    assert credit_names("Drake (feat. Rihanna, Future)") == ["Drake", "Rihanna", "Future"]
    assert credit_names("Solo ft. Solo") == ["Solo"]
    assert credit_names("") == [] and credit_names(None) == []


def test_plan_makes_only_ranking_calls_and_matches_the_run(sandbox: Any, cascade_env: str) -> None:
    plan = plan_sync(CHART, None, SyncOptions())

    assert calls(sandbox) == {"ranking": 1}
    planned = {stage.stage: stage.calls for stage in plan.stages}
    sandbox.reset_counts()
    summary = summary_of(sync_chart(CHART, return_state=True))
    made = {stage.stage: stage.api_calls for stage in summary.stages}
    for stage in EXACT:
        assert planned[stage] == made[stage], stage
    # The artists come from the ranking's credit names: every distinct artist, once.
    artists = len(chart_artists(sandbox.world, chart_tracks(sandbox.world, CHART)))
    assert planned["artist-metadata"] == made["artist-metadata"] == artists
    assert planned["artist-listening-spotify"] == made["artist-listening-spotify"] == artists


def test_plan_on_an_empty_database_is_within_5_percent(sandbox: Any, cascade_env: str) -> None:
    plan, made = plan_then_run(sandbox)

    assert_within_5_percent(plan.calls, made)


def test_plan_of_an_immediate_rerun_is_the_ranking_alone(sandbox: Any, cascade_env: str) -> None:
    assert sync_chart(CHART, return_state=True).is_completed()

    plan, made = plan_then_run(sandbox)

    assert plan.calls == made == 1


def test_plan_after_a_run_stopped_by_its_budget_is_within_5_percent(
    sandbox: Any, cascade_env: str
) -> None:
    # Without radio: a budget that cuts the radio stage leaves undone the very tracks whose
    # days take two pages (they overrun the calls reserved for them), which no stored day
    # tells; the plan is then 7-9% under.
    no_radio = ["spotify", "youtube", "shazam"]
    budgeted = SyncOptions.model_validate({"track_platforms": no_radio, "max_api_calls": 60})
    state = sync_chart(CHART, options=budgeted, return_state=True)
    assert summary_of(state).left_undone > 0

    plan, made = plan_then_run(sandbox)

    assert made > 106  # the radio days (106 calls) and what the budget left
    assert_within_5_percent(plan.calls, made)


def test_plan_after_a_run_of_some_platforms_is_within_5_percent(
    sandbox: Any, cascade_env: str
) -> None:
    some = SyncOptions(
        track_platforms=["spotify", "airplay"],
        artist_platforms=["spotify"],
        airplay_lookback_days=3,
    )
    assert sync_chart(CHART, options=some, return_state=True).is_completed()

    plan, made = plan_then_run(sandbox)

    assert made > 40
    assert_within_5_percent(plan.calls, made)


def test_plan_after_a_run_costs_only_the_ranking(sandbox: Any, cascade_env: str) -> None:
    assert sync_chart(CHART, return_state=True).is_completed()
    sandbox.reset_counts()

    result = CliRunner().invoke(app, ["sync", CHART, "--plan"])

    assert result.exit_code == 0, result.output
    assert "about 1 API calls" in result.output
    assert calls(sandbox) == {"ranking": 1}
