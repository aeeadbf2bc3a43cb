"""`chartcascade sync CHART`: run the chart cascade locally, or plan it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import typer
from pydantic import ValidationError
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from chartcascade.cli.console import console, fail, summary_table


def parse_options(pairs: list[str], **explicit: Any) -> Any:
    """SyncOptions from `key=value` pairs (values as JSON where they parse) and flags."""
    from chartcascade.options import SyncOptions

    values: dict[str, Any] = {k: v for k, v in explicit.items() if v is not None}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            fail(f"--option takes key=value, got {pair!r}")
        try:
            values[key.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            values[key.strip()] = [p for p in raw.split(",") if p] if "," in raw else raw
    try:
        return SyncOptions(**values)
    except ValidationError as exc:
        fail(
            "invalid option: "
            + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        )


def parse_date(value: str | None) -> date | None:
    """A YYYY-MM-DD date, or a clear error."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"bad date {value!r}: use YYYY-MM-DD, for example 2026-11-20")


def sync_command(
    chart: str = typer.Argument(..., help="Chart slug, for example global-28."),
    ranking_date: str | None = typer.Option(None, "--date", help="Ranking date (YYYY-MM-DD)."),
    option: list[str] = typer.Option([], "--option", "-o", help="Any sync option as key=value."),
    top_n: int | None = typer.Option(None, help="Only the top N positions go past metadata."),
    max_api_calls: int | None = typer.Option(None, help="API-call budget of the run."),
    force_refresh: bool | None = typer.Option(None, "--force-refresh", help="Refetch fresh data."),
    plan: bool = typer.Option(False, "--plan", help="Only say what a run would fetch and cost."),
) -> None:
    """Sync one chart now: ranking, tracks, artists and audience, with a progress display."""
    on = parse_date(ranking_date)
    options = parse_options(
        option, top_n=top_n, max_api_calls=max_api_calls, force_refresh=force_refresh
    )
    from chartcascade.cli.preflight import require_prefect_api, require_reachable_database
    from chartcascade.settings import ConfigurationError, get_settings

    try:
        settings = get_settings()
        settings.credentials()
        require_prefect_api()
        require_reachable_database(settings.database_url)
        if plan:
            show_plan(chart, on, options)
        else:
            run_sync(chart, on, options)
    except ConfigurationError as exc:
        fail(str(exc))


def show_plan(chart: str, on: date | None, options: Any) -> None:
    """Print what a run would fetch and its cost in API calls."""
    from chartcascade.planning import plan_sync
    from chartcascade.soundcharts import SoundchartsError
    from chartcascade.tasks.charts import UnknownChartError, UnknownRankingDateError

    try:
        plan = plan_sync(chart, on, options)
    except (UnknownChartError, UnknownRankingDateError, SoundchartsError) as exc:
        fail(str(exc))
    table = Table(title=f"Plan for {chart}, ranking of {plan.ranking_date} ({plan.tracks} tracks)")
    for column in ("stage", "items", "API calls"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in plan.stages:
        mark = " (estimate)" if stage.estimated else ""
        table.add_row(stage.stage, str(stage.items), f"{stage.calls}{mark}")
    table.caption = f"total: about {plan.calls} API calls (paging can add a few)"
    console.print(table)


def run_sync(chart: str, on: date | None, options: Any) -> None:
    """Run the flow in this process and print its summary."""
    from chartcascade.flows.progress import subscribe
    from chartcascade.flows.summary import SyncSummary
    from chartcascade.flows.sync_chart import sync_chart

    with Progress(TextColumn("{task.description}"), BarColumn(), console=console) as bar:
        task_id = bar.add_task(f"{chart}: starting", total=100)
        unsubscribe = subscribe(
            lambda message, percent: bar.update(
                task_id, completed=percent, description=f"{chart}: {message}"
            )
        )
        try:
            state = sync_chart(chart, on, options, return_state=True)
        finally:
            unsubscribe()
    result = state.result(raise_on_failure=False)
    if isinstance(result, SyncSummary):
        console.print(summary_table(result))
    if not state.is_completed():
        fail(state.message or str(result))
    if state.message:
        console.print(state.message)
