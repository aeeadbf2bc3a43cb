"""Batched upserts (INSERT ... ON CONFLICT) on SQLite and PostgreSQL, compiled once per shape.

A shape is the table, the columns sent, the conflict keys and the update rules. Building and
compiling its statement cost more than sending a few hundred rows, so each shape is compiled
once per process and its SQL sent through the driver: on SQLite as one multi-row VALUES
(up to the parameter limit), on PostgreSQL as one array per column (`unnest`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    ARRAY,
    JSON,
    DateTime,
    Enum,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, SQLModel

from chartcascade.db import as_utc

# A merge rule for one column of an upsert: (stored value, proposed value) -> new value.
Merge = Callable[[Any, Any], ColumnElement[Any]]
Convert = Callable[[Any], Any]

ROWS_PER_STATEMENT = 5_000  # PostgreSQL
# Parameters per SQLite statement: few calls per save, and statements small enough for each
# pooled connection's cache of 128 prepared ones (at SQLite's limit of 32,766 a run's process
# grew from 410 to 940 MB); at most SQLite's limit (999 before 3.32).
SQLITE_PARAMETERS = 4_000 if sqlite3.sqlite_version_info >= (3, 32) else 999


def keep_known(stored: Any, new: Any) -> ColumnElement[Any]:
    """Merge rule: take the new value unless it is null."""
    return func.coalesce(new, stored)


def insert_statement(session: Session, model: type[SQLModel]) -> Any:
    """A dialect-specific INSERT (with `on_conflict_*`) for `model` on the session's database."""
    return _insert(session.get_bind().dialect.name, _table(model))


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
    order, so concurrent batches cannot deadlock on PostgreSQL).
    """
    if not rows:
        return 0
    columns = tuple(rows[0])
    for row in rows:
        if row.keys() != rows[0].keys():
            raise ValueError(
                f"upsert rows must all have the columns {list(columns)}, got {list(row)}"
            )
    if len(columns) == 1:
        values: list[Sequence[Any]] = [(row[columns[0]],) for row in rows]
    else:
        in_order = itemgetter(*columns)  # each row's values in the first row's column order
        values = [in_order(row) for row in rows]
    return upsert_values(session, model, columns, values, keys=keys, update=update, merge=merge)


def upsert_values(
    session: Session,
    model: type[SQLModel],
    columns: Sequence[str],
    values: Sequence[Sequence[Any]],
    *,
    keys: Sequence[str],
    update: Sequence[str] | None = None,
    merge: Mapping[str, Merge] | None = None,
) -> int:
    """`upsert` of rows given as tuples of `columns` (named tuples in field order will do).

    A shape's statement is built once per process: a merge rule must be a pure function of
    its two columns (its result is compiled once), defined once, not a new lambda per call.
    """
    if not values:
        return 0
    dialect = session.get_bind().dialect
    shape = _Shape(
        dialect.name,
        _table(model),
        tuple(columns),
        tuple(keys),
        None if update is None else tuple(update),
        tuple(sorted((merge or {}).items(), key=lambda item: item[0])),
    )
    plan = _plan(shape, dialect)
    key_of = itemgetter(*[shape.columns.index(key) for key in shape.keys])
    unique = {key_of(row): row for row in values}  # the last one wins
    ordered = [unique[key] for key in sorted(unique)]
    connection = session.connection()
    written = 0
    for sql, parameters in plan.statements(ordered):
        written += int(connection.exec_driver_sql(sql, parameters).rowcount)
    return written


@dataclass(frozen=True)
class _Shape:
    dialect: str
    table: Table
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    update: tuple[str, ...] | None
    merge: tuple[tuple[str, Merge], ...]


# Where a bind parameter's values come from: a column of the rows (by index), the default of a
# column the rows leave out, or a constant of the statement (`attempts + 1`).
Source = tuple[str, Any]


@dataclass(frozen=True)
class _Plan:
    """One shape's SQL and how rows become its parameters, one (source, conversion) per bind
    parameter: positional on SQLite, by name (one array per column) on PostgreSQL."""

    sql: str
    sources: tuple[tuple[Source, Convert | None], ...]
    names: tuple[str, ...] | None
    arrays: frozenset[str] = frozenset()
    row_group: str = ""  # SQLite: the VALUES group of one row, "(?, ?, ?)"

    def statements(self, rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, Any]]:
        """(SQL, parameters) for the rows: on PostgreSQL one array per column; on SQLite one
        multi-row VALUES, each sqlite3 call releasing and taking back the GIL once, not once
        per row as executemany does (with other threads busy, the taking back is what costs)."""
        if self.names is not None:
            for start in range(0, len(rows), ROWS_PER_STATEMENT):
                yield self.sql, self.parameters(rows[start : start + ROWS_PER_STATEMENT])
            return
        width = self.row_group.count("?")
        size = max(1, (SQLITE_PARAMETERS - (len(self.sources) - width)) // width)
        head, _, tail = self.sql.partition(self.row_group)
        for start in range(0, len(rows), size):
            part = rows[start : start + size]
            columns = self.columns(part)
            values = chain.from_iterable(zip(*columns[:width], strict=True))
            groups = ", ".join([self.row_group] * len(part))
            constants = (column[0] for column in columns[width:])
            yield head + groups + tail, (*values, *constants)  # one parameter set

    def parameters(self, rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
        """PostgreSQL: each parameter's array (a column of the rows) or constant, by name."""
        assert self.names is not None
        return {
            name: list(column) if name in self.arrays else column[0]
            for name, column in zip(self.names, self.columns(rows), strict=True)
        }

    def columns(self, rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
        """Each bind parameter's values for the rows, converted, in the statement's order."""
        by_column = list(zip(*rows, strict=True))
        params: list[Any] = []
        for (kind, source), convert in self.sources:
            if kind == "column":
                column: Sequence[Any] = by_column[source]
                params.append(list(map(convert, column)) if convert else column)
                continue
            if kind == "default":  # evaluated once per statement, as Core's executemany does
                value = source.arg(None) if source.is_callable else source.arg
            else:
                value = source
            params.append(((convert(value) if convert else value),) * len(rows))
        return params


@lru_cache(maxsize=256)
def _plan(shape: _Shape, dialect: Dialect) -> _Plan:
    table, columns = shape.table, shape.columns
    left_out = [c.name for c in table.c if c.name not in columns and _python_default(c)]
    sent = [*columns, *left_out]
    stmt = _insert(shape.dialect, table)
    if shape.dialect == "postgresql":
        arrays = [_unnest(table, c) for c in sent]
        stmt = stmt.from_select(sent, select(*arrays), include_defaults=False)
    else:
        stmt = stmt.values({c: bindparam(c) for c in sent})
    compiled = _on_conflict(stmt, shape, table).compile(dialect=dialect)
    postgres = shape.dialect == "postgresql"
    names = list(compiled.params) if postgres else list(compiled.positiontup or ())
    sources: list[tuple[Source, Convert | None]] = []
    for name in names:
        column = table.c.get(name) if name in sent else None
        if column is None:
            sources.append((("constant", compiled.params[name]), None))
            continue
        convert: Convert | None
        if postgres:
            convert = json.dumps if isinstance(column.type, JSON) else None
        else:
            convert = _converter(column.type, dialect)
        if isinstance(column.type, DateTime):  # SQLite keeps no offset: store UTC everywhere
            convert = _then(as_utc, convert)
        if name in columns:
            sources.append((("column", columns.index(name)), convert))
        else:
            sources.append((("default", column.default), convert))
    if postgres:
        return _Plan(compiled.string, tuple(sources), tuple(names), frozenset(sent))
    row_group = "(" + ", ".join(["?"] * len(sent)) + ")"
    after_rows = [kind for (kind, _), _ in sources[len(sent) :]]
    if (
        compiled.string.count(row_group) != 1
        or set(names[: len(sent)]) != set(sent)
        or any(kind != "constant" for kind in after_rows)  # sent once, not per row
    ):
        raise AssertionError(f"unexpected upsert SQL for {table.name}: {compiled.string}")
    return _Plan(compiled.string, tuple(sources), None, row_group=row_group)


def _unnest(table: Table, name: str) -> Any:
    """PostgreSQL: the rows of column `name`, sent as one array.

    Strings go as text: an explicit cast to VARCHAR(n) would cut a longer value, while the
    INSERT's own assignment to the column rejects it, as a plain INSERT does. JSON goes as
    text too (a list value would read as a nested array)."""
    type_ = table.c[name].type
    base = type_.impl if isinstance(type_, TypeDecorator) else type_  # SQLModel's AutoString
    if isinstance(base, JSON):
        return cast(func.unnest(cast(bindparam(name), ARRAY(Text))), type_).label(name)
    if isinstance(base, String) and not isinstance(base, Enum):
        return func.unnest(cast(bindparam(name), ARRAY(Text))).label(name)
    return func.unnest(cast(bindparam(name), ARRAY(type_))).label(name)


def _python_default(column: Any) -> bool:
    return column.default is not None and not column.primary_key


def _on_conflict(stmt: Any, shape: _Shape, table: Table) -> Any:
    merge = dict(shape.merge)
    update = shape.update
    if update is None:
        update = tuple(c for c in shape.columns if c not in shape.keys and c not in merge)
    set_: dict[str, Any] = {c: stmt.excluded[c] for c in update}
    set_ |= {c: rule(table.c[c], stmt.excluded[c]) for c, rule in merge.items()}
    if set_ and "updated_at" in table.c and "updated_at" not in set_:
        set_["updated_at"] = stmt.excluded["updated_at"]
    if set_:
        return stmt.on_conflict_do_update(index_elements=list(shape.keys), set_=set_)
    return stmt.on_conflict_do_nothing(index_elements=list(shape.keys))


def _converter(type_: Any, dialect: Dialect) -> Convert | None:
    processor = type_.bind_processor(dialect)
    return processor if callable(processor) else None


def _then(first: Convert, second: Convert | None) -> Convert:
    def both(value: Any) -> Any:
        if isinstance(value, datetime):
            value = first(value)
        return second(value) if second else value

    return both


def _insert(dialect: str, table: Table) -> Any:
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"upserts support sqlite and postgresql, not {dialect}")


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]
