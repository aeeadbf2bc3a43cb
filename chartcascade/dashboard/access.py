"""Who may reach the dashboard and how it reads: a read-only database, loopback or a password."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import secrets
from typing import Any

from sqlalchemy import Engine, event, make_url

from chartcascade.db import get_engine, normalize_url, sqlite_path

PASSWORD_VARIABLE = "CHARTCASCADE_DASHBOARD_PASSWORD"
READ_ONLY_OPTION = "-c default_transaction_read_only=on"
_guarded: set[int] = set()  # engines that already set read-only on each connection


class AccessError(Exception):
    """The dashboard cannot start as asked (no database, an open host without a password)."""


def read_only_url(database_url: str) -> str:
    """The URL of the same database opened read-only: a `mode=ro` SQLite URI, or PostgreSQL
    connections whose transactions are read-only."""
    url = normalize_url(database_url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = sqlite_path(url)
        if path is None or not path.is_file():
            raise AccessError(f"no SQLite database at {path}: run `chartcascade db upgrade`")
        return f"sqlite:///file:{path.resolve().as_posix()}?mode=ro&uri=true"
    if backend == "postgresql":
        parsed = make_url(url).update_query_dict({"options": READ_ONLY_OPTION})
        return parsed.render_as_string(hide_password=False)
    raise AccessError(f"the dashboard reads SQLite or PostgreSQL, not {backend}")


def read_only_engine(url: str) -> Engine:
    """The engine of a `read_only_url`; on PostgreSQL every connection also runs
    `SET default_transaction_read_only = on`."""
    engine = get_engine(url)
    if engine.dialect.name == "postgresql" and id(engine) not in _guarded:
        _guarded.add(id(engine))

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET default_transaction_read_only = on")
            dbapi_connection.commit()

        engine.pool.dispose()  # connections made before the listener are dropped
    return engine


def is_loopback(host: str) -> bool:
    """Whether `host` is a loopback address (or `localhost`)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, password: str | None) -> None:
    """Refuse a non-loopback host without a password."""
    if not is_loopback(host) and not password:
        raise AccessError(
            f"the dashboard on {host} is reachable from other machines: set "
            f"{PASSWORD_VARIABLE} (basic auth) or bind to 127.0.0.1"
        )


def authorised(header: str | None, password: str) -> bool:
    """Whether an `Authorization: Basic ...` header carries `password` (any user name)."""
    if not header or not header.lower().startswith("basic "):
        return False
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    _, _, given = decoded.partition(":")
    return secrets.compare_digest(given.encode(), password.encode())
