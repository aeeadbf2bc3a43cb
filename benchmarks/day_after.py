"""Steady state: what the fleet's charts cost the day after their first sync.

Day 1: the sandbox (the fleet benchmark's world, its data up to yesterday) and a first
`chartcascade sync` of each chart into a fresh SQLite file, as a user runs it. Then
`chartcascade plan --all` forecasts the calls per day of running those charts daily, and the
days a quota lasts. A day passes: every stored time (when a series was checked, metadata
fetched, a run made) moves one day back, and the sandbox moves on a day (one new ranking per
chart, with the tracks that entered it). Day 2: each chart is planned (`sync --plan`) and synced
again with the default options: audience (20 h) is due again, metadata (7 days) is not.

    .venv/bin/python benchmarks/day_after.py [--charts 3] [--quota 500000]  # ~6 min

Prints per chart: day 1's calls, the new ranking's new tracks (from the sandbox world), the
plan and the calls of day 2; and `plan --all`'s table and quota line. Calls are the sandbox's
own counts.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from cascade import BIN, STATS, free_port, prefect_server, process, stats  # noqa: E402
from fleet import fleet_world  # noqa: E402


@contextmanager
def sandbox_on(as_of: date) -> Any:
    """The fleet world served over HTTP with its newest day `as_of` (no rate limit)."""
    port = free_port()
    command = [sys.executable, str(ROOT / "benchmarks" / "fleet.py"), "--serve-sandbox"]
    command += [str(port), "--as-of", as_of.isoformat()]
    url = f"http://127.0.0.1:{port}"
    with process(command, dict(os.environ), f"{url}{STATS}"):
        yield url


def cli(env: dict[str, str], *args: str) -> str:
    """Run `chartcascade ARGS` as a user does; its output (raises when it fails)."""
    done = subprocess.run(
        [str(BIN / "chartcascade"), *args], env=env, capture_output=True, text=True, cwd=ROOT
    )
    if done.returncode != 0:
        raise RuntimeError(f"chartcascade {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def counted(env: dict[str, str], *args: str) -> tuple[int, str]:
    """The calls the sandbox counted for one command, and its output."""
    url = env["SOUNDCHARTS_BASE_URL"]
    stats(url, reset=True)
    output = cli(env, *args)
    calls = stats(url)["calls"]
    return sum(n for endpoint, n in calls.items() if endpoint != "token"), output


def user_env(sandbox_url: str, prefect_url: str, database: Path) -> dict[str, str]:
    return dict(
        os.environ,
        SOUNDCHARTS_BASE_URL=sandbox_url,
        SOUNDCHARTS_TOKEN_URL=f"{sandbox_url}/oauth/token",
        SOUNDCHARTS_APP_ID="soundcharts",
        SOUNDCHARTS_API_KEY="soundcharts",
        DATABASE_URL=f"sqlite:///{database}",
        PREFECT_API_URL=prefect_url,
        CHARTCASCADE_RATE_LIMIT_PER_SECOND="1000",
        CHARTCASCADE_RATE_LIMIT_BURST="500",
        CHARTCASCADE_MAX_PARALLEL_REQUESTS="16",
        COLUMNS="120",
    )


def pass_a_day(database: Path) -> int:
    """Move every stored time of the database one day back (dates of data stay); the values
    moved."""
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    import chartcascade.models  # noqa: F401 - registers the tables

    moved = 0
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, sa.DateTime):
                    # SQLite keeps them as text, 'YYYY-MM-DD HH:MM:SS.ffffff': the same form
                    day_before = sa.func.strftime("%Y-%m-%d %H:%M:%S", column, "-1 day")
                    shifted = day_before.op("||")(sa.func.substr(column, 20))
                    result = connection.execute(
                        table.update().where(column.is_not(None)).values({column.name: shifted})
                    )
                    moved += result.rowcount
    engine.dispose()
    return moved


def new_tracks(chart: str, yesterday: Any, today: Any) -> tuple[int, int]:
    """(new, all) charted tracks of the chart's newest ranking in the world of `today` against
    the newest in the world of `yesterday`."""

    def charted(world: Any) -> set[str]:
        return {e["song"]["uuid"] for e in world.ranking(chart) if e.get("position")}

    before, now = charted(yesterday), charted(today)
    return len(now - before), len(now)


def planned_calls(output: str) -> int:
    found = re.search(r"about ([\d,]+) API calls", output)
    if found is None:
        raise RuntimeError(f"no total in the plan:\n{output}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charts", type=int, default=3, help="how many of the fleet's charts")
    parser.add_argument("--quota", type=int, default=500_000, help="the quota left to forecast")
    args = parser.parse_args()
    today = datetime.now(UTC).date()
    yesterday = today - timedelta(days=1)
    worlds = fleet_world(yesterday), fleet_world(today)
    charts = worlds[1].chart_slugs[: args.charts]
    began = time.monotonic()
    rows: dict[str, list[str]] = {chart: [] for chart in charts}
    with ExitStack() as stack:
        prefect_url = prefect_server(stack, argparse.Namespace(prefect_postgres=None))
        database = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "cascade.db"
        with sandbox_on(yesterday) as url:
            env = user_env(url, prefect_url, database)
            for chart in charts:
                calls, _ = counted(env, "sync", chart)
                rows[chart].append(f"{calls:,}")
                print(f"day 1: {chart} synced, {calls:,} calls", flush=True)
            forecast = cli(env, "plan", "--all", "--quota", str(args.quota), "--wide")
        print(f"a day passes: {pass_a_day(database):,} stored times moved back", flush=True)
        with sandbox_on(today) as url:
            env = user_env(url, prefect_url, database)
            for chart in charts:
                new, charted = new_tracks(chart, *worlds)
                _, plan = counted(env, "sync", chart, "--plan")
                calls, _ = counted(env, "sync", chart)
                predicted = planned_calls(plan)
                rows[chart] += [f"{new} of {charted}", f"{predicted:,}", f"{calls:,}"]
                rows[chart].append(f"{(predicted - calls) / max(1, calls):+.1%}")
                print(f"day 2: {chart} synced, {calls:,} calls", flush=True)
    print("\nthe day after, per chart (calls counted by the sandbox):")
    header = ["chart", "day 1 calls", "new tracks", "day 2 plan", "day 2 calls", "plan off"]
    table = [header, *([chart, *cells] for chart, cells in rows.items())]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  " + "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    print("\n`chartcascade plan --all` after day 1:")
    print(forecast)
    print(f"benchmark wall time {time.monotonic() - began:.0f} s")


if __name__ == "__main__":
    main()
