"""Alembic environment: migrates chartcascade's SQLModel tables on SQLite or PostgreSQL.

The URL comes from `config.attributes["url"]` (set by `chartcascade.schema.upgrade`), else the
`sqlalchemy.url` option, else the settings. Concurrent upgrades are serialised: by a
PostgreSQL advisory lock, and on SQLite by the `BEGIN IMMEDIATE` of chartcascade's engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy import Connection, text
from sqlmodel import SQLModel

import chartcascade.models  # noqa: F401  (registers every table on SQLModel.metadata)
from chartcascade.db import get_engine, normalize_url
from chartcascade.settings import get_settings

# Any fixed number shared by every process that migrates this schema.
MIGRATION_LOCK_KEY = 0x63686172_74636173  # "chartcas"

config = context.config
if config.config_file_name is not None:  # the `alembic` command line, with alembic.ini
    fileConfig(config.config_file_name, disable_existing_loggers=False)
target_metadata = SQLModel.metadata


def database_url() -> str:
    """The URL to migrate."""
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    return normalize_url(url or get_settings().database_url)


@contextmanager
def migration_lock(connection: Connection) -> Iterator[None]:
    """Hold what keeps concurrent migrations apart and schema changes safe, then release it."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        connection.commit()
    elif dialect == "sqlite":
        # Batch migrations rebuild tables; SQLite needs foreign keys off (outside a transaction).
        _driver_execute(connection, "PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
        elif dialect == "sqlite":
            _driver_execute(connection, "PRAGMA foreign_keys = ON")


def _driver_execute(connection: Connection, sql: str) -> None:
    """Run `sql` on the driver connection itself, outside SQLAlchemy's transaction."""
    driver_connection: Any = connection.connection.driver_connection
    driver_connection.execute(sql)


def run_migrations_offline() -> None:
    """Emit the migration SQL without a database connection (`alembic upgrade --sql`)."""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run every pending migration in one transaction, under the migration lock."""
    engine = get_engine(database_url())
    with engine.connect() as connection, migration_lock(connection), connection.begin():
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            transactional_ddl=True,  # one BEGIN (IMMEDIATE on SQLite) around everything
        )
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
