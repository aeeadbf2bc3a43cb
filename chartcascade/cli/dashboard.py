"""`chartcascade dashboard`: the read-only web dashboard over the project database."""

from __future__ import annotations

import os

import typer

from chartcascade.cli.console import console, fail
from chartcascade.cli.preflight import require_database


def dashboard_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8050, "--port", help="Port to listen on."),
) -> None:
    """Serve the dashboard (charts, tracks, artists, analytics, completeness), reading the
    database read-only; another host than loopback needs CHARTCASCADE_DASHBOARD_PASSWORD."""
    import uvicorn

    from chartcascade.dashboard.access import (
        PASSWORD_VARIABLE,
        AccessError,
        check_binding,
        read_only_url,
    )
    from chartcascade.dashboard.app import create_app
    from chartcascade.settings import get_settings

    database_url = get_settings().database_url
    password = os.environ.get(PASSWORD_VARIABLE) or None
    try:
        check_binding(host, password)
        require_database(read_only_url(database_url))
        app = create_app(database_url, password)
    except AccessError as exc:
        fail(str(exc))
    console.print(f"dashboard at http://{host}:{port}/ (read-only; Ctrl-C stops it)")
    uvicorn.run(app, host=host, port=port, log_level="warning")
