"""Test-wide set-up: a quiet, isolated Prefect, no real credentials, and shared fixtures."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

# Before anything imports Prefect or reads settings.
_PREFECT_HOME = tempfile.mkdtemp(prefix="chartcascade-prefect-")
for _name in list(os.environ):
    if _name.startswith(("SOUNDCHARTS_", "CHARTCASCADE_DATABASE", "DATABASE_URL", "PREFECT_API")):
        os.environ.pop(_name)
os.environ.update(
    {
        "PREFECT_HOME": _PREFECT_HOME,
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_TASKS_DEFAULT_NO_CACHE": "true",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "200",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "200",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
        "CHARTCASCADE_RETRY_DELAY_SECONDS": "0",
        "CHARTCASCADE_TASK_RETRIES": "8",
    }
)


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """One Prefect test server (temporary SQLite) for the whole test session."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield str(PREFECT_API_URL.value())
