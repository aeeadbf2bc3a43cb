"""`backfill --plan`: the rankings a backfill would fetch and their calls, from one list call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from chartcascade.cli import app
from chartcascade.flows.backfill import backfill_chart
from chartcascade.planning import plan_backfill
from tests.flows.test_backfill import CHART, OPTIONS, RANKINGS_ONLY, calls, week

pytestmark = pytest.mark.prefect


def test_plan_counts_the_rankings_still_missing(sandbox: Any, cascade_env: str) -> None:
    start, end = week()
    fresh = plan_backfill(CHART, start, end, OPTIONS)

    assert calls(sandbox) == {"ranking_dates": 1}
    # Nothing stored: 7 rankings of a chart of unknown size (one page each assumed).
    assert (fresh.available, fresh.stored, fresh.ranking_calls) == (7, 0, 1 + 7)
    assert fresh.pages_estimated
    # One metadata call and one spotify series per track; the same per artist.
    assert (fresh.per_track, fresh.per_artist) == (2, 2)

    first_three = start + timedelta(days=2)
    stored = backfill_chart(CHART, start, first_three, RANKINGS_ONLY, return_state=True)
    assert stored.is_completed(), stored.message
    sandbox.reset_counts()
    later = plan_backfill(CHART, start, end, OPTIONS)

    assert calls(sandbox) == {"ranking_dates": 1}
    assert (later.available, later.stored, later.to_fetch, later.ranking_calls) == (7, 3, 4, 5)
    assert not later.pages_estimated  # the chart (12 entries) is known now: one page each


def test_backfill_plan_command_prints_rankings_and_calls(sandbox: Any, cascade_env: str) -> None:
    start, end = week()
    result = CliRunner().invoke(
        app, ["backfill", CHART, "--from", str(start), "--to", str(end), "--plan"]
    )

    assert result.exit_code == 0, result.output
    assert "7 rankings available, 0 already stored; 7 to fetch: 8 API calls" in " ".join(
        result.output.split()
    )
    assert calls(sandbox) == {"ranking_dates": 1}
