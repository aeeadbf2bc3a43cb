"""Administrative commands: `setup` and `db upgrade`."""

from __future__ import annotations

from pathlib import Path

import typer

from chartcascade.cli.console import console, fail

db_app = typer.Typer(help="The project database.", no_args_is_help=True)


def setup_command(
    notify_block: str | None = typer.Option(
        None,
        "--notify-block",
        envvar="CHARTCASCADE_NOTIFY_BLOCK",
        help="Notification block for failed runs, as <block-type>/<name> "
        "(for example slack-webhook/chart-alerts). Without it, no alert is set up.",
    ),
    prefect_file: Path | None = typer.Option(
        None, "--prefect-file", help="The prefect.yaml naming the work pool."
    ),
) -> None:
    """Create the rate limit, work pool and failure alert on the Prefect server (idempotent).

    The alert notifies the named block when a chart or sweep run fails or crashes.
    """
    from chartcascade.deploy.definitions import work_pool_name
    from chartcascade.deploy.provision import ensure_failure_automation, ensure_work_pool
    from chartcascade.limits import ensure_rate_limit
    from chartcascade.settings import get_settings

    settings = get_settings()
    try:
        name = ensure_rate_limit(settings)
        pool = work_pool_name(prefect_file)
        pool_change = ensure_work_pool(pool)
        alert = ensure_failure_automation(notify_block) if notify_block else None
    except Exception as exc:  # noqa: BLE001 - shown as one line
        fail(f"setup on the Prefect server failed: {exc}")
    console.print(
        f"rate limit [bold]{name}[/]: {settings.rate_limit_per_second:g} requests/s, "
        f"burst {settings.rate_limit_burst}"
    )
    console.print(f"work pool [bold]{pool}[/] (process): {pool_change}")
    if alert is None:
        console.print("failure alert: not set up (name a block with --notify-block)")
    else:
        console.print(f"failure alert to [bold]{notify_block}[/]: {alert[1]}")


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Bring the database at DATABASE_URL to the current schema."""
    from chartcascade.schema import upgrade
    from chartcascade.settings import get_settings

    url = get_settings().database_url
    try:
        upgrade(url)
    except Exception as exc:  # noqa: BLE001 - shown as one line
        fail(f"database upgrade failed: {exc}")
    console.print("database is at the current schema")
