"""Fresh PostgreSQL databases for the benchmarks, dropped when they end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool


class Databases:
    """Fresh PostgreSQL databases on one server, all dropped by `drop_all`."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def _admin(self) -> Any:
        return create_engine(self.admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    def create(self, name: str) -> str:
        """A new empty database; its psycopg URL."""
        engine = self._admin()
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created.append(name)
        return make_url(self.admin_url).set(database=name).render_as_string(False)

    def drop_all(self) -> None:
        from chartcascade.db import dispose_engines

        dispose_engines()
        if not self.created:
            return
        engine = self._admin()
        with engine.connect() as connection:
            for name in reversed(self.created):
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": name},
                )
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()
        self.created.clear()
