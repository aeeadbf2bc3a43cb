"""The shared rate limit against the sandbox served on loopback, limiting per 1-second window:
16 threads of one process, and two processes sharing one Prefect limit. Each process runs
`tests.tasks.rate_load` (the stage tasks' meter and client); the figures come from the
sandbox's own request log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import pytest
from prefect import get_client

from chartcascade.sandbox import Sandbox
from chartcascade.settings import Settings

from .rate_load import LoadResult, WindowFigures, common_span, start_in, window_figures

pytestmark = pytest.mark.prefect

ROOT = Path(__file__).resolve().parents[2]
R = 20  # requests per second the API allows ...
WINDOW = 1.0  # ... counted per 1-second window
REFILL = 19.0  # the Prefect limit: 0.95 R per second,
BURST = Settings.model_fields["rate_limit_burst"].default  # the default burst, which a run
SECONDS = 20.0  # acquires whole (chartcascade/flows/stages.py)


def run_processes(
    sandbox: Sandbox, prefect_api: str, processes: int
) -> tuple[WindowFigures, list[LoadResult]]:
    """Serve the sandbox at R per window and run `processes` load processes on one fresh
    Prefect limit for SECONDS, started together."""
    name = f"test-rate-{uuid4().hex[:8]}"
    with get_client(sync_client=True) as client:
        client.upsert_global_concurrency_limit_by_name(
            name, limit=BURST, slot_decay_per_second=REFILL
        )
    sandbox.config.rate_limit = round(R * WINDOW)
    sandbox.config.rate_window_seconds = WINDOW
    sandbox.config.latency_ms = 20.0
    env = dict(os.environ, PREFECT_API_URL=prefect_api)
    with sandbox.serve() as base_url:
        wall_start, _ = start_in(8.0)  # the processes import Prefect first
        command = [sys.executable, "-m", "tests.tasks.rate_load", base_url, name, str(SECONDS)]
        command += ["--refill", str(REFILL), "--chunk", str(BURST)]
        command += ["--start-at", str(wall_start)]
        children = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(processes)
        ]
        outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [child.returncode for child in children] == [0] * processes
    results = [LoadResult(**json.loads(output)) for output in outputs]
    return window_figures(sandbox.request_log, WINDOW, common_span(results)), results


def assert_within_the_limit(figures: WindowFigures) -> None:
    assert figures.limited <= 0.05 * figures.requests, figures
    assert figures.throughput >= 0.85 * R, figures
    assert figures.busiest_admitted <= R * WINDOW, figures


def test_sixteen_threads_stay_within_a_per_second_limit(sandbox: Sandbox, prefect_api: str) -> None:
    figures, results = run_processes(sandbox, prefect_api, processes=1)

    assert_within_the_limit(figures)
    assert results[0].gave_up == 0


def test_two_processes_share_one_per_second_limit(sandbox: Sandbox, prefect_api: str) -> None:
    figures, results = run_processes(sandbox, prefect_api, processes=2)

    assert_within_the_limit(figures)
    assert all(result.calls > 0 for result in results)
