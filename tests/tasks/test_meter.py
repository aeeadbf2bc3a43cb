"""A task's meter: calls counted against the run's budget, none sent once the run stops."""

from __future__ import annotations

import threading

import pytest

from chartcascade.tasks.budget import BudgetExhausted, CallBudget, CallMeter, RunStopping


def test_a_stopping_run_sends_nothing_and_counts_nothing() -> None:
    stop = threading.Event()
    budget = CallBudget(10)
    meter = CallMeter(budget, None, stop)
    meter.before_request("/api/v2.25/song/a")
    assert budget.used == 1

    stop.set()
    with pytest.raises(RunStopping, match="the run is stopping: /api/v2.25/song/b not sent"):
        meter.before_request("/api/v2.25/song/b")
    assert budget.used == 1


def test_a_stopping_item_keeps_its_reserved_calls_for_end_item_to_give_back() -> None:
    stop = threading.Event()
    budget = CallBudget(10)
    meter = CallMeter(budget, None, stop)
    assert meter.start_item(7)  # an airplay item: 7 days
    meter.before_request("/day/1")
    stop.set()

    with pytest.raises(BudgetExhausted):  # the batch defers the item, as for the budget
        meter.before_request("/day/2")
    meter.end_item()
    assert budget.used == 1
