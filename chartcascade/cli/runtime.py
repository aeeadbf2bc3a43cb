"""The end of a command that ran flows: nothing talks to Prefect once the process exits."""

from __future__ import annotations

import sys

DRAIN_TIMEOUT_SECONDS = 15.0


def settle_prefect() -> None:
    """Stop the background rate-limit acquisitions, then send the events and logs still queued,
    so that nothing is emitted while the interpreter (and a temporary API) shuts down."""
    budget = sys.modules.get("chartcascade.tasks.budget")
    if budget is not None:
        budget.RateBudget.shutdown_all(timeout=DRAIN_TIMEOUT_SECONDS)
    events = sys.modules.get("prefect.events.worker")
    if events is not None:
        events.EventsWorker.drain_all(timeout=DRAIN_TIMEOUT_SECONDS)
    logs = sys.modules.get("prefect.logging.handlers")
    if logs is not None:
        logs.APILogWorker.drain_all(timeout=DRAIN_TIMEOUT_SECONDS)
