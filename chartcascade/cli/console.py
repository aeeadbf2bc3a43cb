"""Shared console output: errors without stack traces, summaries as tables."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from rich.table import Table

from chartcascade.flows.summary import SyncSummary

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear error line and exit."""
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def summary_table(summary: SyncSummary) -> Table:
    """A run summary as a table that fits the terminal (the stage names always show)."""
    from chartcascade.cli.tables import Column, fitted_table

    columns = [Column("stage", names=True), Column("new", keep=3), Column("updated", keep=1)]
    columns += [Column("skipped (fresh)", keep=2), Column("done by another run")]
    columns += [Column("failed", keep=3), Column("backing off"), Column("left undone", keep=3)]
    columns.append(Column("calls", keep=2))
    rows = [
        [
            s.stage,
            str(s.new),
            str(s.updated),
            str(s.skipped_fresh),
            str(s.done_elsewhere),
            str(s.failed),
            str(s.backing_off),
            str(s.left_undone),
            str(s.api_calls),
        ]
        for s in summary.stages
    ]
    quota = summary.quota_remaining if summary.quota_remaining is not None else "unknown"
    return fitted_table(
        f"{summary.chart} — ranking of {summary.ranking_date}",
        columns,
        rows,
        caption=f"API calls: {summary.api_calls} · quota remaining: {quota}",
    )
