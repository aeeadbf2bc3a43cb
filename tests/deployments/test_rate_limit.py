"""The shared rate limit: a run creates a missing one with the configured values, once even
when runs start together; `setup` says what it changed."""

from __future__ import annotations

import contextvars
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from prefect import get_client

from chartcascade.limits import ensure_rate_limit, require_rate_limit
from chartcascade.settings import Settings, get_settings

pytestmark = pytest.mark.prefect


@pytest.fixture
def settings(prefect_api: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings of credentials no other test used (a limit of their own): 7 requests/s,
    burst 14."""
    monkeypatch.setenv("SOUNDCHARTS_APP_ID", f"app-{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("CHARTCASCADE_RATE_LIMIT_PER_SECOND", "7")
    monkeypatch.setenv("CHARTCASCADE_RATE_LIMIT_BURST", "14")
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


def stored_limits(name: str) -> list[tuple[int, float | None, bool]]:
    with get_client(sync_client=True) as client:
        limits = client.read_global_concurrency_limits(limit=200)
    return [(x.limit, x.slot_decay_per_second, x.active) for x in limits if x.name == name]


def test_a_run_creates_a_missing_rate_limit_with_the_configured_values(
    settings: Settings,
) -> None:
    assert stored_limits(settings.rate_limit_name) == []

    assert require_rate_limit(settings) == (14, 7.0)

    assert stored_limits(settings.rate_limit_name) == [(14, 7.0, True)]


def test_runs_starting_together_create_the_rate_limit_once(settings: Settings) -> None:
    starting = threading.Barrier(6)

    def start_run() -> tuple[int, float]:
        starting.wait()
        return require_rate_limit(settings)

    with ThreadPoolExecutor(6) as pool:
        contexts = [contextvars.copy_context() for _ in range(6)]  # the harness's API URL
        results = list(pool.map(lambda context: context.run(start_run), contexts))

    assert results == [(14, 7.0)] * 6
    assert stored_limits(settings.rate_limit_name) == [(14, 7.0, True)]


def test_setup_says_created_then_unchanged_then_updated(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert ensure_rate_limit(settings) == "created"
    assert ensure_rate_limit(settings) == "unchanged"

    monkeypatch.setenv("CHARTCASCADE_RATE_LIMIT_BURST", "30")
    get_settings.cache_clear()

    assert ensure_rate_limit(get_settings()) == "updated"
    assert stored_limits(settings.rate_limit_name) == [(30, 7.0, True)]
