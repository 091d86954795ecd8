"""Engine set-up per backend, making erased data leave SQLite's files, and the SQL helpers
that must read the same on PostgreSQL and SQLite."""

from __future__ import annotations

import select
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any, TypeVarTuple, cast

from flask import Flask
from sqlalchemy import Date, Dialect, Integer, Row, Select, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from werkzeug.routing import IntegerConverter, Map

from petition.extensions import db

# INSERT … ON CONFLICT DO NOTHING, as each supported database spells it.
INSERTS: dict[str, Callable[..., postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert,
    "sqlite": sqlite.insert,
}

# Statement values (names, addresses) never reach a log or an error message, even when
# someone switches on SQLAlchemy's statement log to debug.
ENGINE_OPTIONS: dict[str, Any] = {"hide_parameters": True}


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        event.listen(engine, "checkin", _sqlite_checkpoint_if_erased)
    else:
        event.listen(engine, "checkout", _drop_if_closed_by_server)


def _drop_if_closed_by_server(dbapi_connection: Any, record: Any, proxy: Any) -> None:
    """A pooled connection the server has closed is replaced as it is taken: after
    PostgreSQL restarts, each worker's next request would otherwise meet a dead connection
    and fail.

    An idle connection has nothing to read; a server that shuts down sends a last message
    and closes it, which makes the socket readable. Polling the socket costs nothing, where
    SQLAlchemy's `pool_pre_ping` pays a round trip to the server on every request."""
    if dbapi_connection.closed or _readable(dbapi_connection.fileno()):
        raise DisconnectionError


def _readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


def first_row(statement: Executable, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The first row `statement` returns, for a statement that is a whole transaction: run
    alone (`run_alone`) on PostgreSQL when the session holds no transaction; else in the
    session's transaction, to be committed with it (taking a second connection while holding
    one, many requests at once could each wait for the pool forever)."""
    if db.engine.dialect.name != "postgresql" or session_in_transaction():
        return db.session.connection().execute(statement, values).first()
    return run_alone(statement, values)


def session_in_transaction() -> bool:
    """Whether this request's session holds a transaction, without making a session for a
    request that has not used one (making it and closing it cost as much as a statement)."""
    return db.session.registry.has() and db.session().in_transaction()


def run_alone(statement: Executable, values: dict[str, Any]) -> tuple[Any, ...] | None:
    """The first row `statement` returns, run as a transaction of its own (PostgreSQL only).

    For the one statement every signing POST runs, which is cheaper this way by half: on a
    pooled connection of its own in autocommit (one round trip, where the session's
    transaction takes three: BEGIN, the statement, COMMIT), and beneath SQLAlchemy's
    `Connection`, whose bookkeeping costs as much as the statement itself. SQLAlchemy still
    compiles the statement (once) and converts the values; the pool's events still run. A
    driver error comes as SQLAlchemy raises it, without the values, a lost connection
    invalidated (the 503 page)."""
    dialect = db.engine.dialect
    sql, convert = _for_driver(statement, dialect)
    pooled = db.engine.raw_connection()
    try:
        with _as_sqlalchemy_errors(pooled, dialect, sql):
            return _autocommitted(pooled, sql, convert(values))
    finally:
        pooled.close()


@lru_cache(maxsize=64)  # a few statements, per engine
def _for_driver(
    statement: Executable, dialect: Dialect
) -> tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]:
    """`statement` as the driver takes it, and what turns its values into the driver's."""
    compiled = cast(SQLCompiler, cast(ClauseElement, statement).compile(dialect=dialect))
    processors = {
        name: processor
        for name, bind in compiled.binds.items()
        if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
    }

    def convert(values: dict[str, Any]) -> dict[str, Any]:
        given = compiled.construct_params(values) or {}
        return {name: processors[name](v) if name in processors else v for name, v in given.items()}

    return str(compiled), convert


def _autocommitted(
    pooled: PoolProxiedConnection, sql: str, values: dict[str, Any]
) -> tuple[Any, ...] | None:
    connection: Any = pooled.driver_connection
    connection.autocommit = True
    try:
        row: tuple[Any, ...] | None = _cursor_of(pooled).execute(sql, values).fetchone()
        return row
    finally:
        if not connection.closed:  # a broken connection is thrown away, never pooled again
            connection.autocommit = False


def _cursor_of(pooled: PoolProxiedConnection) -> Any:
    """The connection's own cursor, kept for as long as the connection lives (the pool
    empties `info` when it replaces one): making a cursor costs a third of the statement."""
    cursor = pooled.info.get(_CURSOR)
    if cursor is None or cursor.closed:
        connection: Any = pooled.driver_connection
        cursor = pooled.info[_CURSOR] = connection.cursor()
    return cursor


_CURSOR = "petition.run_alone_cursor"


@contextmanager
def _as_sqlalchemy_errors(
    pooled: PoolProxiedConnection, dialect: Dialect, sql: str
) -> Iterator[None]:
    dbapi_error = dialect.loaded_dbapi.Error
    try:
        yield
    except dbapi_error as error:
        lost = dialect.is_disconnect(error, pooled, None)
        if lost:
            pooled.invalidate(error)
        raise DBAPIError.instance(
            sql, None, error, dbapi_error, hide_parameters=True, connection_invalidated=lost
        ) from error


def erase_traces() -> None:
    """Make what this transaction erases leave the database's files once it commits.

    On SQLite, `secure_delete` zeroes what a change removes from a page, but the older
    copies of the page stay in the write-ahead log until a checkpoint copies the log into
    the file. So the connection is marked, and when the session hands it back (right after
    the commit) a TRUNCATE checkpoint writes the log into the file and empties it. Not on
    PostgreSQL: there an old row version stays in its file until VACUUM reuses the space.
    """
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.info[_ERASED] = True


_ERASED = "petition.erased"


def _sqlite_checkpoint_if_erased(dbapi_connection: sqlite3.Connection | None, record: Any) -> None:
    """A TRUNCATE checkpoint waits (up to busy_timeout) for readers of older snapshots, so
    only connections that erased something pay it."""
    if record.info.pop(_ERASED, False) and dbapi_connection is not None:
        dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, wait rather than fail on a lock, and
    zeroes over deleted content (`secure_delete`: erased means gone from the file)."""
    # Let SQLAlchemy, not the driver, decide when a transaction begins.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA secure_delete = ON")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock at BEGIN: a read that later writes cannot deadlock another writer."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")


# The largest id an `Integer` column holds (PostgreSQL's `integer`; SQLite holds more).
MAX_ROW_ID = 2**31 - 1


class RowId(IntegerConverter):
    """`<int:…>` in every route: an id no id column can hold matches no route (404),
    instead of overflowing the database driver (500)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


class utc_day(FunctionElement[date]):
    """The UTC calendar day of a timestamp column, on PostgreSQL and on SQLite."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps our timestamps as UTC text: date() takes the day part.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # A timestamptz's day depends on the session's zone unless we say which zone.
    return f"date(timezone('UTC', {compiler.process(element.clauses, **kw)}))"


Columns = TypeVarTuple("Columns")


def in_id_batches(
    query: Select[*Columns], id_column: Any, size: int
) -> Iterator[Sequence[Row[*Columns]]]:
    """`query`'s rows in batches of `size`, in the order of `id_column` (which the query
    selects): each batch is read only once the caller is done with the one before, so
    memory stays flat however many rows there are, and the caller may commit in between."""
    after: Any = None
    while True:
        batched = query if after is None else query.where(id_column > after)
        batch = db.session.execute(batched.order_by(id_column).limit(size)).all()
        if not batch:
            return
        yield batch
        after = getattr(batch[-1], id_column.key)


def as_date(value: date | str) -> date:
    """A day as SQL returns it: a date on PostgreSQL, ISO text on SQLite."""
    return value if isinstance(value, date) else date.fromisoformat(value)


class first_code_point(FunctionElement[int]):
    """The code point of a text's first character, on PostgreSQL and on SQLite."""

    type = Integer()
    name = "first_code_point"
    inherit_cache = True


@compiles(first_code_point)
def _first_code_point_sqlite(element: first_code_point, compiler: SQLCompiler, **kw: Any) -> str:
    return f"unicode({compiler.process(element.clauses, **kw)})"


@compiles(first_code_point, "postgresql")
def _first_code_point_postgresql(
    element: first_code_point, compiler: SQLCompiler, **kw: Any
) -> str:
    return f"ascii({compiler.process(element.clauses, **kw)})"  # a code point, in UTF-8
