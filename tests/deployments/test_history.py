"""Run history from the Prefect API: a finished run with its stage figures."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.cli.console import console
from chartcascade.deploy.history import recent_runs, stage_figures
from chartcascade.flows.sweep import SweepOptions, backlog_sweep

pytestmark = pytest.mark.prefect


def test_stage_figures_read_a_stages_table() -> None:
    table = (
        '[{"stage": "track-metadata", "new": 3, "updated": 2, "skipped_fresh": 1, '
        '"failed": 1, "left_undone": 4, "api_calls": 6}]'
    )
    [figures] = stage_figures(table)
    assert (figures.stage, figures.done, figures.failed, figures.left_undone) == (
        "track-metadata",
        5,
        1,
        4,
    )


def test_recent_runs_show_state_duration_and_stages(cascade_env: str) -> None:
    state = backlog_sweep(SweepOptions(max_api_calls=10, track_platforms=[]), return_state=True)

    [record] = recent_runs(limit=1, flows=("backlog-sweep",))

    assert record.state == "Completed"
    assert record.flow == "backlog-sweep"
    assert record.duration is not None and record.duration.total_seconds() > 0
    assert [s.stage for s in record.stages] == [s.stage for s in state.result().stages]
    assert record.failures == 0


def test_runs_command_lists_runs(cascade_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(console, "width", 200)
    backlog_sweep(SweepOptions(max_api_calls=10, track_platforms=[]), return_state=True)

    result = CliRunner().invoke(app, ["runs", "--limit", "5"])

    assert result.exit_code == 0, result.output
    assert "backlog-sweep-" in result.output
    assert "Completed" in result.output
