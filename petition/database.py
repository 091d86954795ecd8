"""Engine set-up per backend."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import make_url

from petition.extensions import db


def engine_options(uri: str) -> dict[str, Any]:
    """Options for the engine of `uri`.

    Statement values (names, addresses) never reach a log or an error message, even when
    someone switches on SQLAlchemy's statement log to debug. On a database server, a pooled
    connection is tested as it is taken: after PostgreSQL restarts, each worker's first
    request would otherwise meet a dead connection and fail.
    """
    options: dict[str, Any] = {"hide_parameters": True}
    if make_url(uri).get_backend_name() != "sqlite":
        options["pool_pre_ping"] = True
    return options


def configure_engine(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)


def _sqlite_on_connect(dbapi_connection: sqlite3.Connection, record: Any) -> None:
    """Foreign keys on, WAL for concurrent readers, and wait rather than fail on a lock."""
    # Let SQLAlchemy, not the driver, decide when a transaction begins.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    """Take the write lock at BEGIN: a read that later writes cannot deadlock another writer."""
    connection.exec_driver_sql("BEGIN IMMEDIATE")
