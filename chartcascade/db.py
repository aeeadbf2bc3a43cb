"""The database: engines and sessions (SQLite or PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, SQLModel

from chartcascade.settings import get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_SECONDS = 10  # a PostgreSQL server that does not answer fails in this time
WAL_ATTEMPTS = 20
MAX_IN_VALUES = 5_000
READ_ONLY_OPTION = "chartcascade_read_only"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def as_utc(value: datetime) -> datetime:
    """`value` as an aware UTC datetime; naive values (as read back from SQLite) are UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def normalize_url(url: str) -> str:
    """`url` with plain PostgreSQL schemes mapped to the psycopg (v3) driver."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def safe_url(url: str) -> str:
    """`url` with its password hidden, fit for logs and error messages."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    """The file a SQLite URL names (None: another database, or one in memory)."""
    parsed = make_url(normalize_url(url))
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        database = database.removeprefix("file:").split("?")[0]
    return Path(database)


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url` (default: the settings' database), created once per URL."""
    key = normalize_url(url or get_settings().database_url)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _create_engine(key)
        return engine


def dispose_engines(url: str | None = None) -> None:
    """Close and forget the cached engine of `url`, or every cached engine."""
    with _engines_lock:
        keys = [normalize_url(url)] if url else list(_engines)
        for key in keys:
            engine = _engines.pop(key, None)
            if engine is not None:
                engine.dispose()


def _create_engine(url: str) -> Engine:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:  # its message would repeat the URL, password included
        raise ValueError("the database URL (DATABASE_URL) cannot be parsed") from None
    if backend == "sqlite":
        return _create_sqlite_engine(url)
    if backend == "postgresql":
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=20,
            max_overflow=20,
            connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
        )
    return create_engine(url, pool_pre_ping=True)


def _enable_wal(cursor: Any) -> None:
    """Switch to WAL. The switch needs the file to itself and SQLite does not always wait
    through its busy handler for it (two processes opening a new file at once), so retry."""
    for attempt in range(WAL_ATTEMPTS):
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def _create_sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=40,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that "begin" below is the only BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        _enable_wal(cursor)
        cursor.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at checkpoints, no corruption
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock up front: waiting writers queue on busy_timeout instead of
        # failing with "database is locked" when a read transaction tries to upgrade.
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success, rolls back on error and always closes.

    On SQLite, sessions of one process take turns through a lock: SQLite allows one writer,
    and its busy handler sleeps with back-off, so threads queueing in SQLite lose most of
    their time asleep. Other processes still wait through the busy timeout.
    """
    engine = get_engine(url)
    with _writer_lock(engine):
        session = Session(engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


@contextmanager
def read_scope(url: str | None = None) -> Iterator[Session]:
    """A session for reads only: closed at the end, never committed (a write in it is lost).

    On SQLite it neither takes the process's writer lock nor SQLite's: WAL lets it read a
    consistent snapshot while one writer goes on (it does not see the uncommitted writes of
    a session_scope open in the same thread). Objects read stay loaded, detached.
    """
    engine = get_engine(url).execution_options(**{READ_ONLY_OPTION: True})
    with Session(engine, expire_on_commit=False) as session:
        yield session


_sqlite_locks: dict[str, threading.RLock] = {}


def _writer_lock(engine: Engine) -> AbstractContextManager[Any]:
    if engine.dialect.name != "sqlite":
        return nullcontext()
    key = str(engine.url)
    with _engines_lock:
        return _sqlite_locks.setdefault(key, threading.RLock())


def chunks(values: Sequence[Any], size: int = MAX_IN_VALUES) -> Iterator[Sequence[Any]]:
    """`values` in slices of at most `size` (for IN lists under the bind-parameter limits)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- aware timestamps on SQLite -------------------------------------------------------------


@cache
def _aware_attributes(mapper: Mapper[Any]) -> tuple[str, ...]:
    return tuple(
        prop.key
        for prop in mapper.column_attrs
        if isinstance(prop.columns[0].type, DateTime) and prop.columns[0].type.timezone
    )


def _make_aware(target: Any, attrs: Any = None) -> None:
    """SQLite drops tzinfo: mark the timestamps of loaded rows as the UTC they were."""
    for key in _aware_attributes(target.__mapper__):
        value = target.__dict__.get(key)
        if isinstance(value, datetime) and value.tzinfo is None and (not attrs or key in attrs):
            set_committed_value(target, key, value.replace(tzinfo=UTC))


event.listen(SQLModel, "load", lambda target, _context: _make_aware(target), propagate=True)
event.listen(
    SQLModel, "refresh", lambda target, _ctx, attrs: _make_aware(target, attrs), propagate=True
)
