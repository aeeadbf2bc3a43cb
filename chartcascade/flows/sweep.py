"""The backlog sweep: fill what chart runs left behind, best-charted and most recent first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, cast

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.task_runners import TaskRunner
from prefect.utilities.annotations import quote
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlmodel import Session

from chartcascade.crud.backlog import failed_items
from chartcascade.crud.chart_choices import CHOICE_FIELDS, chart_choices
from chartcascade.crud.watchlist import watched_uuids
from chartcascade.db import session_scope
from chartcascade.flows.runner import SettingsThreadPoolTaskRunner
from chartcascade.flows.stages import Submitted, collect, start_run, submit_stage
from chartcascade.flows.summary import SyncSummary, final_state
from chartcascade.flows.sweep_keys import ChosenSeries, SweepScope, chosen_series
from chartcascade.flows.sync_chart import with_retries
from chartcascade.limits import MissingRateLimitError
from chartcascade.options import RefreshOptions
from chartcascade.platforms import ArtistPlatform, ListeningPlatform, TrackPlatform
from chartcascade.settings import ConfigurationError, get_settings
from chartcascade.tasks.artists import fetch_artist_metadata
from chartcascade.tasks.audience import (
    AudienceWindow,
    artist_series_work,
    fetch_artist_audience,
    fetch_track_audience,
    track_series_work,
)
from chartcascade.tasks.batch import RetryFailures, RunContext
from chartcascade.tasks.outcome import StageOutcome
from chartcascade.tasks.tracks import fetch_track_metadata

SWEEP_NAME = "backlog-sweep"


def _each_chart_own(name: str) -> Any:
    """A sweep option overriding one of the charts' choices; unset, each chart keeps its own."""
    described = RefreshOptions.model_fields[name].description
    return Field(
        None,
        description=f"{described} Unset: each chart's own, from its last sync; set: every chart's.",
    )


class SweepOptions(BaseModel):
    """What one backlog sweep looks for, and what it may spend.

    Each chart is swept with its own choices (the platforms and windows of its last sync; the
    defaults for a chart synced before choices were recorded); an item on several charts gets
    every platform they name, each series with the strictest window. A platform or window
    option set here applies to every chart instead.
    """

    model_config = ConfigDict(extra="forbid")

    track_platforms: list[TrackPlatform] | None = _each_chart_own("track_platforms")
    artist_platforms: list[ArtistPlatform] | None = _each_chart_own("artist_platforms")
    listening_platforms: list[ListeningPlatform] | None = _each_chart_own("listening_platforms")
    metadata_max_age_days: float | None = _each_chart_own("metadata_max_age_days")
    audience_max_age_hours: float | None = _each_chart_own("audience_max_age_hours")
    lookback_days: int | None = _each_chart_own("lookback_days")
    airplay_lookback_days: int | None = _each_chart_own("airplay_lookback_days")
    max_api_calls: int = Field(
        2000, ge=1, description="API-call budget of the sweep; what does not fit waits."
    )
    retry_failures: RetryFailures = Field(
        "due",
        description="Items that failed in earlier runs: `due` retries them, except permanent "
        "failures tried 3 times that have not changed since; `all` retries every one; `none` "
        "retries none.",
    )

    @field_validator("retry_failures", mode="before")
    @classmethod
    def _from_bool(cls, value: Any) -> Any:
        """`true`/`false` (the option's earlier type) mean `due`/`none`."""
        return {True: "due", False: "none"}.get(value, value) if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _valid_overrides(self) -> SweepOptions:
        """The overrides obey the chart options' rules (ranges, each platform once)."""
        RefreshOptions(**self.overrides())
        return self

    def overrides(self) -> dict[str, Any]:
        """The charts' choices this sweep replaces, with their values (a choice the sweep has
        no option for is never replaced)."""
        given = {name: getattr(self, name, None) for name in CHOICE_FIELDS}
        return {name: value for name, value in given.items() if value is not None}

    def scope(
        self, recorded: dict[str, RefreshOptions], now: datetime, watched: Sequence[str] = ()
    ) -> SweepScope:
        """The charts' recorded choices with the overrides applied, from `now`; the watched
        artists get the defaults with the overrides applied."""
        return SweepScope(
            choices={slug: c.model_copy(update=self.overrides()) for slug, c in recorded.items()},
            fallback=RefreshOptions().model_copy(update=self.overrides()),
            now=now,
            watched=frozenset(watched),
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
        ctx = start_run(options.max_api_calls, retry_failures=options.retry_failures)
    except (ConfigurationError, MissingRateLimitError) as exc:
        logger.error("%s", exc)
        return Failed(message=str(exc), data=exc)
    summary = SweepSummary(chart=SWEEP_NAME, max_api_calls=options.max_api_calls)
    quoted = quote(ctx)
    try:
        with session_scope(ctx.database_url) as session:
            watched = watched_uuids(session)
            scope = options.scope(chart_choices(session), datetime.now(UTC), watched)
        for stage, select_keys, submit in _stages(scope, quoted):
            with session_scope(ctx.database_url) as session:
                retried = failed_items(session) if options.retry_failures != "none" else {}
                keys = select_keys(session, retried)
            outcome = _run_stage(stage, keys, submit, ctx)
            summary.add(outcome)
            logger.info("%s: %s", stage, outcome.counts())
    finally:
        ctx.close()
    summary.stopped_by = ctx.stopped_by
    _publish(summary)
    return final_state(summary, undone="wait for the next sweep")


# Find a stage's keys, each with what its batch is submitted with (a metadata cutoff or an
# audience window); submit one batch of keys sharing it.
Select = Callable[[Session, dict[str, list[str]]], dict[str, Any]]
Submit = Callable[[int, list[str], Any], Any]


def _stages(scope: SweepScope, ctx: Any) -> list[tuple[str, Select, Submit]]:
    """Each stage in order: metadata, then every series some chart chose."""

    def metadata_keys(kind: str) -> Select:
        return lambda session, failures: scope.metadata_keys(
            session, kind, failures.get(f"{kind}-metadata", [])
        )

    def audience_keys(series: ChosenSeries, stage: str, name: str) -> Select:
        return lambda session, failures: scope.audience_keys(
            session, series, name, failures.get(stage, [])
        )

    track_meta, artist_meta = (
        with_retries(fetch_track_metadata),
        with_retries(fetch_artist_metadata),
    )
    stages: list[tuple[str, Select, Submit]] = [
        (
            "track-metadata",
            metadata_keys("track"),
            lambda n, keys, stale_before: track_meta.submit(n, keys, ctx, stale_before),
        ),
        (
            "artist-metadata",
            metadata_keys("artist"),
            lambda n, keys, stale_before: artist_meta.submit(n, keys, ctx, stale_before),
        ),
    ]
    track_audience = with_retries(fetch_track_audience)
    artist_audience = with_retries(fetch_artist_audience)

    def track_series(platform: str) -> Submit:
        return lambda n, keys, window: track_audience.submit(n, platform, keys, ctx, window)

    def artist_series(feed: str, platform: str) -> Submit:
        return lambda n, keys, window: artist_audience.submit(n, feed, platform, keys, ctx, window)

    names = AudienceWindow.for_options(scope.fallback, scope.now)  # for the names only
    for series in chosen_series(scope.every_choice()):
        if series.kind == "track":
            work = track_series_work(series.platform, names)
            submit = track_series(series.platform)
        else:
            work = artist_series_work(series.feed, series.platform, names)
            submit = artist_series(series.feed, series.platform)
        stages.append((work.stage, audience_keys(series, work.stage, work.series), submit))
    return stages


def _run_stage(stage: str, keys: dict[str, Any], submit: Submit, ctx: RunContext) -> StageOutcome:
    """Run the keys the budget has room for (one call each at least), in batches of keys
    sharing a window; the rest waits."""
    budget = ctx.budget
    room = len(keys) if budget.limit is None else max(0, budget.limit - budget.used)
    ordered = list(keys)
    now, later = ordered[:room], ordered[room:]
    groups: dict[Any, list[str]] = {}
    for key in now:
        groups.setdefault(keys[key], []).append(key)
    workers = get_settings().max_parallel_requests
    submitted = Submitted(stage, [])
    for window, group in groups.items():
        numbered = partial(_numbered, submit, window, len(submitted.batches))
        submitted.batches += submit_stage(stage, group, numbered, workers=workers).batches
    outcome = collect(submitted, ctx) if now else StageOutcome(stage)
    outcome.deferred |= set(later)
    return outcome


def _numbered(submit: Submit, window: Any, offset: int, number: int, keys: list[str]) -> Any:
    """Submit a batch numbered after those of the stage's earlier windows."""
    return submit(offset + number, keys, window)


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
