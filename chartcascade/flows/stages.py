"""Fanning a stage out over batches, and gathering what the batches did."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from prefect import get_run_logger
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.states import Failed, State

from chartcascade.crud.failures import open_failures, record_failures
from chartcascade.db import session_scope
from chartcascade.limits import MissingRateLimitError, require_rate_limit
from chartcascade.schema import upgrade
from chartcascade.settings import ConfigurationError, get_settings
from chartcascade.tasks.batch import RetryFailures, RunContext
from chartcascade.tasks.budget import CallBudget
from chartcascade.tasks.heartbeat import ClaimHeartbeat
from chartcascade.tasks.outcome import BatchIncomplete, StageOutcome

MAX_BATCH = 50
MIN_SLOT_AGE = 10.0


def start_run(
    max_api_calls: int | None, *, force: bool = False, retry_failures: RetryFailures = "due"
) -> RunContext:
    """A flow run's preflight (credentials, schema, the shared rate limit) and the context its
    tasks share. Raises ConfigurationError or MissingRateLimitError with what to fix."""
    settings = get_settings()
    settings.credentials()
    upgrade(settings.database_url)
    burst, refill = require_rate_limit(settings)
    chunk = burst  # a whole burst per acquisition: chunks are granted a refill time apart
    run_id = str(flow_run.id or f"local-{uuid4()}")
    return RunContext(
        run_id=run_id,
        database_url=settings.database_url,
        budget=CallBudget(max_api_calls),
        rate_limit_name=settings.rate_limit_name,
        rate_chunk=chunk,
        # Slots in hand are at most one chunk; they expire after two refill times (at least
        # 10 s, or threads could not spend a chunk before it expired), never surviving idleness.
        rate_max_age=max(MIN_SLOT_AGE, 2 * chunk / refill),
        rate_refill=refill,
        rate_local=settings.rate_limit_local_broker,
        force=force,
        retry_failures=retry_failures,
        heartbeat=ClaimHeartbeat(settings.database_url, run_id),
        request_slots=threading.BoundedSemaphore(settings.max_parallel_requests),
    )


def within_run(
    work: Callable[[RunContext], State],
    max_api_calls: int | None,
    *,
    force: bool = False,
    retry_failures: RetryFailures = "due",
) -> State:
    """A flow run's body: the preflight (a problem with it ends the run Failed in one line),
    then `work` with the run's context, whose claims stop being renewed when it ends."""
    try:
        ctx = start_run(max_api_calls, force=force, retry_failures=retry_failures)
    except (ConfigurationError, MissingRateLimitError) as exc:
        get_run_logger().error("%s", exc)
        return Failed(message=str(exc), data=exc)
    try:
        return work(ctx)
    finally:
        ctx.close()


@dataclass
class Submitted:
    """The futures of one stage, each with the keys of its batch."""

    stage: str
    batches: list[tuple[list[str], PrefectFuture[StageOutcome]]]


def failures_first(ctx: RunContext, stage: str, keys: Sequence[str]) -> list[str]:
    """The keys with open recorded failures first, then the rest, each in the given order."""
    with session_scope(ctx.database_url) as session:
        failed = {f.item_uuid for f in open_failures(session, stage=stage, item_uuids=list(keys))}
    return [k for k in keys if k in failed] + [k for k in keys if k not in failed]


def batches(keys: Sequence[str], *, workers: int, calls_per_item: float = 1.0) -> list[list[str]]:
    """Consecutive batches sized so that every worker has several, none too long."""
    if not keys:
        return []
    total = len(keys) * calls_per_item
    target_calls = max(8.0, total / (4 * workers))
    size = max(1, min(MAX_BATCH, math.floor(target_calls / max(calls_per_item, 1e-9))))
    return [list(keys[i : i + size]) for i in range(0, len(keys), size)]


def submit_stage(
    stage: str,
    keys: Sequence[str],
    submit: Callable[[int, list[str]], PrefectFuture[StageOutcome]],
    *,
    workers: int,
    calls_per_item: float = 1.0,
) -> Submitted:
    """Submit one task per batch, in priority order."""
    return Submitted(
        stage,
        [
            (batch, submit(number, batch))
            for number, batch in enumerate(
                batches(keys, workers=workers, calls_per_item=calls_per_item), start=1
            )
        ],
    )


def collect(submitted: Submitted, ctx: RunContext) -> StageOutcome:
    """Wait for every batch; record what still failed after its retries (and was not saved)."""
    outcome = StageOutcome(submitted.stage)
    for keys, future in submitted.batches:
        future.wait()
        state = future.state
        if state.is_completed():
            outcome.merge(future.result())
            continue
        error: Any = state.result(raise_on_failure=False)
        if isinstance(error, BatchIncomplete):  # the batch's own record of what it saved
            outcome.merge(error.outcome)
            errors = {k: e for k, e in error.errors.items() if k not in error.outcome.done}
        else:  # the task died outside its loop: nothing of it is known to be saved
            errors = {k: f"{type(error).__name__}: {error}" for k in keys}
        outcome.failed.update(errors)
        outcome.settle()
        if errors:
            with session_scope(ctx.database_url) as session:
                record_failures(session, stage=submitted.stage, errors=errors, run_id=ctx.run_id)
    return outcome.settle()
