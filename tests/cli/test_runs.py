"""`chartcascade sync` as a new user runs it: a fresh Prefect home (a temporary Prefect API, no
`setup`), the sandbox served on a local port, a real SQLite file; failures end in one line."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli.runner import Finished, assert_one_line_error, interrupt_when, run, sandbox_env

# Printed when a thread talks to Prefect after the interpreter began to exit, or when the
# temporary API is stopped while it still records events.
SHUTDOWN_NOISE = (
    "can't register atexit",
    "Error emitting event",
    "Error flushing",
    "CancelledError",
)
CHART = "global-28"
CHART_SIZE = 12  # tests/conftest.py SMALL_CHARTS


def charted_tracks(database: Path, chart: str) -> int:
    """Tracks on the chart's stored rankings, counted with plain SQL."""
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute(
            "SELECT count(DISTINCT e.track_id) FROM ranking_entry e "
            "JOIN ranking_snapshot s ON s.id = e.snapshot_id JOIN chart c ON c.id = s.chart_id "
            "WHERE c.slug = ? AND NOT e.off_chart",
            (chart,),
        ).fetchone()
    return int(count)


def rate_limits(prefect_home: Path) -> list[tuple[Any, ...]]:
    """The concurrency limits the temporary Prefect API stored in its home's database."""
    with sqlite3.connect(prefect_home / "prefect.db") as connection:
        return connection.execute(
            'SELECT name, "limit", slot_decay_per_second, active FROM concurrency_limit_v2'
        ).fetchall()


def assert_quiet_exit(result: Finished) -> None:
    assert "Traceback" not in result.output, result.output
    for noise in SHUTDOWN_NOISE:
        assert noise not in result.output, result.output


def test_sync_on_a_fresh_prefect_home_needs_no_setup(tmp_path: Path, sandbox: Any) -> None:
    with sandbox.serve() as base_url:
        env = sandbox_env(tmp_path, base_url)
        result = run(["sync", CHART], env, tmp_path)
        history = run(["runs"], env, tmp_path)

    assert result.code == 0, result.output
    assert_quiet_exit(result)
    assert "setup" not in result.output
    assert charted_tracks(tmp_path / "data" / "chartcascade.db", CHART) == CHART_SIZE
    # created by the run with the configured values (sandbox_env: 500/s, burst 100)
    assert rate_limits(tmp_path / "prefect-home") == [
        ("soundcharts-rate-soundcharts", 100, 500.0, 1)
    ]
    assert history.code == 0, history.output
    assert f"{CHART}-latest" in history.stdout


def test_sync_with_a_wrong_key_says_to_check_the_credentials(tmp_path: Path, sandbox: Any) -> None:
    with sandbox.serve() as base_url:
        env = sandbox_env(tmp_path, base_url, SOUNDCHARTS_API_KEY="not-the-key")
        result = run(["sync", CHART], env, tmp_path)

    assert_one_line_error(result, "401")
    assert "check the credentials (SOUNDCHARTS_APP_ID and SOUNDCHARTS_API_KEY" in result.last_line()
    assert_quiet_exit(result)


def test_sync_stopped_by_a_used_up_quota_ends_quietly(tmp_path: Path, sandbox: Any) -> None:
    sandbox.config.quota = 40  # the ranking and part of the track metadata
    with sandbox.serve() as base_url:
        result = run(["sync", CHART], sandbox_env(tmp_path, base_url), tmp_path)

    assert_one_line_error(result, "The Soundcharts quota is used up")
    assert "left undone for a later run" in result.last_line()
    assert_quiet_exit(result)


@pytest.mark.parametrize("whole_group", [False, True], ids=["process", "terminal"])
def test_ctrl_c_during_a_sync_ends_with_one_line_and_exit_130(
    tmp_path: Path, sandbox: Any, whole_group: bool
) -> None:
    sandbox.config.latency_ms = 300  # long enough to be interrupted mid-run
    with sandbox.serve() as base_url:
        result = interrupt_when(
            ["sync", CHART],
            sandbox_env(tmp_path, base_url),
            tmp_path,
            ready=lambda: sum(sandbox.calls.values()) >= 5,
            timeout=120,
            whole_group=whole_group,  # a terminal's Ctrl-C stops the temporary Prefect API too
        )

    assert_one_line_error(result, "interrupted: the run stopped where it was", code=130)
    assert "next sync of the chart fetches only what is still missing" in result.last_line()
    assert_quiet_exit(result)
