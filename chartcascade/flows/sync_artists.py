"""The watchlist run: metadata and audience of every watched artist, whether it charts or not.

It shares everything with chart runs: the rate limit, claims, freshness windows, budget and
the artist stages themselves (`ArtistMetadataWork`, the artist series works).
"""

from __future__ import annotations

from copy import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from prefect import flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import State
from prefect.utilities.annotations import quote
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chartcascade.crud.watchlist import watched_uuids
from chartcascade.db import session_scope
from chartcascade.flows.runner import SettingsThreadPoolTaskRunner
from chartcascade.flows.stages import collect, failures_first, submit_stage, within_run
from chartcascade.flows.summary import SyncSummary, final_state, publish_summary
from chartcascade.flows.sync_chart import with_retries
from chartcascade.options import RefreshOptions
from chartcascade.platforms import ArtistPlatform, ListeningPlatform
from chartcascade.settings import get_settings
from chartcascade.tasks.artists import fetch_artist_metadata
from chartcascade.tasks.audience import AudienceWindow, artist_series_work, fetch_artist_audience
from chartcascade.tasks.batch import RunContext

WATCHLIST = "watchlist"
SHARED_FIELDS = (
    "artist_platforms",
    "listening_platforms",
    "metadata_max_age_days",
    "audience_max_age_hours",
    "lookback_days",
)


def _as_for_charts(name: str) -> Any:
    """The chart option of the same name: same type rules, default and description."""
    return copy(RefreshOptions.model_fields[name])


class WatchlistOptions(BaseModel):
    """What a watchlist run fetches for the watched artists, and what it may spend."""

    model_config = ConfigDict(extra="forbid")

    artist_platforms: list[ArtistPlatform] = _as_for_charts("artist_platforms")
    listening_platforms: list[ListeningPlatform] = _as_for_charts("listening_platforms")
    metadata_max_age_days: float = _as_for_charts("metadata_max_age_days")
    audience_max_age_hours: float = _as_for_charts("audience_max_age_hours")
    lookback_days: int = _as_for_charts("lookback_days")
    force_refresh: bool = Field(
        False, description="Refetch metadata and audience even when it is still fresh."
    )
    max_api_calls: int | None = Field(
        None,
        ge=1,
        description="Budget of API calls for the run: it stops cleanly before exceeding it "
        "and reports what it left undone; empty = no budget.",
    )

    @model_validator(mode="after")
    def _each_platform_once(self) -> WatchlistOptions:
        """The chart options' rules (each platform once)."""
        self.refresh_options()
        return self

    def refresh_options(self) -> RefreshOptions:
        """These choices as chart options without track platforms."""
        return RefreshOptions(track_platforms=[], **self.model_dump(include=set(SHARED_FIELDS)))

    def window(self, now: datetime) -> AudienceWindow:
        """The audience window of the run."""
        return replace(
            AudienceWindow.for_options(self.refresh_options(), now), force=self.force_refresh
        )


class WatchlistSummary(SyncSummary):
    """A watchlist run's figures: a chart summary without a ranking."""

    def markdown(self) -> str:
        body = super().markdown().split("\n", 1)[1]
        return "### Watched artists\n" + body


def watchlist_run_name() -> str:
    """`sync-artists-20261126-0600`."""
    start = flow_run.scheduled_start_time or datetime.now(UTC)
    return f"sync-artists-{start:%Y%m%d-%H%M}"


@flow(
    name="sync-artists",
    flow_run_name=watchlist_run_name,
    task_runner=SettingsThreadPoolTaskRunner(),  # type: ignore[arg-type]
    persist_result=False,
)
def sync_artists(options: WatchlistOptions | None = None) -> State:
    """Sync the watched artists: metadata, then audience (followers and listening figures).

    Args:
        options: What to fetch, how fresh data must be, and the API-call budget.
    """
    chosen = options or WatchlistOptions()
    return within_run(
        lambda ctx: _watchlist_stages(chosen, ctx),
        chosen.max_api_calls,
        force=chosen.force_refresh,
    )


def _watchlist_stages(options: WatchlistOptions, ctx: RunContext) -> State:
    """Artist metadata and every artist feed, submitted together, collected in order."""
    logger = get_run_logger()
    workers = get_settings().max_parallel_requests
    quoted = quote(ctx)
    with session_scope(ctx.database_url) as session:
        artists = watched_uuids(session)
    if not artists:
        logger.warning("No artist is watched: `chartcascade artists watch UUID` adds one")
    now = datetime.now(UTC)
    stale_before = now - timedelta(days=options.metadata_max_age_days)
    window = options.window(now)
    metadata = with_retries(fetch_artist_metadata)
    audience = with_retries(fetch_artist_audience)
    stages = [
        submit_stage(
            "artist-metadata",
            failures_first(ctx, "artist-metadata", artists),
            lambda n, keys: metadata.submit(n, keys, quoted, stale_before),
            workers=workers,
        )
    ]
    for feed, platform in options.refresh_options().artist_feeds:
        stage = artist_series_work(feed, platform, window).stage
        submit = partial(_submit_feed, audience, feed, platform, quoted, window)
        stages.append(
            submit_stage(stage, failures_first(ctx, stage, artists), submit, workers=workers)
        )
    summary = WatchlistSummary(chart=WATCHLIST, max_api_calls=options.max_api_calls)
    for submitted in stages:
        summary.add(collect(submitted, ctx))
    summary.stopped_by = ctx.stopped_by
    publish_summary(summary)
    logger.info("Watched artists: %d, %d API calls", len(artists), summary.api_calls)
    return final_state(summary, undone="left undone for a later run")


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


__all__ = ["WATCHLIST", "WatchlistOptions", "WatchlistSummary", "sync_artists"]
