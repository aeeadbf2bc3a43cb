"""`chartcascade backfill` as a user runs it: killed mid-way (SIGKILL), then run again, it
fetches only the rankings it had not stored."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.cli.runner import COMMAND, run, sandbox_env

CHART = "global-28"
LEAN = ["-o", "track_platforms=spotify", "-o", "artist_platforms=spotify"]
LEAN += ["-o", "listening_platforms=", "-o", "local_streaming_platforms="]


def stored_dates(database: Path) -> set[date]:
    """The chart's stored ranking dates, read with plain SQL."""
    if not database.exists():
        return set()
    try:
        with sqlite3.connect(database) as connection:
            rows = connection.execute(
                "SELECT s.ranking_date FROM ranking_snapshot s JOIN chart c ON c.id = s.chart_id "
                "WHERE c.slug = ?",
                (CHART,),
            ).fetchall()
    except sqlite3.OperationalError:  # not migrated yet, or locked by the writer
        return set()
    return {date.fromisoformat(str(day)[:10]) for (day,) in rows}


def asked_dates(sandbox: Any) -> list[date]:
    """The ranking dates the sandbox was asked for, in order."""
    return [
        date.fromisoformat(params["when"][:10])
        for endpoint, params, _ in sandbox.requests
        if endpoint == "ranking"
    ]


def test_backfill_killed_mid_way_resumes_without_refetching(tmp_path: Path, sandbox: Any) -> None:
    today = datetime.now(UTC).date()
    week = [today - timedelta(days=n) for n in range(7, 0, -1)]
    args = ["backfill", CHART, "--from", str(week[0]), "--to", str(week[-1]), *LEAN]
    database = tmp_path / "data" / "chartcascade.db"
    sandbox.config.latency_ms = 400  # slow enough to be killed between two rankings
    with sandbox.serve() as base_url:
        env = sandbox_env(tmp_path, base_url)
        process = subprocess.Popen(
            COMMAND + args,
            env=env,
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its temporary Prefect API dies with it
        )
        try:
            deadline = time.monotonic() + 120
            while len(stored_dates(database)) < 3:
                assert process.poll() is None, "the backfill ended before it was killed"
                assert time.monotonic() < deadline, "the backfill never stored 3 rankings"
                time.sleep(0.1)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        kept = stored_dates(database)
        sandbox.config.latency_ms = 0
        sandbox.reset_counts()
        again = run(args, env, tmp_path)

    assert again.code == 0, again.output
    assert 3 <= len(kept) < 7
    assert stored_dates(database) == set(week)
    # The rerun asked only for the rankings the killed run had not stored, each once.
    assert asked_dates(sandbox) == [day for day in week if day not in kept]
