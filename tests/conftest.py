"""Test-wide set-up: a quiet, isolated Prefect, no real credentials, and shared fixtures."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest

# Before anything imports Prefect or reads settings.
_PREFECT_HOME = tempfile.mkdtemp(prefix="chartcascade-prefect-")
for _name in list(os.environ):
    if _name.startswith(("SOUNDCHARTS_", "CHARTCASCADE_DATABASE", "DATABASE_URL", "PREFECT_API")):
        os.environ.pop(_name)
os.environ.update(
    {
        "PREFECT_HOME": _PREFECT_HOME,
        "PREFECT_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_TASKS_DEFAULT_NO_CACHE": "true",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE": "200",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_READ_BATCH_SIZE": "200",
        "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_FLUSH_INTERVAL": "1",
        "CHARTCASCADE_RETRY_DELAY_SECONDS": "0",
        "CHARTCASCADE_TASK_RETRIES": "8",
    }
)


import secrets  # noqa: E402
from pathlib import Path  # noqa: E402

from sqlalchemy import Engine, create_engine, make_url, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import chartcascade.models  # noqa: E402, F401  (registers the tables)
from chartcascade.db import dispose_engines, get_engine, safe_url  # noqa: E402
from chartcascade.schema import upgrade  # noqa: E402


@pytest.fixture(scope="session")
def prefect_api() -> Iterator[str]:
    """One Prefect test server (temporary SQLite) for the whole test session."""
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield str(PREFECT_API_URL.value())


# --- databases: an upgraded SQLite file per test, one PostgreSQL database per run ---

DEFAULT_TEST_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_admin_url() -> str:
    """The PostgreSQL server the tests may create databases on."""
    return os.environ.get("CHARTCASCADE_TEST_POSTGRES_URL", DEFAULT_TEST_POSTGRES_URL)


_unreachable: list[str] = []  # the skip reason, once the server failed to answer


def _skip_or_fail(reason: str) -> None:
    """Skip, unless CHARTCASCADE_REQUIRE_POSTGRES is set (CI), where a missing server fails."""
    if os.environ.get("CHARTCASCADE_REQUIRE_POSTGRES"):
        pytest.fail(f"{reason} (CHARTCASCADE_REQUIRE_POSTGRES is set)")
    pytest.skip(reason)


def _admin_engine() -> Engine:
    """An autocommit engine on the test server, or skip the test when it does not answer."""
    if _unreachable:
        _skip_or_fail(_unreachable[0])
    url = postgres_admin_url()
    engine = create_engine(
        url, isolation_level="AUTOCOMMIT", poolclass=NullPool, connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to connect means: no server for these tests
        engine.dispose()
        _unreachable.append(f"PostgreSQL not reachable at {safe_url(url)}: {exc}")
        _skip_or_fail(_unreachable[0])
    return engine


def create_postgres_database() -> str:
    """A new empty database `chartcascade_test_<hex>` on the test server; its URL."""
    name = f"chartcascade_test_{secrets.token_hex(6)}"
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(postgres_admin_url()).set(database=name).render_as_string(False)


def drop_postgres_database(url: str) -> None:
    """Close every connection to the database of `url`, then drop it."""
    dispose_engines(url)
    name = make_url(url).database
    engine = _admin_engine()
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """One upgraded PostgreSQL database for the whole test session."""
    url = create_postgres_database()
    try:
        upgrade(url)
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    """The session's PostgreSQL database, emptied for this test."""
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with get_engine(postgres_database).begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield postgres_database


@pytest.fixture
def sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A new upgraded SQLite file database for this test."""
    url = f"sqlite:///{(tmp_path / 'db' / 'chartcascade.db').as_posix()}"
    upgrade(url)
    yield url
    dispose_engines(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """An upgraded, empty database: SQLite, then PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture
def empty_sqlite_url(tmp_path: Path) -> Iterator[str]:
    """A SQLite URL with no database yet."""
    url = f"sqlite:///{(tmp_path / 'empty' / 'chartcascade.db').as_posix()}"
    yield url
    dispose_engines(url)


@pytest.fixture
def empty_postgres_url() -> Iterator[str]:
    """A new PostgreSQL database without any table, dropped after the test."""
    url = create_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_db_url(request: pytest.FixtureRequest) -> str:
    """A database that was never migrated: SQLite, then PostgreSQL."""
    return str(request.getfixturevalue(f"empty_{request.param}_url"))


# --- the sandbox served on loopback, and the environment a chart run reads ---------------

SMALL_CHARTS = {
    "global-28": 12,
    "top-100-global": 10,
    "shazam-top-200-world": 8,
    "airplay-daily": 8,
    "viral-50-global": 6,
}


@pytest.fixture
def sandbox_world() -> object:
    """A small deterministic world: charts of 6 to 12 entries that share songs and artists."""
    from chartcascade.sandbox import SandboxWorld

    return SandboxWorld(seed=11, n_songs=80, n_artists=50, chart_sizes=SMALL_CHARTS)


@pytest.fixture
def sandbox(sandbox_world: object) -> object:
    """The sandbox over the small world (configure faults through `sandbox.config`)."""
    from chartcascade.sandbox import Sandbox, SandboxConfig

    return Sandbox(world=sandbox_world, config=SandboxConfig())  # type: ignore[arg-type]


@pytest.fixture
def cascade_env(
    sandbox: object, sqlite_url: str, prefect_api: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Serve the sandbox and point settings at it and at a fresh SQLite database; yields the
    database URL. The run's rate limit exists on the Prefect test server."""
    yield from _cascade_env(sandbox, sqlite_url, monkeypatch)


def _cascade_env(
    sandbox: object, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    from chartcascade.limits import ensure_rate_limit
    from chartcascade.settings import get_settings
    from chartcascade.soundcharts.auth import clear_token_cache

    with sandbox.serve() as base_url:  # type: ignore[attr-defined]
        monkeypatch.setenv("SOUNDCHARTS_BASE_URL", base_url)
        monkeypatch.setenv("SOUNDCHARTS_TOKEN_URL", f"{base_url}/oauth/token")
        monkeypatch.setenv("SOUNDCHARTS_APP_ID", sandbox.config.app_id)  # type: ignore[attr-defined]
        monkeypatch.setenv("SOUNDCHARTS_API_KEY", sandbox.config.api_key)  # type: ignore[attr-defined]
        monkeypatch.setenv("DATABASE_URL", database_url)
        monkeypatch.setenv("CHARTCASCADE_RATE_LIMIT_PER_SECOND", "1000")
        monkeypatch.setenv("CHARTCASCADE_RATE_LIMIT_BURST", "200")
        get_settings.cache_clear()
        clear_token_cache()
        ensure_rate_limit(get_settings())
        yield database_url
    get_settings.cache_clear()
