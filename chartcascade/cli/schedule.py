"""`chartcascade schedule ...`: each chart's schedule, held by the Prefect server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError

from chartcascade.cli.console import console, fail
from chartcascade.cli.errors import CommandGroup, prefect_api_url
from chartcascade.cli.sync import parse_options
from chartcascade.cli.tables import Column, fitted_table, print_table, show_all_columns

schedule_app = typer.Typer(
    help="Each chart's schedule (in Prefect: the UI shows and edits the same schedules).",
    no_args_is_help=True,
    cls=CommandGroup,
)
OPTIONS_WIDTH = 26  # so that chart, schedule, state and options fit 80 columns
PREFECT_FILE = typer.Option(
    None, "--prefect-file", help="The deployments file (default: ./prefect.yaml)."
)


def _server() -> None:
    """Schedules live on a Prefect server: a temporary one would forget them at exit."""
    from chartcascade.cli.preflight import require_prefect_api

    if not prefect_api_url():
        fail("schedules live on a Prefect server: set PREFECT_API_URL (see `prefect server start`)")
    require_prefect_api()


@schedule_app.command("add")
def add_command(
    chart: str = typer.Argument(..., help="Chart slug, for example viral-50-global."),
    cron: str = typer.Option("0 7 * * *", "--cron", help="When to run, as a cron expression."),
    timezone: str = typer.Option("Europe/Paris", "--timezone", help="The cron's time zone."),
    option: list[str] = typer.Option([], "--option", "-o", help="A sync option as key=value."),
    prefect_file: Path | None = PREFECT_FILE,
) -> None:
    """Schedule a chart (or change its schedule) with its own options.

    A chart of prefect.yaml keeps its deployment; another chart gets a deployment like theirs.
    """
    from prefect.client.schemas.schedules import CronSchedule

    from chartcascade.deploy import schedules

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except ValidationError as exc:
        fail(f"bad --cron or --timezone: {exc.errors()[0]['msg']}")
    parse_options(option)  # a bad key or value fails here, before the server is asked
    _server()
    try:
        base = schedules.base_options(chart, prefect_file)
        options = parse_options(option, **base).model_dump(mode="json", exclude_unset=True)
        done = schedules.add_schedule(
            chart, options, cron=cron, timezone=timezone, path=prefect_file
        )
    except schedules.ScheduleError as exc:
        fail(str(exc))
    what = {"created": "new deployment sync-chart/" + chart, "added": "schedule added"}
    console.print(f"{chart}: {what.get(done, 'schedule updated')}, {cron} ({timezone})")


@schedule_app.command("list")
def list_command(
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """Every chart's schedules: when, paused or not, the options (those not at their default)
    its runs start with."""
    from chartcascade.deploy.schedules import list_schedules

    show_all_columns(wide)
    _server()
    found = list_schedules()
    if not found:
        console.print("no chart is scheduled")
        return
    columns = [Column("chart", names=True), Column("when", right=False, keep=3)]
    columns += [Column("state", right=False, keep=2)]
    columns.append(Column("options", right=False, keep=1, fold_at=OPTIONS_WIDTH))
    columns.append(Column("deployment", right=False))
    rows = [
        [
            s.chart,
            s.when,
            "active" if s.active else "paused",
            _options_line(s.options),
            s.deployment + (" (added)" if s.added else ""),
        ]
        for s in found
    ]
    print_table(fitted_table("Chart schedules", columns, rows))


@schedule_app.command("pause")
def pause_command(chart: str = typer.Argument(..., help="Chart slug.")) -> None:
    """Stop scheduling a chart's runs (until `schedule resume`)."""
    _set_active(chart, active=False)


@schedule_app.command("resume")
def resume_command(chart: str = typer.Argument(..., help="Chart slug.")) -> None:
    """Schedule a paused chart's runs again."""
    _set_active(chart, active=True)


@schedule_app.command("remove")
def remove_command(chart: str = typer.Argument(..., help="Chart slug.")) -> None:
    """Delete a chart's schedule (and the deployment `schedule add` created for it)."""
    from chartcascade.deploy.schedules import ScheduleError, remove_schedule

    _server()
    try:
        removed = remove_schedule(chart)
    except ScheduleError as exc:
        fail(str(exc))
    console.print(f"{chart}: removed {removed}")


def _set_active(chart: str, *, active: bool) -> None:
    from chartcascade.deploy.schedules import ScheduleError, set_active

    _server()
    try:
        count = set_active(chart, active)
    except ScheduleError as exc:
        fail(str(exc))
    console.print(f"{chart}: {count} schedule(s) {'resumed' if active else 'paused'}")


def _options_line(options: dict[str, Any]) -> str:
    """`track_platforms=spotify,youtube top_n=50`: the options that differ from the defaults."""
    from chartcascade.options import SyncOptions

    defaults = SyncOptions().model_dump(mode="json")
    parts = []
    for key, value in options.items():
        if defaults.get(key, object()) == value:
            continue
        shown = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        parts.append(f"{key}={shown}")
    return "\n".join(parts) or "defaults"
