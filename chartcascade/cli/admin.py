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
    """Prepare a Prefect server once: the work pool and the failure alert (idempotent).

    It also brings the shared rate limit to CHARTCASCADE_RATE_LIMIT_PER_SECOND / _BURST (a run
    creates a missing one itself). The alert notifies the named block when a chart or sweep
    run fails or crashes. Each line says what changed: created, updated or unchanged.
    """
    from chartcascade.cli.errors import prefect_api_url
    from chartcascade.cli.preflight import require_prefect_api
    from chartcascade.deploy.definitions import DeploymentFileError, work_pool_name
    from chartcascade.deploy.provision import (
        SetupError,
        ensure_failure_automation,
        ensure_work_pool,
    )
    from chartcascade.limits import ensure_rate_limit
    from chartcascade.settings import get_settings

    settings = get_settings()
    if not prefect_api_url():
        fail(
            "PREFECT_API_URL is not set: setup prepares a Prefect server (work pool, alert), "
            "so point it at one, for example http://127.0.0.1:4200/api; a local "
            "`chartcascade sync` needs no setup"
        )
    require_prefect_api()
    try:
        pool = work_pool_name(prefect_file)
        limit_change = ensure_rate_limit(settings)
        pool_change = ensure_work_pool(pool)
        alert = ensure_failure_automation(notify_block) if notify_block else None
    except (SetupError, DeploymentFileError) as exc:
        fail(f"setup on the Prefect server failed: {exc}")
    console.print(
        f"rate limit [bold]{settings.rate_limit_name}[/]: "
        f"{settings.rate_limit_per_second:g} requests/s, burst {settings.rate_limit_burst}: "
        f"{limit_change}"
    )
    console.print(f"work pool [bold]{pool}[/] (process): {pool_change}")
    if alert is None:
        console.print("failure alert: not set up (name a block with --notify-block)")
    else:
        console.print(f"failure alert to [bold]{notify_block}[/]: {alert[1]}")


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Bring the database at DATABASE_URL to the current schema."""
    from chartcascade.db import safe_url
    from chartcascade.schema import upgrade
    from chartcascade.settings import get_settings

    url = get_settings().database_url
    upgrade(url)  # a failure ends the command in one line (cli.errors)
    console.print(f"database {safe_url(url)} is at the current schema")
