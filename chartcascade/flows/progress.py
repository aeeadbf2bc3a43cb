"""Progress of a chart run: a Prefect progress artifact, and listeners for the command line."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from prefect.artifacts import create_progress_artifact, update_progress_artifact

from chartcascade.flows.summary import artifact_key

ProgressListener = Callable[[str, float], None]
_listeners: list[ProgressListener] = []


def subscribe(listener: ProgressListener) -> Callable[[], None]:
    """Call `listener(message, percent)` on every progress step; returns an unsubscribe."""
    _listeners.append(listener)
    return lambda: _listeners.remove(listener)


class RunProgress:
    """Moves a run's progress artifact stage by stage."""

    def __init__(self, chart: str, steps: int) -> None:
        self.steps = max(1, steps)
        self.done = 0
        self.artifact_id: UUID = create_progress_artifact(  # type: ignore[assignment]
            0.0,
            key=artifact_key("sync", chart, "progress"),
            description=f"Chart run of {chart}: starting",
        )

    def step(self, message: str) -> None:
        """One more step done."""
        self.done = min(self.steps, self.done + 1)
        percent = 100.0 * self.done / self.steps
        update_progress_artifact(self.artifact_id, percent, description=message)
        for listener in list(_listeners):
            listener(message, percent)
