"""Operations commands: `serve` the deployments of prefect.yaml, and list recent `runs`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from chartcascade.cli.console import console, errors, fail
from chartcascade.cli.errors import prefect_api_url
from chartcascade.cli.preflight import require_prefect_api
from chartcascade.cli.tables import Column, fitted_table, print_table, show_all_columns

if TYPE_CHECKING:
    from chartcascade.deploy.history import StageFigures


def serve_command(
    prefect_file: Path | None = typer.Option(
        None, "--prefect-file", help="The deployments file (default: ./prefect.yaml)."
    ),
    deployment: list[str] = typer.Option(
        [], "--deployment", "-d", help="Serve only these (name or flow/name); default: all."
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="At most this many runs at once in this process."
    ),
) -> None:
    """Serve every deployment of prefect.yaml from this one process, without a worker.

    Same names, schedules, parameters, concurrency limits and triggers as `prefect deploy`.
    """
    from prefect import serve

    from chartcascade.deploy.definitions import DeploymentFileError
    from chartcascade.deploy.schedules import served_deployments
    from chartcascade.settings import get_settings

    get_settings()  # a bad setting ends the command here, not in every run
    try:
        deployments = served_deployments(prefect_file, deployment or None)
    except DeploymentFileError as exc:
        fail(str(exc))
    if prefect_api_url():
        require_prefect_api()
    else:
        errors.print(
            "[yellow]warning:[/] PREFECT_API_URL is not set: runs go to a temporary server "
            "and their history is lost when this process stops."
        )
    serve(*deployments, limit=limit)


def runs_command(
    limit: int = typer.Option(20, "--limit", "-n", min=1, max=200, help="How many runs."),
    chart: str | None = typer.Option(None, "--chart", help="Only runs of this chart."),
    state: list[str] = typer.Option(
        [], "--state", help="Only runs in these states (failed, crashed, completed, running...)."
    ),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """Recent chart and sweep runs, newest first: state, duration, items per stage, failures."""
    show_all_columns(wide)
    from prefect.client.schemas.objects import StateType

    from chartcascade.deploy.history import recent_runs

    try:
        types = [StateType(s.upper()) for s in state]
    except ValueError:
        fail(f"unknown state in {state}: use {', '.join(t.value.lower() for t in StateType)}")
    require_prefect_api()  # without PREFECT_API_URL: the local runs' temporary API
    records = recent_runs(limit=limit, chart=chart, states=types or None)
    if not records:
        console.print("no runs yet")
        return
    columns = [Column("run", names=True), Column("state", right=False, keep=3)]
    columns += [Column("started", right=False, keep=1), Column("duration", keep=2)]
    columns += [Column("items per stage", names=True, fold_at=38), Column("failed", keep=3)]
    columns.append(Column("calls", keep=2))
    rows = [
        [
            record.name,
            record.state,
            f"{record.start:%Y-%m-%d %H:%M}" if record.start else "-",
            _duration(record.duration),
            "\n".join(_stage_line(s) for s in record.stages) or (record.message or "-"),
            str(record.failures),
            str(record.api_calls),
        ]
        for record in records
    ]
    table = fitted_table("Recent runs", columns, rows)
    print_table(table)


def _stage_line(stage: StageFigures) -> str:
    parts = [f"{stage.done} done"]
    if stage.skipped_fresh:
        parts.append(f"{stage.skipped_fresh} fresh")
    if stage.done_elsewhere:
        parts.append(f"{stage.done_elsewhere} by another run")
    if stage.failed:
        parts.append(f"[red]{stage.failed} failed[/]")
    if stage.left_undone:
        parts.append(f"{stage.left_undone} undone")
    if stage.backing_off:
        parts.append(f"{stage.backing_off} backing off")
    return f"{stage.stage}: {', '.join(parts)}"


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "-"
    seconds = int(value.total_seconds())
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def register(app: typer.Typer) -> None:
    """Add the operations commands to the CLI."""
    app.command("serve")(serve_command)
    app.command("runs")(runs_command)
