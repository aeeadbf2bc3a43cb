"""`chartcascade plan --all`: what the whole schedule costs a day, and how long the quota lasts."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import typer

from chartcascade.cli.console import console, fail
from chartcascade.cli.tables import Column, fitted_table, print_table, show_all_columns

WEEK = timedelta(days=7)


@dataclass
class Charts:
    """The charts to forecast and where they came from."""

    source: str
    loads: list[Any]  # forecast.ChartLoad


def plan_command(
    all_charts: bool = typer.Option(
        False, "--all", help="Every scheduled chart (or, with no schedule, every stored chart)."
    ),
    quota: int | None = typer.Option(
        None, "--quota", min=0, help="The API calls left (the database does not keep them)."
    ),
    runs_per_day: float = typer.Option(
        1.0, "--runs-per-day", min=0, help="Runs a day of each chart when none is scheduled."
    ),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """The calls per day of every scheduled chart once it runs day after day (freshness
    windows passed, the stored tracks and artists), the schedule's total and the quota's days."""
    from chartcascade.cli.preflight import require_database
    from chartcascade.db import session_scope
    from chartcascade.forecast import chart_cost, quota_days, schedule_calls_per_day
    from chartcascade.settings import get_settings

    show_all_columns(wide)
    if not all_charts:
        fail("plan forecasts the whole schedule: use `plan --all` (one chart: `sync CHART --plan`)")
    url = get_settings().database_url
    require_database(url)
    with session_scope(url) as session:
        charts = scheduled_charts() or stored_charts(session, runs_per_day)
        if not charts.loads:
            fail("no chart is scheduled and none has a stored ranking: sync or schedule one first")
        costs = [chart_cost(session, load) for load in charts.loads]
    total = schedule_calls_per_day(costs)
    rows = [
        [c.chart, f"{c.runs_per_day:g}", str(c.tracks), str(c.artists), f"{c.calls_per_day:,.1f}"]
        for c in costs
    ]
    columns = [Column("chart", names=True), Column("runs/day", keep=1)]
    columns += [Column("tracks", keep=2), Column("artists", keep=2), Column("calls/day", keep=3)]
    print_table(fitted_table("Calls per day in steady state", columns, rows))
    console.print(f"charts: {charts.source}")
    alone = sum(c.calls_per_day for c in costs)
    console.print(f"total: {total:,.1f} calls a day ({alone:,.1f} if each chart ran alone)")
    days = quota_days(quota, total)
    if days is None:
        console.print("quota remaining: unknown (pass --quota N; each run's summary shows it)")
    else:
        console.print(f"quota remaining: {quota:,} calls, enough for {days:,.1f} days")


def scheduled_charts() -> Charts | None:
    """The charts of the Prefect server's active schedules, or None when there are none (or
    no server is configured: a temporary one holds no schedule)."""
    from prefect import get_client

    from chartcascade.cli.errors import prefect_api_url
    from chartcascade.cli.preflight import require_prefect_api
    from chartcascade.deploy.schedules import chart_deployments, effective_options
    from chartcascade.forecast import ChartLoad
    from chartcascade.options import SyncOptions

    if not prefect_api_url():
        return None
    require_prefect_api()
    with get_client(sync_client=True) as client:
        deployments = chart_deployments(client)
    loads = []
    for chart, deployment in sorted(deployments.items()):
        active = [s for s in deployment.schedules if s.active]
        if active:
            options = SyncOptions.model_validate(effective_options(deployment, active[0]))
            runs = sum(runs_a_day(s.schedule) for s in active)
            loads.append(ChartLoad(chart, options, runs))
    return Charts(f"the Prefect schedules ({len(loads)} active)", loads) if loads else None


def stored_charts(session: Any, runs_per_day: float) -> Charts:
    """Every chart with a stored ranking, with the choices it was last synced with."""
    from chartcascade.crud.chart_choices import chart_choices
    from chartcascade.forecast import ChartLoad, ranked_tracks
    from chartcascade.options import SyncOptions

    loads = [
        ChartLoad(chart, SyncOptions.model_validate(choices.model_dump()), runs_per_day)
        for chart, choices in chart_choices(session).items()
        if ranked_tracks(session, chart)
    ]
    source = f"no Prefect schedule: every stored chart, {runs_per_day:g} run(s) a day"
    return Charts(source, loads)


def runs_a_day(schedule: Any) -> float:
    """A cron, interval or rrule schedule's runs per day, over the coming week."""
    import prefect.server.schemas.schedules as server

    kind = getattr(server, type(schedule).__name__)
    start = datetime.now(UTC)
    dates = asyncio.run(
        kind.model_validate(schedule.model_dump()).get_dates(
            n=10_000, start=start, end=start + WEEK - timedelta(microseconds=1)
        )
    )
    return len(dates) / WEEK.days
