"""Every item counted once per run, retries included; failures recorded only for what was not
saved; permanent failures back off; item failures do not fail the run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prefect import flow, get_client, task
from prefect.cache_policies import NO_CACHE
from prefect.flow_engine import run_flow
from prefect.states import Scheduled
from prefect.utilities.annotations import quote
from sqlmodel import col, select

from chartcascade.db import session_scope
from chartcascade.flows.stages import Submitted, collect, start_run
from chartcascade.flows.summary import SyncSummary, run_summary
from chartcascade.flows.sweep import SweepOptions, backlog_sweep
from chartcascade.flows.sync_chart import sync_chart
from chartcascade.models import FailedItem, Track
from chartcascade.options import SyncOptions
from chartcascade.soundcharts import SoundchartsClient
from chartcascade.tasks.batch import RunContext, run_batch
from chartcascade.tasks.outcome import StageOutcome
from chartcascade.tasks.tracks import TrackMetadataWork
from tests.flows.expected import chart_tracks

pytestmark = pytest.mark.prefect
CHART = "global-28"
RANKING_ONLY = SyncOptions(
    auto_fetch_track_metadata=False, auto_fetch_artist_metadata=False, auto_fetch_audience=False
)
METADATA_ONLY = SyncOptions(auto_fetch_artist_metadata=False, auto_fetch_audience=False)


def summary_of(state: Any) -> SyncSummary:
    result = run_summary(state.result(raise_on_failure=False))
    assert isinstance(result, SyncSummary), state
    return result


def stage_row(summary: SyncSummary, stage: str) -> dict[str, int]:
    return next(s.model_dump() for s in summary.stages if s.stage == stage)


def open_failures(database_url: str) -> dict[str, FailedItem]:
    with session_scope(database_url) as session:
        rows = session.exec(select(FailedItem).where(col(FailedItem.resolved_at).is_(None)))
        return {row.item_uuid: row for row in rows}


def song_calls(sandbox: Any, uuid: str) -> int:
    return sum(
        1
        for endpoint, params, _ in sandbox.ledger.requests
        if (endpoint, params) == ("song", {"uuid": uuid})
    )


def test_retried_flow_run_counts_the_items_its_first_attempt_failed(
    sandbox: Any, cascade_env: str
) -> None:
    tracks = chart_tracks(sandbox.world, CHART)
    broken, flaky = tracks[2], tracks[5]
    sandbox.inject("song", uuid=broken, kind="missing_field", times=1)
    sandbox.inject("song", uuid=flaky, kind=503, times=9)  # outlasts the 8 task retries
    parameters = {"chart": CHART, "options": METADATA_ONLY}

    async def create() -> Any:
        async with get_client() as client:
            return await client.create_flow_run(sync_chart, parameters=parameters)

    flow_run = asyncio.run(create())
    first = run_flow(sync_chart, flow_run=flow_run, parameters=parameters, return_type="state")

    async def retry() -> Any:  # what the UI's Retry does: the same run, scheduled again
        async with get_client() as client:
            await client.set_flow_run_state(flow_run.id, Scheduled(), force=True)
            return await client.read_flow_run(flow_run.id)

    again = run_flow(
        sync_chart, flow_run=asyncio.run(retry()), parameters=parameters, return_type="state"
    )

    row = stage_row(summary_of(first), "track-metadata")
    assert (row["new"], row["failed"]) == (len(tracks) - 2, 2)
    row = stage_row(summary_of(again), "track-metadata")
    assert (row["new"], row["skipped_fresh"], row["failed"]) == (2, len(tracks) - 2, 0)
    assert again.is_completed() and open_failures(cascade_env) == {}


class ExplodingWork(TrackMetadataWork):
    """Track metadata whose fetch hits an unexpected error (a bug, say) at one item."""

    def __init__(self, boom: str) -> None:
        super().__init__(datetime.now(UTC) - timedelta(days=7), force=False)
        self.boom = boom

    def fetch(self, client: SoundchartsClient, key: str) -> Any:
        if key == self.boom:
            raise KeyError("a field nobody expected")
        return super().fetch(client, key)


@task(cache_policy=NO_CACHE, retries=0)
def exploding_batch(keys: list[str], boom: str, ctx: RunContext) -> StageOutcome:
    return run_batch(ExplodingWork(boom), keys, ctx)


@flow
def one_exploding_batch(keys: list[str], boom: str) -> StageOutcome:
    ctx = start_run(None)
    try:
        future = exploding_batch.submit(keys, boom, quote(ctx))
        return collect(Submitted("track-metadata", [(keys, future)]), ctx)
    finally:
        ctx.close()


def test_batch_dying_mid_way_records_failures_only_for_what_it_did_not_save(
    sandbox: Any, cascade_env: str
) -> None:
    assert sync_chart(CHART, options=RANKING_ONLY, return_state=True).is_completed()
    keys = chart_tracks(sandbox.world, CHART)
    boom = keys[11]  # after the first save (every 10 items)

    outcome = one_exploding_batch(keys, boom)

    with session_scope(cascade_env) as session:
        fetched = session.exec(
            select(Track.uuid).where(col(Track.metadata_fetched_at).is_not(None))
        )
        stored = set(fetched.all())
    assert stored == set(keys[:11])
    assert set(open_failures(cascade_env)) == set(keys[11:])
    assert outcome.new == set(keys[:11]) and set(outcome.failed) == set(keys[11:])
    assert "KeyError" in outcome.failed[boom]


def test_permanent_failures_back_off_after_three_attempts(sandbox: Any, cascade_env: str) -> None:
    broken = chart_tracks(sandbox.world, CHART)[3]
    sandbox.inject("song", uuid=broken, kind="missing_field", times=100)

    states = [sync_chart(CHART, options=METADATA_ONLY, return_state=True) for _ in range(4)]

    assert song_calls(sandbox, broken) == 3
    failure = open_failures(cascade_env)[broken]
    assert failure.permanent and failure.attempts == 3
    last = stage_row(summary_of(states[-1]), "track-metadata")
    assert (last["failed"], last["backing_off"]) == (0, 1)
    assert [stage_row(summary_of(s), "track-metadata")["failed"] for s in states[:3]] == [1, 1, 1]
    assert all(state.is_completed() for state in states)
    assert "backing off" in (states[-1].message or "")

    due = backlog_sweep(SweepOptions(retry_failures="due"), return_state=True)
    assert song_calls(sandbox, broken) == 3 and due.is_completed()
    every = backlog_sweep(SweepOptions(retry_failures="all"), return_state=True)
    assert song_calls(sandbox, broken) == 4 and every.is_completed()
    assert open_failures(cascade_env)[broken].attempts == 4
