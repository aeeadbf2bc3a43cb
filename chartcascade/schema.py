"""The database schema: Alembic migrations run from code, safe from several processes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import chartcascade
from chartcascade.db import get_engine, normalize_url
from chartcascade.settings import get_settings


def migrations_dir() -> Path:
    """The repository's Alembic folder, found next to the package."""
    return Path(chartcascade.__file__).resolve().parents[1] / "migrations"


def alembic_config(url: str | None = None) -> Config:
    """An Alembic configuration built in code, aimed at `url` (default: the settings')."""
    folder = migrations_dir()
    if not (folder / "env.py").is_file():
        raise FileNotFoundError(
            f"Alembic migrations not found at {folder}: chartcascade must run from a checkout "
            "(or an editable install) that contains the migrations/ folder"
        )
    config = Config()
    config.set_main_option("script_location", str(folder))
    config.set_main_option("path_separator", "os")
    config.attributes["url"] = normalize_url(url or get_settings().database_url)
    return config


def upgrade(url: str | None = None) -> None:
    """Migrate the database to the newest revision (safe to run from several processes)."""
    command.upgrade(alembic_config(url), "head")


def schema_revision(url: str | None = None) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_current(url: str | None = None) -> bool:
    """Whether the database is at the newest revision."""
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    return schema_revision(url) == head
