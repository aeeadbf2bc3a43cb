"""The backfill: a chart's rankings over a date range, then one cascade for their tracks."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Failed, State
from prefect.utilities.annotations import quote

from chartcascade.flows.progress import RunProgress
from chartcascade.flows.runner import SettingsThreadPoolTaskRunner
from chartcascade.flows.stages import start_run
from chartcascade.flows.summary import SyncSummary, final_state, publish_summary
from chartcascade.flows.sync_chart import run_stages, stage_count, with_retries
from chartcascade.limits import MissingRateLimitError
from chartcascade.options import SyncOptions
from chartcascade.settings import ConfigurationError
from chartcascade.soundcharts import SoundchartsError
from chartcascade.soundcharts.errors import QuotaExceededError
from chartcascade.tasks.backfill import (
    RangeRankings,
    RankingsIncomplete,
    fetch_range_rankings,
    range_track_uuids,
    retry_rankings,
)
from chartcascade.tasks.batch import RunContext
from chartcascade.tasks.budget import RateLimiterUnavailable
from chartcascade.tasks.charts import UnknownChartError
from chartcascade.tasks.outcome import StageOutcome

RANKINGS_STAGE = "rankings"


def run_name() -> str:
    """`backfill-global-28-2026-11-01-2026-11-07`."""
    params = flow_run.parameters
    return f"backfill-{params['chart']}-{params['start']}-{params['end']}"


@flow(
    name="backfill-chart",
    flow_run_name=run_name,
    task_runner=SettingsThreadPoolTaskRunner(),  # type: ignore[arg-type]
    persist_result=False,
)
def backfill_chart(chart: str, start: date, end: date, options: SyncOptions | None = None) -> State:
    """Store every ranking of a chart from `start` to `end` the database lacks, then fetch
    what the tracks and artists of those rankings need, once (not once per date).

    Args:
        chart: The Soundcharts chart slug, for example `global-28`.
        start: The first ranking date of the range.
        end: The last ranking date of the range (included).
        options: What to fetch, how fresh data must be, and the API-call budget.
    """
    logger = get_run_logger()
    options = options or SyncOptions()
    if end < start:
        return Failed(message=f"The range ends ({end}) before it starts ({start}).")
    try:
        ctx = start_run(options.max_api_calls, force=options.force_refresh)
    except (ConfigurationError, MissingRateLimitError) as exc:
        logger.error("%s", exc)
        return Failed(message=str(exc), data=exc)
    try:
        return _backfill(chart, start, end, options, ctx)
    finally:
        ctx.close()


def _backfill(chart: str, start: date, end: date, options: SyncOptions, ctx: RunContext) -> State:
    logger = get_run_logger()
    progress = RunProgress(chart, steps=1 + stage_count(options))
    summary = SyncSummary(chart=chart, max_api_calls=options.max_api_calls)
    stage = with_retries(fetch_range_rankings).with_options(retry_condition_fn=retry_rankings)
    try:
        rankings = stage(chart, start, end, quote(ctx))
    except RankingsIncomplete as exc:  # what was stored stays; a rerun fetches only the rest
        logger.error("%s", exc)
        summary.add(
            rankings_outcome(exc.outcome, quota_out=isinstance(exc.cause, QuotaExceededError))
        )
        publish_summary(summary)
        return Failed(message=str(exc), data=summary)
    except (UnknownChartError, SoundchartsError, RateLimiterUnavailable) as exc:
        logger.error("%s", exc)
        return Failed(message=f"Rankings of {chart!r} could not be listed: {exc}", data=exc)
    if not rankings.available:
        return Failed(message=f"Chart {chart!r} has no ranking from {start} to {end}.")
    summary.ranking_date = rankings.available[-1]
    summary.add(rankings_outcome(rankings))
    tracks = range_track_uuids(ctx.database_url, chart, start, end)
    progress.step(
        f"rankings: {len(rankings.fetched)} fetched, {len(rankings.stored_before)} already stored, "
        f"{len(tracks)} tracks"
    )
    logger.info(
        "Backfill of %s: %d rankings fetched, %d already stored, %d tracks",
        chart,
        len(rankings.fetched),
        len(rankings.stored_before),
        len(tracks),
    )
    run_stages(tracks, options, ctx, summary, progress)
    summary.stopped_by = ctx.stopped_by
    publish_summary(summary)
    return final_state(summary, undone="left undone for a later run or the sweep")


def rankings_outcome(rankings: RangeRankings, *, quota_out: bool = False) -> StageOutcome:
    """The ranking stage as summaries show it: dates fetched (new), dates stored before."""
    outcome = StageOutcome(
        RANKINGS_STAGE,
        calls=rankings.calls,
        quota_remaining=rankings.quota_remaining,
        quota_exhausted=quota_out,
    )
    outcome.new = {day.isoformat() for day in rankings.fetched}
    outcome.skipped = {day.isoformat() for day in rankings.stored_before}
    outcome.deferred = {day.isoformat() for day in rankings.missing}
    return outcome
