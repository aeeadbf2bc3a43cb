"""Run history from the Prefect API: recent chart and sweep runs with their stage figures."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from prefect import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterType,
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterExpectedStartTime,
    FlowRunFilterName,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import FlowRun, StateType
from prefect.client.schemas.sorting import FlowRunSort

RUN_FLOWS = ("sync-chart", "backlog-sweep")


@dataclass
class StageFigures:
    """One stage of a run, as its stages table artifact shows it."""

    stage: str
    done: int
    skipped_fresh: int
    failed: int
    left_undone: int
    api_calls: int
    done_elsewhere: int = 0
    backing_off: int = 0


@dataclass
class RunRecord:
    """One chart or sweep run."""

    id: UUID
    name: str
    flow: str
    chart: str | None
    state: str
    message: str | None
    start: datetime | None
    duration: timedelta | None
    stages: list[StageFigures] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(stage.failed for stage in self.stages)

    @property
    def api_calls(self) -> int:
        return sum(stage.api_calls for stage in self.stages)


def recent_runs(
    *,
    limit: int = 20,
    chart: str | None = None,
    states: list[StateType] | None = None,
    flows: tuple[str, ...] = RUN_FLOWS,
) -> list[RunRecord]:
    """The newest runs (never future scheduled ones), newest first, with their stages."""
    run_filter = FlowRunFilter(
        expected_start_time=FlowRunFilterExpectedStartTime(before_=datetime.now(UTC)),
        name=FlowRunFilterName(like_=chart) if chart else None,
        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=states)) if states else None,
    )
    with get_client(sync_client=True) as client:
        flow_names = {f.id: f.name for f in client.read_flows(flow_filter=_flows(flows))}
        runs = client.read_flow_runs(
            flow_filter=_flows(flows),
            flow_run_filter=run_filter,
            sort=FlowRunSort.EXPECTED_START_TIME_DESC,
            limit=limit,
        )
        if chart:
            runs = [run for run in runs if run.parameters.get("chart") == chart]
        artifacts = (
            client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[run.id for run in runs]),
                    type=ArtifactFilterType(any_=["table"]),
                )
            )
            if runs
            else []
        )
    tables = {a.flow_run_id: a.data for a in artifacts if a.key and a.key.endswith("-stages")}
    return [_record(run, flow_names.get(run.flow_id, "?"), tables.get(run.id)) for run in runs]


def _flows(names: tuple[str, ...]) -> FlowFilter:
    return FlowFilter(name=FlowFilterName(any_=list(names)))


def _record(run: FlowRun, flow_name: str, table: Any) -> RunRecord:
    state = run.state
    return RunRecord(
        id=run.id,
        name=run.name,
        flow=flow_name,
        chart=run.parameters.get("chart"),
        state=state.name if state and state.name else (run.state_name or "?"),
        message=state.message if state else None,
        start=run.start_time,
        duration=_duration(run),
        stages=stage_figures(table),
    )


def _duration(run: FlowRun) -> timedelta | None:
    if run.start_time is None:
        return None
    if run.end_time is not None:
        return run.end_time - run.start_time
    return datetime.now(UTC) - run.start_time


def stage_figures(table: Any) -> list[StageFigures]:
    """The rows of a `*-stages` table artifact (stored as JSON text)."""
    rows = json.loads(table) if isinstance(table, str) else table
    if not isinstance(rows, list):
        return []
    return [
        StageFigures(
            stage=str(row.get("stage", "?")),
            done=int(row.get("new", 0)) + int(row.get("updated", 0)),
            skipped_fresh=int(row.get("skipped_fresh", 0)),
            failed=int(row.get("failed", 0)),
            left_undone=int(row.get("left_undone", 0)),
            done_elsewhere=int(row.get("done_elsewhere", 0)),
            backing_off=int(row.get("backing_off", 0)),
            api_calls=int(row.get("api_calls", 0)),
        )
        for row in rows
        if isinstance(row, dict)
    ]
