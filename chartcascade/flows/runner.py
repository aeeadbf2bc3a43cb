"""The task runner of the chart and sweep flows: threads sized by the settings of the run."""

from __future__ import annotations

from typing import Any, Self

from prefect.task_runners import ThreadPoolTaskRunner

from chartcascade.settings import get_settings


class SettingsThreadPoolTaskRunner(ThreadPoolTaskRunner[Any]):
    """A thread pool of `CHARTCASCADE_MAX_PARALLEL_REQUESTS` threads, read when a run starts
    (not when the flow module is imported, so a bad setting cannot break an import)."""

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers=max_workers or 1)
        self._from_settings = max_workers is None

    def duplicate(self) -> SettingsThreadPoolTaskRunner:
        return type(self)(None if self._from_settings else self._max_workers)

    def __enter__(self) -> Self:
        if self._from_settings:
            self._max_workers = get_settings().max_parallel_requests
        return super().__enter__()
