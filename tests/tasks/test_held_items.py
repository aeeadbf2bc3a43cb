"""Items another run holds: waited for once this run's own items are done, then re-checked."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from chartcascade.crud.claims import claim, release
from chartcascade.db import session_scope
from chartcascade.soundcharts import SoundchartsClient
from chartcascade.tasks.batch import RunContext, run_batch
from chartcascade.tasks.budget import CallBudget


class SlowWork:
    """A stage whose items take a while to fetch; `stored` is what the database holds."""

    stage = "test-stage"

    def __init__(self, stored: set[str], seconds: float) -> None:
        self.stored = stored
        self.seconds = seconds

    def select(self, session: Session, keys: Sequence[str]) -> dict[str, bool]:
        return {key: True for key in keys if key not in self.stored}

    def estimate(self, key: str) -> int:
        return 0

    def fetch(self, client: SoundchartsClient, key: str) -> str:
        time.sleep(self.seconds)
        return key

    def save(self, session: Session, results: list[tuple[str, Any]]) -> None:
        self.stored.update(key for key, _ in results)


def run_context(database_url: str, run_id: str, **options: Any) -> RunContext:
    """A run's context without a budget or a shared rate limit."""
    return RunContext(
        run_id=run_id,
        database_url=database_url,
        budget=CallBudget(None),
        rate_limit_name=None,
        rate_chunk=1,
        **options,
    )


def test_an_item_held_elsewhere_is_waited_for_after_the_batchs_own_work(
    cascade_env: str,
) -> None:
    stored: set[str] = set()
    with session_scope(cascade_env) as session:
        claim(session, keys=["test-stage/held"], owner="other", lease=timedelta(seconds=45))

    def other_run() -> None:  # stores the item and lets it go while the batch is still busy
        time.sleep(1.0)
        stored.add("held")
        with session_scope(cascade_env) as session:
            release(session, keys=["test-stage/held"], owner="other")

    threading.Thread(target=other_run).start()
    ctx = run_context(cascade_env, "me", held_wait=3)  # shorter than the batch's own work

    outcome = run_batch(SlowWork(stored, 1.5), ["a", "b", "c", "d", "held"], ctx)

    assert (outcome.new, outcome.elsewhere, outcome.deferred) == (
        {"a", "b", "c", "d"},
        {"held"},
        set(),
    )


class DyingWork(SlowWork):
    """A stage whose process dies (as under SIGKILL: nothing after it runs) at one item."""

    def fetch(self, client: SoundchartsClient, key: str) -> str:
        raise SystemExit("killed")


def test_a_run_dying_mid_batch_leaves_no_claim_on_what_was_already_stored(
    cascade_env: str,
) -> None:
    from sqlmodel import select

    from chartcascade.models import WorkClaim

    ctx = run_context(cascade_env, "doomed")
    with contextlib.suppress(SystemExit):
        run_batch(DyingWork({"stored"}, 0), ["stored", "pending"], ctx)

    with session_scope(cascade_env) as session:
        held = set(session.exec(select(WorkClaim.key)).all())
    assert held == {"test-stage/pending"}  # a later run waits for this one only


def test_two_runs_on_the_same_batch_share_its_items(cascade_env: str) -> None:
    # A batch claims a few items at a time: a second run started just after the first works
    # the items the first has not reached, instead of waiting for all of them.
    stored: set[str] = set()
    keys = [f"item-{n:02}" for n in range(20)]
    outcomes: dict[str, Any] = {}

    def run(run_id: str) -> None:
        ctx = run_context(cascade_env, run_id, held_wait=10)
        outcomes[run_id] = run_batch(SlowWork(stored, 0.2), keys, ctx)

    first = threading.Thread(target=run, args=("first",))
    first.start()
    time.sleep(0.3)  # the first run holds its first items
    run("second")
    first.join()

    new = {run_id: outcome.new for run_id, outcome in outcomes.items()}
    assert new["first"] | new["second"] == set(keys)
    assert not new["first"] & new["second"]
    assert len(new["second"]) >= 5, new
    assert "item-00" in new["first"]
    # What the other run stored meanwhile was done elsewhere, not fresh at the start.
    assert outcomes["first"].skipped == set()
    assert outcomes["first"].elsewhere == new["second"]


class BrokenWork(SlowWork):
    """A stage whose fetch fails with an error nobody expected (a bug, not the API)."""

    def fetch(self, client: SoundchartsClient, key: str) -> str:
        raise RuntimeError("unexpected")


def test_a_batch_failing_early_reports_only_its_due_items_failed(cascade_env: str) -> None:
    # The one item due comes first; the 29 stored ones fill this slice and two more that the
    # batch never reaches. Only the due item is failed: the stored ones were never work.
    from chartcascade.tasks.outcome import BatchFailed

    stored = {f"stored-{n:02}" for n in range(29)}
    ctx = run_context(cascade_env, "me")

    with pytest.raises(BatchFailed) as raised:
        run_batch(BrokenWork(stored, 0), ["due", *sorted(stored)], ctx)

    assert set(raised.value.errors) == {"due"}
    assert raised.value.outcome.skipped == stored
