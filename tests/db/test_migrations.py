"""Alembic migrations: upgrade from nothing, twice, from two processes, and no drift."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from chartcascade.db import get_engine
from chartcascade.schema import alembic_config, is_current, schema_revision, upgrade

REPO = Path(__file__).resolve().parents[2]
TABLES = {
    "alembic_version",
    "artist",
    "artist_audience_country",
    "artist_audience_point",
    "audience_check",
    "chart",
    "failed_item",
    "ranking_entry",
    "ranking_snapshot",
    "track",
    "track_airplay_country",
    "track_artist",
    "track_audience_point",
    "watched_artist",
    "work_claim",
}


def head() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def test_schema_revision_is_none_before_upgrade(empty_db_url: str) -> None:
    assert (schema_revision(empty_db_url), is_current(empty_db_url)) == (None, False)


def test_upgrade_creates_every_table_at_head(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    assert set(inspect(get_engine(empty_db_url)).get_table_names()) == TABLES
    assert (schema_revision(empty_db_url), is_current(empty_db_url)) == (head(), True)


def test_upgrade_twice_is_harmless(empty_db_url: str) -> None:
    upgrade(empty_db_url)
    upgrade(empty_db_url)
    assert schema_revision(empty_db_url) == head()


def test_upgraded_database_matches_the_models(db_url: str) -> None:
    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []


def test_upgrade_from_two_processes_at_once(empty_db_url: str) -> None:
    code = "import sys; from chartcascade.schema import upgrade; upgrade(sys.argv[1])"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", code, empty_db_url], env=env, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    errors = [p.communicate(timeout=60)[1].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], errors
    assert schema_revision(empty_db_url) == head()
