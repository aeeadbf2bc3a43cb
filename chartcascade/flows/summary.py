"""The summary of a chart run, and the Prefect artifacts that show it."""

from __future__ import annotations

import re
from datetime import date

from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Completed, Failed, State
from pydantic import BaseModel, Field

from chartcascade.crud.failures import MAX_PERMANENT_ATTEMPTS
from chartcascade.tasks.outcome import StageOutcome


class StageSummary(BaseModel):
    """One stage's figures."""

    stage: str
    new: int = 0
    updated: int = 0
    skipped_fresh: int = 0
    done_elsewhere: int = 0
    failed: int = 0
    backing_off: int = 0
    left_undone: int = 0
    api_calls: int = 0


class SyncSummary(BaseModel):
    """What one chart run did, stage by stage."""

    chart: str
    ranking_date: date | None = None
    stages: list[StageSummary] = Field(default_factory=list)
    quota_remaining: int | None = None
    quota_exhausted: bool = False
    stopped_by: str | None = None
    max_api_calls: int | None = None
    failures: dict[str, dict[str, str]] = Field(default_factory=dict)

    @property
    def api_calls(self) -> int:
        return sum(stage.api_calls for stage in self.stages)

    @property
    def failed(self) -> int:
        return sum(stage.failed for stage in self.stages)

    @property
    def left_undone(self) -> int:
        return sum(stage.left_undone for stage in self.stages)

    @property
    def backing_off(self) -> int:
        return sum(stage.backing_off for stage in self.stages)

    def add(self, outcome: StageOutcome) -> None:
        """Add a stage's outcome (its failures keep their messages)."""
        self.stages.append(StageSummary(stage=outcome.stage, **outcome.counts()))
        if outcome.failed:
            self.failures[outcome.stage] = dict(outcome.failed)
        if outcome.quota_remaining is not None:
            self.quota_remaining = (
                outcome.quota_remaining
                if self.quota_remaining is None
                else min(self.quota_remaining, outcome.quota_remaining)
            )
        self.quota_exhausted |= outcome.quota_exhausted

    def failure_message(self) -> str:
        """`3 item(s) failed: track-metadata 1, artist-audience-tiktok 2`, or ''."""
        parts = [f"{stage.stage} {stage.failed}" for stage in self.stages if stage.failed]
        return f"{self.failed} item(s) failed: {', '.join(parts)}" if parts else ""

    def markdown(self) -> str:
        """The run summary as a markdown table."""
        head = (
            f"### Chart `{self.chart}`, ranking of {self.ranking_date or 'unknown date'}\n\n"
            "| stage | new | updated | skipped (fresh) | done by another run | failed "
            "| backing off | left undone | API calls |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        )
        rows = "".join(
            f"| {s.stage} | {s.new} | {s.updated} | {s.skipped_fresh} | {s.done_elsewhere} "
            f"| {s.failed} | {s.backing_off} | {s.left_undone} | {s.api_calls} |\n"
            for s in self.stages
        )
        budget = f" of a budget of {self.max_api_calls}" if self.max_api_calls else ""
        quota = "unknown" if self.quota_remaining is None else self.quota_remaining
        tail = f"\n**API calls:** {self.api_calls}{budget}. **Quota remaining:** {quota}."
        if self.quota_exhausted:
            tail += " **The API quota is used up.**"
        if self.left_undone:
            tail += f" **Left undone:** {self.left_undone} item(s); a later run picks them up."
        if self.failed:
            tail += f" **{self.failure_message()}** (recorded; the next run retries them first)."
        if self.backing_off:
            tail += (
                f" **Backing off:** {self.backing_off} item(s) failed permanently "
                f"{MAX_PERMANENT_ATTEMPTS} times and wait until they change "
                "(or a sweep with `retry_failures=all`)."
            )
        return head + rows + tail + "\n"


def artifact_key(*parts: str) -> str:
    """A valid artifact key (lowercase letters, digits, dashes)."""
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")


def publish_summary(summary: SyncSummary) -> None:
    """Attach the summary to the run as a markdown and a table artifact."""
    create_markdown_artifact(
        summary.markdown(),
        key=artifact_key("sync", summary.chart, "summary"),
        description=f"Chart run summary for {summary.chart}",
    )
    create_table_artifact(
        [stage.model_dump() for stage in summary.stages],
        key=artifact_key("sync", summary.chart, "stages"),
        description=f"Per-stage figures for {summary.chart}",
    )


class RunStopped(Exception):
    """A run that could not do its work (credentials refused, quota used up). It is the
    Failed state's data, since Prefect expects an exception there (a summary made a deployed
    run's engine raise "Unexpected result for failed state"), and it carries the summary."""

    def __init__(self, message: str, summary: SyncSummary) -> None:
        super().__init__(message)
        self.summary = summary


def run_summary(result: object) -> SyncSummary | None:
    """The summary a run's final state carries (`state.result(raise_on_failure=False)`):
    the result of a completed run, or the summary of a stopped one."""
    if isinstance(result, RunStopped):
        return result.summary
    return result if isinstance(result, SyncSummary) else None


def final_state(summary: SyncSummary, *, undone: str) -> State:
    """The run's end, for chart runs and sweeps alike.

    Failed when the credentials stopped it or the quota ran out: the run could not do its
    work. Item failures alone leave it Completed, with the failures named in the state message
    (and recorded, retried first next time), so what depends on a completed run (the report
    trigger) still runs on the data that did arrive. Completed otherwise, saying what the
    budget left (`undone` words what happens to it)."""
    left = f"{summary.left_undone} item(s) {undone}"
    if summary.stopped_by:
        message = f"{summary.stopped_by}; {left}."
        return Failed(message=message, data=RunStopped(message, summary))
    if summary.quota_exhausted:
        message = f"The Soundcharts quota is used up; {left}. {summary.failure_message()}".strip()
        return Failed(message=message, data=RunStopped(message, summary))
    notes = []
    if summary.failed:
        notes.append(f"Warning: {summary.failure_message()} (recorded, retried first next time).")
    if summary.left_undone:
        notes.append(f"Stopped at the API-call budget ({summary.max_api_calls}); {left}.")
    if summary.backing_off:
        notes.append(f"{summary.backing_off} item(s) backing off after permanent failures.")
    if not notes:
        notes.append(f"{summary.api_calls} API calls")
    return Completed(message=" ".join(notes), data=summary)
