"""The backlog sweep: fill what chart runs left behind, best-charted and most recent first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.task_runners import TaskRunner
from prefect.utilities.annotations import quote
from pydantic import Field

from chartcascade.crud.backlog import (
    Priority,
    artist_priorities,
    by_priority,
    failed_items,
    missing_metadata,
    stale_audience,
    track_priorities,
    unchecked_audience,
)
from chartcascade.db import session_scope
from chartcascade.flows.runner import SettingsThreadPoolTaskRunner
from chartcascade.flows.stages import collect, start_run, submit_stage
from chartcascade.flows.summary import SyncSummary, final_state
from chartcascade.flows.sync_chart import with_retries
from chartcascade.limits import MissingRateLimitError
from chartcascade.options import RefreshOptions
from chartcascade.settings import ConfigurationError, get_settings
from chartcascade.tasks.artists import fetch_artist_metadata
from chartcascade.tasks.audience import (
    AudienceWindow,
    artist_series_work,
    fetch_artist_audience,
    fetch_track_audience,
    track_series_work,
)
from chartcascade.tasks.batch import RunContext
from chartcascade.tasks.outcome import StageOutcome
from chartcascade.tasks.tracks import fetch_track_metadata

SWEEP_NAME = "backlog-sweep"


class SweepOptions(RefreshOptions):
    """What one backlog sweep looks for, and what it may spend."""

    max_api_calls: int = Field(
        2000, ge=1, description="API-call budget of the sweep; what does not fit waits."
    )
    retry_failures: bool = Field(
        True, description="Also retry the items that failed in earlier runs."
    )


class SweepSummary(SyncSummary):
    """A sweep's figures: a chart summary without a chart."""

    def markdown(self) -> str:
        body = super().markdown().split("\n", 1)[1]
        return "### Backlog sweep\n" + body


def sweep_run_name() -> str:
    """`backlog-sweep-20261126-1500`."""
    start = flow_run.scheduled_start_time or datetime.now(UTC)
    return f"{SWEEP_NAME}-{start:%Y%m%d-%H%M}"


@flow(
    name=SWEEP_NAME,
    flow_run_name=sweep_run_name,
    task_runner=cast(
        TaskRunner[PrefectFuture[Any]],
        SettingsThreadPoolTaskRunner(),
    ),
    persist_result=False,
)
def backlog_sweep(options: SweepOptions | None = None) -> State:
    """Fill the backlog: missing or stale metadata, stale audience, and recorded failures.

    Args:
        options: What to look for, how fresh data must be, and the API-call budget.
    """
    logger = get_run_logger()
    options = options or SweepOptions()
    try:
        ctx = start_run(options.max_api_calls)
    except (ConfigurationError, MissingRateLimitError) as exc:
        logger.error("%s", exc)
        return Failed(message=str(exc), data=exc)
    now = datetime.now(UTC)
    stale_before = now - timedelta(days=options.metadata_max_age_days)
    window = AudienceWindow.for_options(options, now)
    summary = SweepSummary(chart=SWEEP_NAME, max_api_calls=options.max_api_calls)
    quoted = quote(ctx)
    for stage, select_keys, submit in _stages(options, quoted, stale_before, window):
        with session_scope(ctx.database_url) as session:
            keys = select_keys(session, failed_items(session) if options.retry_failures else {})
        outcome = _run_stage(stage, keys, submit, ctx)
        summary.add(outcome)
        logger.info("%s: %s", stage, outcome.counts())
    summary.stopped_by = ctx.stopped_by
    _publish(summary)
    return final_state(summary, undone="wait for the next sweep")


Select = Callable[[Any, dict[str, list[str]]], list[str]]
Submit = Callable[[int, list[str]], Any]


def _stages(
    options: SweepOptions, ctx: Any, stale_before: datetime, window: AudienceWindow
) -> list[tuple[str, Select, Submit]]:
    """Each stage in order: its name, how to find its keys, how to submit a batch."""

    def metadata_keys(kind: str) -> Select:
        def select(session: Any, failures: dict[str, list[str]]) -> list[str]:
            found = missing_metadata(session, entity_kind=kind, stale_before=stale_before)
            return _ordered(session, kind, failures.get(f"{kind}-metadata", []) + found)

        return select

    def audience_keys(kind: str, stage: str, series: str) -> Select:
        def select(session: Any, failures: dict[str, list[str]]) -> list[str]:
            found = stale_audience(
                session, entity_kind=kind, series=series, checked_before=window.checked_before
            )
            found += unchecked_audience(session, entity_kind=kind, series=series)
            return _ordered(session, kind, failures.get(stage, []) + found)

        return select

    track_meta, artist_meta = (
        with_retries(fetch_track_metadata),
        with_retries(fetch_artist_metadata),
    )
    stages: list[tuple[str, Select, Submit]] = [
        (
            "track-metadata",
            metadata_keys("track"),
            lambda n, keys: track_meta.submit(n, keys, ctx, stale_before),
        ),
        (
            "artist-metadata",
            metadata_keys("artist"),
            lambda n, keys: artist_meta.submit(n, keys, ctx, stale_before),
        ),
    ]
    track_audience = with_retries(fetch_track_audience)
    artist_audience = with_retries(fetch_artist_audience)

    def track_series(platform: str) -> Submit:
        return lambda n, keys: track_audience.submit(n, platform, keys, ctx, window)

    def artist_series(feed: str, platform: str) -> Submit:
        return lambda n, keys: artist_audience.submit(n, feed, platform, keys, ctx, window)

    for platform in options.track_platforms:
        work = track_series_work(platform, window)
        stages.append(
            (work.stage, audience_keys("track", work.stage, work.series), track_series(platform))
        )
    feeds = [("audience", p) for p in options.artist_platforms]
    feeds += [("listening", p) for p in options.listening_platforms]
    for feed, platform in feeds:
        work = artist_series_work(feed, platform, window)
        stages.append(
            (
                work.stage,
                audience_keys("artist", work.stage, work.series),
                artist_series(feed, platform),
            )
        )
    return stages


def _ordered(session: Any, kind: str, uuids: list[str]) -> list[str]:
    """`uuids` by priority: highest chart position first, then the most recent ranking."""
    tracks = track_priorities(session)
    priorities: dict[str, Priority] = (
        tracks if kind == "track" else artist_priorities(session, tracks)
    )
    return by_priority(uuids, priorities)


def _run_stage(stage: str, keys: list[str], submit: Submit, ctx: RunContext) -> StageOutcome:
    """Run the keys the budget has room for (one call each at least); the rest waits."""
    budget = ctx.budget
    room = len(keys) if budget.limit is None else max(0, budget.limit - budget.used)
    now, later = keys[:room], keys[room:]
    workers = get_settings().max_parallel_requests
    if now:
        outcome = collect(submit_stage(stage, now, submit, workers=workers), ctx)
    else:
        outcome = StageOutcome(stage)
    outcome.deferred |= set(later)
    return outcome


def _publish(summary: SweepSummary) -> None:
    """The same two artifacts as a chart run: a markdown summary and a per-stage table."""
    create_markdown_artifact(
        summary.markdown(), key=f"{SWEEP_NAME}-summary", description="Backlog sweep summary"
    )
    create_table_artifact(
        [stage.model_dump() for stage in summary.stages],
        key=f"{SWEEP_NAME}-stages",
        description="Per-stage figures of the backlog sweep",
    )


__all__ = ["SWEEP_NAME", "SweepOptions", "SweepSummary", "backlog_sweep"]
