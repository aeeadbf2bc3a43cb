"""The task runner of the chart and sweep flows: threads sized by the settings of the run."""

from __future__ import annotations

import math
from typing import Any, Self

from prefect.task_runners import ThreadPoolTaskRunner

from chartcascade.settings import get_settings

# Task threads per request in flight. A batch's thread spends about a third of its time
# claiming, parsing and saving, with no request open; the run's request slots
# (`RunContext.request_slots`) still cap the requests in flight at the setting. With 16
# requests, 28 threads made the cascade benchmark 6% faster than 16 (three runs each).
THREADS_PER_REQUEST = 1.75


def task_threads(max_parallel_requests: int) -> int:
    """The task threads of a run allowed `max_parallel_requests` requests in flight."""
    return math.ceil(max_parallel_requests * THREADS_PER_REQUEST)


class SettingsThreadPoolTaskRunner(ThreadPoolTaskRunner[Any]):
    """A thread pool sized by `CHARTCASCADE_MAX_PARALLEL_REQUESTS` (`task_threads`), read when
    a run starts (not when the flow module is imported, so a bad setting cannot break an
    import)."""

    def __init__(self, max_workers: int | None = None) -> None:
        super().__init__(max_workers=max_workers or 1)
        self._from_settings = max_workers is None

    def duplicate(self) -> SettingsThreadPoolTaskRunner:
        return type(self)(None if self._from_settings else self._max_workers)

    def __enter__(self) -> Self:
        if self._from_settings:
            self._max_workers = task_threads(get_settings().max_parallel_requests)
        return super().__enter__()
