"""`chartcascade sync CHART`: run the chart cascade locally, or plan it."""

from __future__ import annotations

import json
from datetime import date
from typing import Any, get_origin

import typer
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from chartcascade.cli.console import console, fail, summary_table
from chartcascade.cli.errors import api_hint
from chartcascade.cli.tables import print_table, show_all_columns


def option_value(raw: str, *, is_list: bool) -> Any:
    """One `-o` value: a list option takes `a,b` (or one value, or a JSON list); others JSON
    where it parses, else the text."""
    if is_list and not raw.lstrip().startswith("["):
        return [part.strip() for part in raw.split(",") if part.strip()]
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        return raw


def option_error(error: ErrorDetails) -> str:
    """One validation error as `field: problem`; a bad code names the valid ones."""
    field = ".".join(str(part) for part in error["loc"] if not isinstance(part, int))
    if error["type"] == "enum":
        expected = error.get("ctx", {}).get("expected", "").replace("'", "")
        return f"{field}: {error['input']!r} is not a valid code (valid: {expected})"
    if error["type"] == "value_error":
        return f"{field}: {error.get('ctx', {}).get('error', error['msg'])}"
    return f"{field}: {error['msg']}"


def parse_options(pairs: list[str], **explicit: Any) -> Any:
    """SyncOptions from `key=value` pairs and flags."""
    from chartcascade.options import SyncOptions

    values: dict[str, Any] = {k: v for k, v in explicit.items() if v is not None}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        if not sep:
            fail(f"--option takes key=value, got {pair!r}")
        field = SyncOptions.model_fields.get(key.strip())
        if field is None:
            fail(
                f"unknown option {key.strip()!r}: the options are "
                + ", ".join(sorted(SyncOptions.model_fields))
            )
        is_list = get_origin(field.annotation) is list
        values[key.strip()] = option_value(raw, is_list=is_list)
    try:
        return SyncOptions(**values)
    except ValidationError as exc:
        fail("invalid option: " + "; ".join(option_error(e) for e in exc.errors()))


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
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """Sync one chart now: ranking, tracks, artists and audience, with a progress display."""
    show_all_columns(wide)
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
        fail(str(exc) + api_hint(exc))
    table = Table(title=f"Plan for {chart}, ranking of {plan.ranking_date} ({plan.tracks} tracks)")
    for column in ("stage", "items", "API calls"):
        table.add_column(column, justify="left" if column == "stage" else "right")
    for stage in plan.stages:
        mark = " (estimate)" if stage.estimated else ""
        table.add_row(stage.stage, str(stage.items), f"{stage.calls}{mark}")
    table.caption = f"total: about {plan.calls} API calls (paging can add a few)"
    print_table(table)


def run_sync(chart: str, on: date | None, options: Any) -> None:
    """Run the flow in this process and print its summary."""
    from chartcascade.flows.progress import subscribe
    from chartcascade.flows.summary import run_summary
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
    if (summary := run_summary(result)) is not None:
        print_table(summary_table(summary))
    if not state.is_completed():
        fail((state.message or str(result)) + api_hint(result))
    if state.message:
        console.print(state.message)
