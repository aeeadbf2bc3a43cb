"""`chartcascade backfill CHART --from DATE --to DATE`: a chart's history, or its plan."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn

from chartcascade.cli.console import console, fail, summary_table
from chartcascade.cli.errors import api_hint
from chartcascade.cli.sync import parse_date, parse_options
from chartcascade.cli.tables import print_table, show_all_columns


def backfill_command(
    chart: str = typer.Argument(..., help="Chart slug, for example global-28."),
    from_date: str = typer.Option(..., "--from", help="First ranking date (YYYY-MM-DD)."),
    to_date: str = typer.Option(..., "--to", help="Last ranking date, included (YYYY-MM-DD)."),
    option: list[str] = typer.Option([], "--option", "-o", help="Any sync option as key=value."),
    max_api_calls: int | None = typer.Option(None, help="API-call budget of the run."),
    plan: bool = typer.Option(False, "--plan", help="Only say what it would fetch and cost."),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """Store every ranking of a chart over a date range, then fetch what their tracks and
    artists need, once. Rankings already stored are not fetched again: rerun to resume."""
    show_all_columns(wide)
    start, end = parse_date(from_date), parse_date(to_date)
    assert start is not None and end is not None  # both options are required
    if end < start:
        fail(f"--to {end} is before --from {start}")
    options = parse_options(option, max_api_calls=max_api_calls)
    from chartcascade.cli.preflight import require_prefect_api, require_reachable_database
    from chartcascade.settings import ConfigurationError, get_settings

    try:
        settings = get_settings()
        settings.credentials()
        require_reachable_database(settings.database_url)
        if plan:
            show_plan(chart, start, end, options)
            return
        require_prefect_api()
        run_backfill(chart, start, end, options)
    except ConfigurationError as exc:
        fail(str(exc))


def show_plan(chart: str, start: date, end: date, options: Any) -> None:
    """Print the rankings a backfill would fetch and what it would cost in API calls."""
    from chartcascade.planning import plan_backfill
    from chartcascade.soundcharts import SoundchartsError
    from chartcascade.tasks.charts import UnknownChartError

    try:
        plan = plan_backfill(chart, start, end, options)
    except (UnknownChartError, SoundchartsError) as exc:
        fail(str(exc) + api_hint(exc))
    pages = " (one page each assumed)" if plan.pages_estimated else ""
    console.print(
        f"{chart}, {start} to {end}: {plan.available} rankings available, "
        f"{plan.stored} already stored; {plan.to_fetch} to fetch: "
        f"{plan.ranking_calls} API calls{pages}, the list of dates included."
    )
    console.print(
        f"Then, once for the whole range: {plan.per_track} calls per track and "
        f"{plan.per_artist} per artist new to the database (or older than the freshness limits)."
    )


def run_backfill(chart: str, start: date, end: date, options: Any) -> None:
    """Run the flow in this process and print its summary."""
    from chartcascade.flows.backfill import backfill_chart
    from chartcascade.flows.progress import subscribe
    from chartcascade.flows.summary import run_summary

    with Progress(TextColumn("{task.description}"), BarColumn(), console=console) as bar:
        task_id = bar.add_task(f"{chart}: starting", total=100)
        unsubscribe = subscribe(
            lambda message, percent: bar.update(
                task_id, completed=percent, description=f"{chart}: {message}"
            )
        )
        try:
            state = backfill_chart(chart, start, end, options, return_state=True)
        finally:
            unsubscribe()
    result = state.result(raise_on_failure=False)
    if (summary := run_summary(result)) is not None:
        print_table(summary_table(summary))
    if not state.is_completed():
        fail((state.message or str(result)) + api_hint(result))
    if state.message:
        console.print(state.message)
