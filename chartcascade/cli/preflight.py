"""Checks a command makes before it starts, each ending it with one line when it fails."""

from __future__ import annotations

from chartcascade.cli.console import fail


def require_usable_url(url: str) -> None:
    """DATABASE_URL parses and names a database this installation can talk to."""
    from sqlalchemy.engine import make_url

    from chartcascade.cli.errors import first_line, masked

    try:
        make_url(url).get_dialect()
    except Exception as exc:  # noqa: BLE001 - parse and driver errors alike end in one line
        fail(
            f"DATABASE_URL is not a usable database URL ({masked(first_line(exc))}): use "
            "sqlite:///path/to/file.db or postgresql+psycopg://user:password@host:5432/name"
        )


def require_database(url: str) -> None:
    """For commands that only read: the database exists and has the current schema.
    Never creates one (a SQLite file is looked for before anything connects)."""
    from chartcascade.db import safe_url, sqlite_path
    from chartcascade.schema import is_current, schema_revision

    require_usable_url(url)

    path = sqlite_path(url)
    if path is not None and not path.is_file():
        fail(f"no database at {path} yet: run `chartcascade sync` or `chartcascade demo` first")
    where = safe_url(url)
    revision = schema_revision(url)  # an unreachable server ends the command in one line
    if revision is None:
        fail(
            f"the database at {where} has no chartcascade schema yet: run "
            "`chartcascade db upgrade`, or `chartcascade sync CHART` to fill it"
        )
    if not is_current(url):
        fail(
            f"the database at {where} has an older schema ({revision}): "
            "run `chartcascade db upgrade`"
        )


def require_reachable_database(url: str) -> None:
    """The database answers (a SQLite file is created when missing: runs write)."""
    from chartcascade.db import get_engine

    require_usable_url(url)
    with get_engine(url).connect():
        pass  # an unreachable server ends the command in one line (cli.errors)


def require_prefect_api() -> None:
    """A configured Prefect API answers (without one, runs start a temporary API)."""
    from prefect import get_client

    from chartcascade.cli.errors import first_line, prefect_api_url, prefect_unreachable

    api = prefect_api_url()
    if not api:
        return
    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
    if error is not None:
        fail(prefect_unreachable(api, first_line(error)))
