"""The database: engines, sessions, migrations and batched upserts (SQLite or PostgreSQL)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, Table, bindparam, create_engine, event, func, make_url
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, SQLModel

from chartcascade.settings import get_settings

# A merge rule for one column of an upsert: (stored value, proposed value) -> new value.
Merge = Callable[[Any, Any], ColumnElement[Any]]

SQLITE_BUSY_TIMEOUT_MS = 30_000
CONNECT_TIMEOUT_SECONDS = 10  # a PostgreSQL server that does not answer fails in this time
WAL_ATTEMPTS = 20
_MAX_ROWS_PER_STATEMENT = 1_000
MAX_IN_VALUES = 5_000

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
        connection.exec_driver_sql("BEGIN IMMEDIATE")

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


_sqlite_locks: dict[str, threading.RLock] = {}


def _writer_lock(engine: Engine) -> AbstractContextManager[Any]:
    if engine.dialect.name != "sqlite":
        return nullcontext()
    key = str(engine.url)
    with _engines_lock:
        return _sqlite_locks.setdefault(key, threading.RLock())


# --- upserts ------------------------------------------------------------------------------


def keep_known(stored: Any, new: Any) -> ColumnElement[Any]:
    """Merge rule: take the new value unless it is null."""
    return func.coalesce(new, stored)


def insert_statement(session: Session, model: type[SQLModel]) -> Any:
    """A dialect-specific INSERT (with `on_conflict_*`) for `model` on the session's database."""
    dialect = session.get_bind().dialect.name
    table = _table(model)
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"upserts support sqlite and postgresql, not {dialect}")


def upsert(
    session: Session,
    model: type[SQLModel],
    rows: Sequence[Mapping[str, Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str] | None = None,
    merge: Mapping[str, Merge] | None = None,
) -> int:
    """INSERT ... ON CONFLICT (keys) DO UPDATE; returns the rows inserted or updated.

    `update` names the columns overwritten by the new values (default: every non-key column
    of the rows); `merge` maps columns to rules such as `keep_known`. With neither, conflicting
    rows are left alone (DO NOTHING). A table's `updated_at` is set whenever a row is updated.
    Rows are de-duplicated on `keys` (last wins) and sent sorted by `keys` (a fixed lock
    order, so concurrent batches cannot deadlock on PostgreSQL), in chunks.
    """
    if not rows:
        return 0
    columns = list(rows[0])
    unique: dict[tuple[Any, ...], Mapping[str, Any]] = {}
    for row in rows:
        if row.keys() != rows[0].keys():
            raise ValueError(f"upsert rows must all have the columns {columns}, got {list(row)}")
        unique[tuple(row[key] for key in keys)] = row
    # SQLite stores a datetime's wall clock without its offset: store every one in UTC.
    ordered = [
        {c: as_utc(v) if isinstance(v, datetime) else v for c, v in unique[k].items()}
        for k in sorted(unique)
    ]
    merge = dict(merge or {})
    if update is None:
        update = [c for c in columns if c not in keys and c not in merge]
    table = _table(model)
    stmt = insert_statement(session, model).values({c: bindparam(c) for c in columns})
    set_: dict[str, Any] = {c: stmt.excluded[c] for c in update}
    set_ |= {c: rule(table.c[c], stmt.excluded[c]) for c, rule in merge.items()}
    if set_ and "updated_at" in table.c and "updated_at" not in set_:
        set_["updated_at"] = stmt.excluded["updated_at"]
    if set_:
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=set_)
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    if session.get_bind().dialect.name == "sqlite":
        return _sqlite_executemany(session, stmt, table, ordered)
    # One statement, many parameter sets: compiled once and cached, batched by SQLAlchemy
    # ("insertmanyvalues"); a multi-row VALUES clause would be compiled anew for every size.
    written = 0
    for start in range(0, len(ordered), _MAX_ROWS_PER_STATEMENT):
        result = session.execute(  # type: ignore[call-overload]
            stmt.execution_options(preserve_rowcount=True),
            ordered[start : start + _MAX_ROWS_PER_STATEMENT],
        )
        written += result.rowcount  # type: ignore[attr-defined]
    return written


def _sqlite_executemany(
    session: Session, stmt: Any, table: Table, rows: Sequence[Mapping[str, Any]]
) -> int:
    """The upsert through the driver's own executemany: SQLite runs it in C, while
    SQLAlchemy's batching costs about three times as long, all of it inside the one-writer
    lock. Values pass through each column type's bind processor, so storage is unchanged."""
    dialect = session.get_bind().dialect
    compiled = stmt.compile(dialect=dialect)
    names = list(compiled.positiontup or ())
    convert: dict[str, Callable[[Any], Any]] = {}
    constants = dict(compiled.params)
    for name in names:
        column = table.c.get(name)
        processor = column.type.bind_processor(dialect) if column is not None else None
        convert[name] = processor or _unchanged
        default = column.default if column is not None else None
        if constants.get(name) is None and default is not None:  # as Core fills left-out columns
            value = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
            constants[name] = convert[name](value)
    parameters = [
        tuple(convert[n](row[n]) if n in row else constants[n] for n in names) for row in rows
    ]
    result = session.connection().exec_driver_sql(compiled.string, parameters)
    return int(result.rowcount)


def _unchanged(value: Any) -> Any:
    return value


def chunks(values: Sequence[Any], size: int = MAX_IN_VALUES) -> Iterator[Sequence[Any]]:
    """`values` in slices of at most `size` (for IN lists under the bind-parameter limits)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


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
