"""A stopped run's Failed state holds an exception, as Prefect's engine expects of a failed
state (a deployed run's engine raises it; a summary there made it raise a TypeError), and
the summary still reaches the CLI through it."""

from __future__ import annotations

import pytest
from prefect.states import get_state_exception

from chartcascade.flows.summary import RunStopped, SyncSummary, final_state, run_summary


@pytest.mark.parametrize(
    ("summary", "says"),
    [
        (SyncSummary(chart="c1", quota_exhausted=True), "The Soundcharts quota is used up"),
        (SyncSummary(chart="c1", stopped_by="Soundcharts refused the credentials: 401"), "401"),
    ],
)
def test_a_stopped_run_fails_with_an_exception_that_carries_its_summary(
    summary: SyncSummary, says: str
) -> None:
    state = final_state(summary, undone="left undone")

    assert state.is_failed()
    error = get_state_exception(state)  # what the engine raises for a failed run
    assert isinstance(error, RunStopped) and says in str(error)
    with pytest.raises(RunStopped, match=says):
        state.result()
    assert run_summary(state.result(raise_on_failure=False)) is summary


def test_a_completed_run_gives_its_summary() -> None:
    summary = SyncSummary(chart="c1")
    state = final_state(summary, undone="left undone")

    assert state.is_completed()
    assert run_summary(state.result()) is summary
    assert run_summary(ValueError("not a run")) is None
