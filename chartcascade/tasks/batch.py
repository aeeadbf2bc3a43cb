"""The work loop every API stage shares: claim, select, fetch item by item, save as it goes."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from prefect.context import TaskRunContext
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from chartcascade.crud.claims import claim, release
from chartcascade.crud.failures import (
    backing_off,
    metadata_refetched,
    record_failures,
    resolve_failures,
)
from chartcascade.db import read_scope, session_scope
from chartcascade.soundcharts import (
    AuthenticationError,
    QuotaExceededError,
    SoundchartsClient,
    SoundchartsError,
    is_retryable,
)
from chartcascade.tasks.budget import (
    BudgetExhausted,
    CallBudget,
    CallMeter,
    RateBudget,
    RateLimiterUnavailable,
)
from chartcascade.tasks.heartbeat import CLAIM_LEASE, ClaimHeartbeat
from chartcascade.tasks.outcome import BatchFailed, BatchIncomplete, PartialFetch, StageOutcome

# How long a batch waits for items another live run holds, then re-checks them: longer than a
# lease, so the claims of a killed run lapse while it waits.
HELD_WAIT_SECONDS = CLAIM_LEASE.total_seconds() + 30
# Held items are looked at again after HELD_POLL_SECONDS, then 1.5 times longer each round up
# to HELD_POLL_MAX_SECONDS: each look is two transactions, and 12 runs waiting for each other
# looked every second in every waiting batch.
HELD_POLL_SECONDS = 1.0
HELD_POLL_MAX_SECONDS = 3.0
# A batch claims this many of its items at a time. Claiming all at once (up to 50) kept every
# other run waiting for items this one would reach only much later: 12 runs sharing artists
# ran their artist stages at 0.2-0.4 R, one run at a time. With 5, one run's 472 claim
# transactions held the process's SQLite writer lock 7-8 s of a 33-s benchmark run; with 10,
# 270 held it 4.9 s.
CLAIM_SLICE = 10
# A batch saves what it fetched every SAVE_EVERY_ITEMS items or SAVE_EVERY_SECONDS seconds.
SAVE_EVERY_ITEMS = 10
SAVE_EVERY_SECONDS = 5.0
RetryFailures = Literal["none", "due", "all"]
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
    rate_refill: float | None = None  # the limit's slots per second, when known
    rate_local: bool = False  # slots from the machine's broker, not each process's own asking
    force: bool = False
    retry_failures: RetryFailures = "due"
    stop: threading.Event = field(default_factory=threading.Event)
    stopped_by: str | None = None  # why `stop` was set, when it was not the quota
    held_wait: float = HELD_WAIT_SECONDS
    heartbeat: ClaimHeartbeat | None = None
    # The run's requests in flight at once (None: as many as its threads): a task's thread
    # also claims, parses and saves, so the run has more threads than requests in flight.
    request_slots: threading.BoundedSemaphore | None = None

    def meter(self) -> CallMeter:
        """A task's meter over the run's call budget and the process's rate-limit pool."""
        pool = RateBudget.shared(
            self.rate_limit_name,
            self.rate_chunk,
            self.rate_max_age,
            refill=self.rate_refill,
            local=self.rate_local,
        )
        return CallMeter(self.budget, pool, self.stop)

    def client(self, meter: CallMeter) -> SoundchartsClient:
        """An API client whose calls go through `meter` and the run's request slots."""
        return SoundchartsClient(
            before_request=meter.before_request,
            on_rate_limit=meter.rate_limited,
            request_slots=self.request_slots,
        )

    def close(self) -> None:
        """End of the run: stop renewing its claims."""
        if self.heartbeat is not None:
            self.heartbeat.stop()


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
        """Store fetched items (called several times per batch, each time with new items)."""


# Outcomes of earlier attempts of the same task run, so a retry counts each item once.
_earlier_attempts: dict[str, StageOutcome] = {}
_earlier_lock = threading.Lock()


def _carried_outcome(stage: str) -> tuple[str | None, StageOutcome]:
    task_ctx = TaskRunContext.get()
    run_key = str(task_ctx.task_run.id) if task_ctx else None
    with _earlier_lock:
        outcome = _earlier_attempts.pop(run_key, None) if run_key else None
    return run_key, outcome or StageOutcome(stage)


class BatchSaver:
    """What a batch fetched, saved every few items or seconds, so a kill loses at most that;
    each save resolves the saved items' failures and releases their claims."""

    def __init__(self, work: StageWork[Any], ctx: RunContext, outcome: StageOutcome) -> None:
        self.work = work
        self.ctx = ctx
        self.outcome = outcome
        self.results: list[tuple[str, Any]] = []
        self.permanent: dict[str, str] = {}
        self.finished: list[str] = []  # keys whose claims can go
        self.saved_at = time.monotonic()

    def add(self, key: str, result: Any) -> None:
        self.results.append((key, result))
        self.finished.append(key)
        self.save_if_due()

    def fail(self, key: str, error: str) -> None:
        self.permanent[key] = error
        self.finished.append(key)

    def save_if_due(self) -> None:
        due = time.monotonic() - self.saved_at >= SAVE_EVERY_SECONDS
        if len(self.results) >= SAVE_EVERY_ITEMS or (due and self.results):
            self.save()

    def save(self, release_keys: Sequence[str] = ()) -> None:
        """Store what is pending; release the claims of finished items (and `release_keys`)."""
        results, permanent, finished = self.results, self.permanent, self.finished
        self.results, self.permanent, self.finished = [], {}, []
        self.saved_at = time.monotonic()
        if not (results or permanent or finished or release_keys):
            return
        done = self.outcome.done
        try:
            with session_scope(self.ctx.database_url) as session:
                if results:
                    self.work.save(session, results)
                    saved = [key for key, _ in results if key in done]
                    resolve_failures(session, stage=self.work.stage, item_uuids=saved)
                if permanent:
                    record_failures(
                        session,
                        stage=self.work.stage,
                        errors=permanent,
                        run_id=self.ctx.run_id,
                        permanent=True,
                    )
                keys = [claim_key(self.work, k) for k in [*finished, *release_keys]]
                if keys:
                    release(session, keys=keys, owner=self.ctx.run_id)
        except Exception:
            for key, _ in results:  # nothing of this save was stored: not done after all
                self.outcome.new.discard(key)
                self.outcome.updated.discard(key)
            for key in permanent:
                self.outcome.failed.pop(key, None)
            raise


def claim_key(work: StageWork[Any], key: str) -> str:
    """The work-claim key of one item of a stage."""
    return f"{work.stage}/{key}"


def run_batch(work: StageWork[Any], keys: Sequence[str], ctx: RunContext) -> StageOutcome:
    """Work one batch of keys; raise `BatchIncomplete` if a retry could finish it.

    Items another live run holds are waited for (up to `ctx.held_wait`), then re-checked: done
    by the other run, done here, or left undone; never counted as fresh.
    """
    run_key, outcome = _carried_outcome(work.stage)
    if ctx.heartbeat is not None:
        ctx.heartbeat.start()
    wanted = [k for k in dict.fromkeys(keys) if k not in outcome.settled]
    saver = BatchSaver(work, ctx, outcome)
    transient: dict[str, str] = {}
    meter = ctx.meter()
    held: list[str] = []
    error: Exception | None = None
    try:
        with ctx.client(meter) as client:
            try:
                wanted, due = _starting_keys(work, wanted, ctx, outcome)
                held = _work_rounds(work, wanted, due, ctx, meter, client, saver, transient)
            finally:
                outcome.calls += client.calls_made
                outcome.quota_remaining = client.quota_remaining
    except Exception as exc:  # noqa: BLE001 - recorded with what the batch saved, then raised
        error = exc
    try:
        saver.save(release_keys=wanted)
    except Exception as exc:  # noqa: BLE001 - the pending items are not saved: not done
        error = error or exc
    outcome.deferred |= set(held)
    outcome.settle()
    failure: BatchIncomplete | None = None
    if error is not None:
        unfinished = [k for k in wanted if k not in outcome.settled and k not in transient]
        errors = {k: f"{type(error).__name__}: {error}" for k in unfinished}
        failure = BatchFailed(outcome, {**transient, **errors}, error)
    elif transient:
        failure = BatchIncomplete(outcome, transient)
    if failure is not None:
        _carry_to_next_attempt(run_key, outcome)
        raise failure from error
    return outcome


def _starting_keys(
    work: StageWork[Any], keys: list[str], ctx: RunContext, outcome: StageOutcome
) -> tuple[list[str], set[str]]:
    """The keys minus those whose permanent failures back off (unless asked to retry all),
    and those of them that need work at the batch's start (the others are counted skipped);
    one transaction."""
    if not keys:
        return keys, set()
    with read_scope(ctx.database_url) as session:
        if ctx.retry_failures != "all":
            changed = metadata_refetched(session, stage=work.stage, item_uuids=keys)
            resting = backing_off(session, stage=work.stage, item_uuids=keys, changed_since=changed)
            outcome.backing_off |= resting
            keys = [k for k in keys if k not in resting]
        due = set(work.select(session, keys)) if keys else set()
    # Counted now, not slice by slice: a batch that fails later must not report them failed.
    outcome.skipped.update(k for k in keys if k not in due)
    return keys, due


def _work_rounds(
    work: StageWork[Any],
    keys: list[str],
    due: set[str],
    ctx: RunContext,
    meter: CallMeter,
    client: SoundchartsClient,
    saver: BatchSaver,
    transient: dict[str, str],
) -> list[str]:
    """Claim, select and fetch, CLAIM_SLICE keys at a time; then again for the keys other
    runs held, until they are free or the wait is over. The keys still held elsewhere at the
    end. (`due`: the keys that needed work when the batch began.)"""
    waiting = list(keys)
    first_round = True
    deadline = 0.0  # set once this run's own items are done: the wait is for the others'
    poll = HELD_POLL_SECONDS
    while waiting:
        # Later rounds claim what is left at once: mostly items the other run stored meanwhile
        # (one claim a round instead of one a slice, every second, in each waiting run).
        size = CLAIM_SLICE if first_round else len(waiting)
        won_keys: list[str] = []
        for start in range(0, len(waiting), size):
            part = waiting[start : start + size]
            won_keys += _claim_and_fetch(work, part, due, ctx, meter, client, saver, transient)
        won = set(won_keys)
        waiting = [k for k in waiting if k not in won]
        if first_round:
            deadline = time.monotonic() + ctx.held_wait
        first_round = False
        if not waiting or ctx.stop.is_set() or time.monotonic() >= deadline:
            break
        # What is fetched is stored, and every claim of this round freed, before waiting: two
        # runs waiting for each other's items never deadlock.
        saver.save(release_keys=won_keys)
        ctx.stop.wait(min(poll, max(0.0, deadline - time.monotonic())))
        poll = min(HELD_POLL_MAX_SECONDS, 1.5 * poll)
    return waiting


def _claim_and_fetch(
    work: StageWork[Any],
    keys: list[str],
    due: set[str],
    ctx: RunContext,
    meter: CallMeter,
    client: SoundchartsClient,
    saver: BatchSaver,
    transient: dict[str, str],
) -> list[str]:
    """Claim `keys`, fetch those won that need it; the keys won. (`due`: the keys that needed
    work when the batch began: one found fresh now was stored by another run meanwhile.)

    Only the claim is a write: keys fresh at the batch's start are not claimed at all, and
    what the won keys need is read after the claim is committed (a run that stored one of
    them released it after its commit, so the read sees it). Those found stored are released
    in a second write: a run killed between the two leaves their claims until the lease ends,
    and a run waiting for them meanwhile counts them done elsewhere."""
    wanted = [k for k in keys if k in due]
    if not wanted:
        return list(keys)
    by_claim = {claim_key(work, k): k for k in wanted}
    with session_scope(ctx.database_url) as session:
        won = claim(session, keys=list(by_claim), owner=ctx.run_id, lease=CLAIM_LEASE)
    won_keys = [by_claim[c] for c in won]
    with read_scope(ctx.database_url) as session:
        todo = work.select(session, won_keys) if won_keys else {}
    fresh = [k for k in won_keys if k not in todo]
    if fresh:  # stored by another run since the batch began: nothing to do, the claims go
        with session_scope(ctx.database_url) as session:
            release(session, keys=[claim_key(work, k) for k in fresh], owner=ctx.run_id)
        saver.outcome.elsewhere.update(fresh)
    won_keys += [k for k in keys if k not in due]
    _fetch_all(work, todo, ctx, meter, client, saver, transient)
    return won_keys


def _fetch_all(
    work: StageWork[Any],
    todo: dict[str, bool],
    ctx: RunContext,
    meter: CallMeter,
    client: SoundchartsClient,
    saver: BatchSaver,
    transient: dict[str, str],
) -> None:
    """Fetch the items one by one, sorting each failure into transient or permanent."""
    outcome = saver.outcome
    for key, is_new in todo.items():
        if ctx.stop.is_set() or not meter.start_item(work.estimate(key)):
            outcome.deferred.add(key)
            continue
        try:
            result = work.fetch(client, key)
            (outcome.new if is_new else outcome.updated).add(key)
            saver.add(key, result)
        except PartialFetch as exc:
            saver.add(key, exc.partial)
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
        except RateLimiterUnavailable as exc:  # no slot can be had: stop, do not fail items
            ctx.stopped_by = ctx.stopped_by or str(exc)
            ctx.stop.set()
            outcome.deferred.add(key)
        except SoundchartsError as exc:
            if is_retryable(exc):
                transient[key] = str(exc)
            else:
                outcome.failed[key] = str(exc)
                saver.fail(key, str(exc))
        finally:
            meter.end_item()


def _carry_to_next_attempt(run_key: str | None, outcome: StageOutcome) -> None:
    task_ctx = TaskRunContext.get()
    if run_key and task_ctx and task_ctx.task_run.run_count <= task_ctx.task.retries:
        with _earlier_lock:
            _earlier_attempts[run_key] = outcome


def can_succeed_later(exc: BaseException) -> bool:
    """An API failure that is retryable, or a database that was busy, locked, deadlocked or
    unreachable for a moment (SQLAlchemy's OperationalError)."""
    return is_retryable(exc) or isinstance(exc, OperationalError)


def retry_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect `retry_condition_fn`: retry only what a later attempt can fix."""
    try:
        state.result()
    except BatchFailed as exc:
        return can_succeed_later(exc.cause)
    except BatchIncomplete:
        return True
    except Exception as exc:  # noqa: BLE001 - classify, never re-raise here
        return can_succeed_later(exc)
    return False
