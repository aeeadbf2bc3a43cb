"""`chartcascade demo`: a full cascade of two charts against the local sandbox, into SQLite."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from chartcascade.cli.console import console
from chartcascade.cli.tables import fitted_table, frame_rows, print_table, show_all_columns

DEMO_CHARTS = ("global-28", "top-100-global")
REPORT_PATH = Path("reports") / "demo-report.html"
DEMO_DATABASE = "sqlite:///data/chartcascade.db"
SANDBOX_ENV = {
    "SOUNDCHARTS_APP_ID": "soundcharts",
    "SOUNDCHARTS_API_KEY": "soundcharts",
    "CHARTCASCADE_RATE_LIMIT_PER_SECOND": "500",
    "CHARTCASCADE_RATE_LIMIT_BURST": "100",
}


def demo_command(
    seed: int = typer.Option(42, help="Seed of the sandbox world."),
    latency_ms: float = typer.Option(0.0, help="Latency the sandbox adds to each request."),
    wide: bool = typer.Option(False, "--wide", help="Show every column of the tables."),
) -> None:
    """Start the sandbox, sync two charts that share artists, and show the top artists."""
    show_all_columns(wide)
    from chartcascade.cli.sync import run_sync
    from chartcascade.db import safe_url
    from chartcascade.limits import ensure_rate_limit
    from chartcascade.options import SyncOptions
    from chartcascade.reports.html import write_html_report
    from chartcascade.reports.presence import top_artists
    from chartcascade.sandbox import Sandbox, SandboxConfig, SandboxWorld
    from chartcascade.settings import get_settings

    sandbox = Sandbox(world=SandboxWorld(seed=seed), config=SandboxConfig(latency_ms=latency_ms))
    with sandbox.serve() as base_url:
        for name in (
            "SOUNDCHARTS_CLIENT_ID",
            "SOUNDCHARTS_CLIENT_SECRET",
            "SOUNDCHARTS_SECRET_BLOCK",
        ):
            os.environ.pop(name, None)
        os.environ.update(SANDBOX_ENV)
        # The demo writes sandbox data: never into a DATABASE_URL meant for real data.
        os.environ["DATABASE_URL"] = DEMO_DATABASE
        os.environ["SOUNDCHARTS_BASE_URL"] = base_url
        os.environ["SOUNDCHARTS_TOKEN_URL"] = f"{base_url}/oauth/token"
        get_settings.cache_clear()
        settings = get_settings()
        console.print(f"sandbox API at {base_url}; database {safe_url(settings.database_url)}")
        ensure_rate_limit(settings)
        for chart in DEMO_CHARTS:
            run_sync(chart, None, SyncOptions())
        console.print(f"sandbox calls by endpoint: {dict(sorted(sandbox.calls.items()))}")
    print_table(artist_table(top_artists(settings.database_url, DEMO_CHARTS)))
    report = write_html_report(settings.database_url, REPORT_PATH, DEMO_CHARTS)
    console.print(f"HTML report (open it in a browser): [bold]{report}[/]")


def artist_table(frame: object) -> Table:
    """The top-artists frame as a table that fits the terminal (artist names always show)."""
    import pandas as pd

    assert isinstance(frame, pd.DataFrame)
    labels = {
        str(c): str(c).replace("_", " ").replace(" followers", "").replace("monthly ", "")
        for c in frame.columns
    }
    columns, rows = frame_rows(frame, labels)
    return fitted_table("Top artists by chart presence, latest audience", columns, rows)
