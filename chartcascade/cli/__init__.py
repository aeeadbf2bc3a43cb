"""The `chartcascade` command line."""

from __future__ import annotations

import typer

from chartcascade.cli import admin, analytics, demo, operations, sandbox, sync

app = typer.Typer(
    name="chartcascade",
    help="Keep Soundcharts chart analytics complete: ranking, tracks, artists, audience.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("sync")(sync.sync_command)
app.command("demo")(demo.demo_command)
app.command("setup")(admin.setup_command)
app.add_typer(admin.db_app, name="db")
app.add_typer(sandbox.sandbox_app, name="sandbox")
analytics.register(app)
operations.register(app)

__all__ = ["app"]
