"""The chart cascade: one flow per chart, from ranking to artist audience."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.utilities.annotations import quote

from chartcascade.crud.chart_choices import remember_choices
from chartcascade.crud.tracks import track_artist_uuids
from chartcascade.db import session_scope
from chartcascade.flows.progress import RunProgress
from chartcascade.flows.runner import SettingsThreadPoolTaskRunner
from chartcascade.flows.stages import (
    Submitted,
    collect,
    failures_first,
    submit_stage,
    within_run,
)
from chartcascade.flows.summary import SyncSummary, final_state, publish_summary
from chartcascade.options import SyncOptions
from chartcascade.reports.completeness import publish_completeness
from chartcascade.settings import get_settings
from chartcascade.soundcharts import SoundchartsError
from chartcascade.tasks.artists import fetch_artist_metadata
from chartcascade.tasks.audience import (
    AIRPLAY,
    AudienceWindow,
    artist_series_work,
    fetch_artist_audience,
    fetch_track_audience,
    track_series_work,
)
from chartcascade.tasks.batch import RunContext, retry_transient
from chartcascade.tasks.budget import RateLimiterUnavailable
from chartcascade.tasks.charts import (
    UnknownChartError,
    UnknownRankingDateError,
    fetch_ranking,
)
from chartcascade.tasks.outcome import StageOutcome
from chartcascade.tasks.tracks import fetch_track_metadata

MAX_RETRY_DELAY = 30.0


def run_name() -> str:
    """`global-28-latest` or `global-28-2026-11-20`."""
    params = flow_run.parameters
    return f"{params['chart']}-{params.get('ranking_date') or 'latest'}"


def with_retries(task: Any) -> Any:
    """The task with Prefect retries from settings: exponential backoff, jitter, transient only."""
    settings = get_settings()
    delays = [
        min(MAX_RETRY_DELAY, settings.retry_delay_seconds * 2**attempt)
        for attempt in range(max(1, settings.task_retries))
    ]
    return task.with_options(
        retries=settings.task_retries,
        retry_delay_seconds=delays,
        retry_jitter_factor=0.5 if settings.retry_delay_seconds else None,
        retry_condition_fn=retry_transient,
    )


def prioritised_artists(ctx: RunContext, track_uuids: list[str]) -> list[str]:
    """Distinct artists of the tracks, ordered by their best chart position."""
    with session_scope(ctx.database_url) as session:
        credits = track_artist_uuids(session, track_uuids=track_uuids)
    ordered = [artist for track in track_uuids for artist in credits.get(track, [])]
    return list(dict.fromkeys(ordered))


@flow(
    name="sync-chart",
    flow_run_name=run_name,
    task_runner=SettingsThreadPoolTaskRunner(),  # type: ignore[arg-type]
    persist_result=False,
)
def sync_chart(
    chart: str, ranking_date: date | None = None, options: SyncOptions | None = None
) -> State:
    """Sync one chart: ranking, track metadata and artists, artist metadata, then audience.

    Args:
        chart: The Soundcharts chart slug, for example `global-28`.
        ranking_date: The ranking's date; empty means the latest ranking.
        options: What to fetch, how fresh data must be, and the API-call budget.
    """
    options = options or SyncOptions()
    return within_run(
        lambda ctx: _cascade(chart, ranking_date, options, ctx),
        options.max_api_calls,
        force=options.force_refresh,
    )


def _cascade(chart: str, ranking_date: date | None, options: SyncOptions, ctx: RunContext) -> State:
    """The stages of one chart run, in cascade order, ending with its summary and audit."""
    logger = get_run_logger()
    settings = get_settings()
    quoted = quote(ctx)
    progress = RunProgress(chart, steps=1 + stage_count(options))
    summary = SyncSummary(chart=chart, max_api_calls=options.max_api_calls)

    try:
        ranking = with_retries(fetch_ranking)(chart, ranking_date, quoted)
    except (
        UnknownChartError,
        UnknownRankingDateError,
        SoundchartsError,
        RateLimiterUnavailable,
    ) as exc:
        logger.error("%s", exc)  # what to fix or wait for, without a stack trace
        return Failed(message=f"Ranking of {chart!r} could not be fetched: {exc}", data=exc)
    summary.ranking_date = ranking.ranking_date
    summary.add(_ranking_outcome(ranking))
    with session_scope(ctx.database_url) as session:  # the sweep and `status` follow them
        remember_choices(session, chart=chart, options=options)
    progress.step(f"ranking: {len(ranking.track_uuids)} tracks, {len(ranking.new_track_uuids)} new")
    logger.info(
        "Ranking of %s on %s: %d tracks", chart, ranking.ranking_date, len(ranking.track_uuids)
    )

    run_stages(ranking.track_uuids, options, ctx, summary, progress)
    summary.stopped_by = ctx.stopped_by
    publish_summary(summary)
    publish_completeness(
        settings.database_url,
        chart,
        track_platforms=options.track_platforms,
        artist_platforms=options.artist_platforms,
        listening_platforms=options.listening_platforms,
    )
    return final_state(summary, undone="left undone for a later run")


def stage_count(options: SyncOptions) -> int:
    """How many stages `run_stages` runs with these options."""
    audience_stages = len(options.track_platforms) + len(options.artist_feeds)
    steps = options.auto_fetch_track_metadata + options.auto_fetch_artist_metadata
    return steps + (audience_stages if options.auto_fetch_audience else 0)


def run_stages(
    track_uuids: list[str],
    options: SyncOptions,
    ctx: RunContext,
    summary: SyncSummary,
    progress: RunProgress,
) -> None:
    """Every stage after the ranking, for these tracks (in priority order) and their artists;
    each stage's outcome is added to the summary (shared by the chart run and the backfill)."""
    workers = get_settings().max_parallel_requests
    quoted = quote(ctx)
    now = datetime.now(UTC)
    stale_before = now - timedelta(days=options.metadata_max_age_days)
    top = track_uuids[: options.top_n] if options.top_n else track_uuids
    window = AudienceWindow.for_options(options, now)

    pending: list[Submitted] = []
    track_meta: Submitted | None = None
    if options.auto_fetch_track_metadata:
        time.sleep(options.metadata_delay_seconds)
        track_meta = submit_stage(
            "track-metadata",
            failures_first(ctx, "track-metadata", track_uuids),
            lambda n, keys: with_retries(fetch_track_metadata).submit(
                n, keys, quoted, stale_before
            ),
            workers=workers,
        )
    if options.auto_fetch_audience:
        time.sleep(options.audience_delay_seconds)
        pending += _submit_track_audience(options, top, ctx, window, workers)

    if track_meta:
        summary.add(collect(track_meta, ctx))
        progress.step("track metadata done")
    artists = prioritised_artists(ctx, top)
    artist_meta: Submitted | None = None
    if options.auto_fetch_artist_metadata:
        artist_meta = submit_stage(
            "artist-metadata",
            failures_first(ctx, "artist-metadata", artists),
            lambda n, keys: with_retries(fetch_artist_metadata).submit(
                n, keys, quoted, stale_before
            ),
            workers=workers,
        )
    if options.auto_fetch_audience:  # artist series need the artists' uuids, not their metadata
        pending += _submit_artist_audience(options, artists, ctx, window, workers)
    if artist_meta:
        summary.add(collect(artist_meta, ctx))
        progress.step(f"artist metadata done ({len(artists)} artists)")
    for submitted in pending:
        summary.add(collect(submitted, ctx))
        progress.step(f"{submitted.stage} done")


def _ranking_outcome(ranking: Any) -> StageOutcome:
    outcome = StageOutcome("ranking", calls=ranking.calls, quota_remaining=ranking.quota_remaining)
    outcome.new = set(ranking.new_track_uuids)
    outcome.updated = set(ranking.track_uuids) - outcome.new
    return outcome


def _submit_track_audience(
    options: SyncOptions, top: list[str], ctx: RunContext, window: AudienceWindow, workers: int
) -> list[Submitted]:
    quoted = quote(ctx)
    task = with_retries(fetch_track_audience)
    submitted = []
    for platform in options.track_platforms:
        stage = track_series_work(platform, window).stage
        cost = window.airplay_lookback_days if platform == AIRPLAY else 1
        submitted.append(
            submit_stage(
                stage,
                failures_first(ctx, stage, top),
                partial(_submit_platform, task, platform, quoted, window),
                workers=workers,
                calls_per_item=cost,
            )
        )
    return submitted


def _submit_artist_audience(
    options: SyncOptions, artists: list[str], ctx: RunContext, window: AudienceWindow, workers: int
) -> list[Submitted]:
    quoted = quote(ctx)
    task = with_retries(fetch_artist_audience)
    submitted = []
    for feed, platform in options.artist_feeds:
        stage = artist_series_work(feed, platform, window).stage
        submitted.append(
            submit_stage(
                stage,
                failures_first(ctx, stage, artists),
                partial(_submit_feed, task, feed, platform, quoted, window),
                workers=workers,
            )
        )
    return submitted


def _submit_platform(
    task: Any, platform: str, ctx: Any, window: AudienceWindow, number: int, keys: list[str]
) -> Any:
    return task.submit(number, platform, keys, ctx, window)


def _submit_feed(
    task: Any,
    feed: str,
    platform: str,
    ctx: Any,
    window: AudienceWindow,
    number: int,
    keys: list[str],
) -> Any:
    return task.submit(number, feed, platform, keys, ctx, window)
