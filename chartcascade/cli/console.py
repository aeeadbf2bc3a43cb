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
    errors.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def summary_table(summary: SyncSummary) -> Table:
    """A run summary as a rich table."""
    table = Table(
        title=f"{summary.chart} — ranking of {summary.ranking_date}", title_justify="left"
    )
    for column in ("stage", "new", "updated", "skipped (fresh)", "failed", "left undone", "calls"):
        if column == "stage":
            table.add_column(column, no_wrap=True, min_width=24)
        else:
            table.add_column(column, justify="right")
    for s in summary.stages:
        table.add_row(
            s.stage,
            str(s.new),
            str(s.updated),
            str(s.skipped_fresh),
            str(s.failed),
            str(s.left_undone),
            str(s.api_calls),
        )
    quota = summary.quota_remaining if summary.quota_remaining is not None else "unknown"
    table.caption = f"API calls: {summary.api_calls} · quota remaining: {quota}"
    return table
