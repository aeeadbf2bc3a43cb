"""The `chartcascade` command line."""

from __future__ import annotations

import os

# Before Prefect is imported: the console shows warnings and the progress display, not a line
# per task run (the runs' logs still reach the Prefect API in full); no telemetry calls from
# a temporary server. Both can be overridden from the environment.
os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# A temporary API (no PREFECT_API_URL) is stopped at exit while it may still be recording the
# run's last events; it would print that cancellation as errors after the command's last line.
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
# A temporary API starts within a few seconds, but on a busy machine Prefect's 20 s can pass.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

import typer  # noqa: E402

from chartcascade.cli import admin, analytics, demo, operations, sandbox, sync  # noqa: E402
from chartcascade.cli.artists import artists_app  # noqa: E402
from chartcascade.cli.backfill import backfill_command  # noqa: E402
from chartcascade.cli.catalogue import charts_command  # noqa: E402
from chartcascade.cli.dashboard import dashboard_command  # noqa: E402
from chartcascade.cli.errors import CommandGroup  # noqa: E402
from chartcascade.cli.plan import plan_command  # noqa: E402
from chartcascade.cli.schedule import schedule_app  # noqa: E402

app = typer.Typer(
    name="chartcascade",
    help="Keep Soundcharts chart analytics complete: ranking, tracks, artists, audience.",
    no_args_is_help=True,
    add_completion=False,
    cls=CommandGroup,
    pretty_exceptions_show_locals=False,  # locals can hold credentials
)


@app.callback()
def main(
    debug: bool = typer.Option(False, "--debug", help="Show the traceback of an error."),
) -> None:
    """Keep Soundcharts chart analytics complete: ranking, tracks, artists, audience."""
    if not debug:
        quiet_tracebacks()


def quiet_tracebacks() -> None:
    """Prefect's console lines keep their one-line message, without the traceback (the run's
    logs in the Prefect API keep it; `--debug` shows it here too)."""
    import logging

    from prefect.logging.configuration import setup_logging

    setup_logging()  # Prefect's handlers now; its later set-ups only adjust them

    def drop_traceback(record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True

    for name in ("", "prefect"):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler) and drop_traceback not in handler.filters:
                handler.addFilter(drop_traceback)


app.command("sync")(sync.sync_command)
app.command("plan")(plan_command)
app.command("demo")(demo.demo_command)
app.command("setup")(admin.setup_command)
app.add_typer(admin.db_app, name="db")
app.add_typer(sandbox.sandbox_app, name="sandbox")
app.command("charts")(charts_command)
app.add_typer(artists_app, name="artists")
app.command("backfill")(backfill_command)
app.command("dashboard")(dashboard_command)
app.add_typer(schedule_app, name="schedule")
analytics.register(app)
operations.register(app)

__all__ = ["app"]
