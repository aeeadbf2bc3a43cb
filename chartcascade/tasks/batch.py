"""The work loop every API stage shares: claim, select, fetch item by item, save once, report."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Generic, Protocol, TypeVar

from prefect.context import TaskRunContext
from sqlmodel import Session

from chartcascade.crud.claims import claim, release
from chartcascade.crud.failures import failed_in_run, record_failures, resolve_failures
from chartcascade.db import session_scope
from chartcascade.soundcharts import (
    AuthenticationError,
    QuotaExceededError,
    SoundchartsClient,
    SoundchartsError,
    is_retryable,
)
from chartcascade.tasks.budget import BudgetExhausted, CallBudget, CallMeter, RateBudget
from chartcascade.tasks.outcome import BatchIncomplete, PartialFetch, StageOutcome

CLAIM_LEASE = timedelta(minutes=10)
T = TypeVar("T")


@dataclass
class RunContext:
    """What every task of one flow run shares (passed to tasks with `quote`, never serialised)."""

    run_id: str
    database_url: str
    budget: CallBudget
    rate_limit_name: str | None
    rate_chunk: int
    rate_max_age: float = 60.0
    force: bool = False
    stop: threading.Event = field(default_factory=threading.Event)
    stopped_by: str | None = None  # why `stop` was set, when it was not the quota

    def meter(self) -> CallMeter:
        """A task's meter over the run's call budget and the process's rate-limit pool."""
        pool = RateBudget.shared(self.rate_limit_name, self.rate_chunk, self.rate_max_age)
        return CallMeter(self.budget, pool)


class StageWork(Protocol, Generic[T]):
    """One stage's item logic; `run_batch` does the rest."""

    @property
    def stage(self) -> str:
        """The stage name, as failures and claims record it."""

    def select(self, session: Session, keys: Sequence[str]) -> dict[str, bool]:
        """The keys that need work now, in the given order, each with `True` if it is new."""

    def estimate(self, key: str) -> int:
        """How many API calls the item is expected to cost."""

    def fetch(self, client: SoundchartsClient, key: str) -> T:
        """Fetch one item."""

    def save(self, session: Session, results: list[tuple[str, T]]) -> None:
        """Store the fetched items of the batch."""


# Outcomes of earlier attempts of the same task run, so a retry counts each item once.
_earlier_attempts: dict[str, StageOutcome] = {}
_earlier_lock = threading.Lock()


def _carried_outcome(stage: str) -> tuple[str | None, StageOutcome]:
    task_ctx = TaskRunContext.get()
    run_key = str(task_ctx.task_run.id) if task_ctx else None
    with _earlier_lock:
        outcome = _earlier_attempts.pop(run_key, None) if run_key else None
    return run_key, outcome or StageOutcome(stage)


def run_batch(work: StageWork[Any], keys: Sequence[str], ctx: RunContext) -> StageOutcome:
    """Work one batch of keys; raise `BatchIncomplete` if a retry could finish it."""
    run_key, outcome = _carried_outcome(work.stage)
    claim_keys = {f"{work.stage}/{k}": k for k in keys if k not in outcome.done}
    with session_scope(ctx.database_url) as session:
        failed_now = failed_in_run(session, stage=work.stage, run_id=ctx.run_id)
        held = claim(session, keys=list(claim_keys), owner=ctx.run_id, lease=CLAIM_LEASE)
        held_keys = {claim_keys[c] for c in held}
        candidates = [k for k in claim_keys.values() if k in held_keys and k not in failed_now]
        todo = work.select(session, candidates)
    outcome.skipped |= {k for k in claim_keys.values() if k not in todo and k not in failed_now}

    meter = ctx.meter()
    results: list[tuple[str, Any]] = []
    transient: dict[str, str] = {}
    permanent: dict[str, str] = {}
    try:
        with SoundchartsClient(before_request=meter.before_request) as client:
            try:
                _fetch_all(work, todo, ctx, meter, client, results, outcome, transient, permanent)
            finally:
                outcome.calls += client.calls_made
                outcome.quota_remaining = client.quota_remaining
    finally:
        with session_scope(ctx.database_url) as session:
            work.save(session, results)
            resolve_failures(session, stage=work.stage, item_uuids=[k for k, _ in results])
            if permanent:
                record_failures(session, stage=work.stage, errors=permanent, run_id=ctx.run_id)
            release(session, keys=list(claim_keys), owner=ctx.run_id)
    outcome.failed.update(permanent)
    outcome.deferred -= outcome.done
    if transient:
        _carry_to_next_attempt(run_key, outcome)
        raise BatchIncomplete(outcome, transient)
    return outcome


def _fetch_all(
    work: StageWork[Any],
    todo: dict[str, bool],
    ctx: RunContext,
    meter: CallMeter,
    client: SoundchartsClient,
    results: list[tuple[str, Any]],
    outcome: StageOutcome,
    transient: dict[str, str],
    permanent: dict[str, str],
) -> None:
    """Fetch the items one by one, sorting each failure into transient or permanent."""
    for key, is_new in todo.items():
        if ctx.stop.is_set() or not meter.start_item(work.estimate(key)):
            outcome.deferred.add(key)
            continue
        try:
            results.append((key, work.fetch(client, key)))
            (outcome.new if is_new else outcome.updated).add(key)
        except PartialFetch as exc:
            results.append((key, exc.partial))
            transient[key] = str(exc.error)
        except BudgetExhausted:
            outcome.deferred.add(key)
        except QuotaExceededError:
            ctx.stop.set()
            outcome.quota_exhausted = True
            outcome.deferred.add(key)
        except AuthenticationError as exc:  # the key no longer works: stop, do not fail items
            ctx.stopped_by = ctx.stopped_by or f"Soundcharts refused the credentials: {exc}"
            ctx.stop.set()
            outcome.deferred.add(key)
        except SoundchartsError as exc:
            (transient if is_retryable(exc) else permanent)[key] = str(exc)
        finally:
            meter.end_item()


def _carry_to_next_attempt(run_key: str | None, outcome: StageOutcome) -> None:
    task_ctx = TaskRunContext.get()
    if run_key and task_ctx and task_ctx.task_run.run_count <= task_ctx.task.retries:
        with _earlier_lock:
            _earlier_attempts[run_key] = outcome


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect `retry_condition_fn`: retry only what a later attempt can fix."""
    try:
        state.result()
    except BatchIncomplete:
        return True
    except Exception as exc:  # noqa: BLE001 - classify, never re-raise here
        return is_retryable(exc)
    return False
