"""Administrative commands: `setup` and `db upgrade`."""

from __future__ import annotations

import typer

from chartcascade.cli.console import console, fail

db_app = typer.Typer(help="The project database.", no_args_is_help=True)


def setup_command() -> None:
    """Create what runs need on the Prefect server (idempotent): the shared rate limit."""
    from chartcascade.limits import ensure_rate_limit
    from chartcascade.settings import get_settings

    settings = get_settings()
    try:
        name = ensure_rate_limit(settings)
    except Exception as exc:  # noqa: BLE001 - shown as one line
        fail(f"could not set up the Prefect rate limit: {exc}")
    console.print(
        f"rate limit [bold]{name}[/]: {settings.rate_limit_per_second:g} requests/s, "
        f"burst {settings.rate_limit_burst}"
    )


@db_app.command("upgrade")
def upgrade_command() -> None:
    """Bring the database at DATABASE_URL to the current schema."""
    from chartcascade.db import upgrade
    from chartcascade.settings import get_settings

    url = get_settings().database_url
    try:
        upgrade(url)
    except Exception as exc:  # noqa: BLE001 - shown as one line
        fail(f"database upgrade failed: {exc}")
    console.print("database is at the current schema")
