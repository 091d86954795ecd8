"""Fixtures on real parts: a migrated database (PostgreSQL or SQLite), an SMTP server."""

from __future__ import annotations

import contextvars
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.test import TestResponse

from petition import create_app
from petition.config import database_url
from petition.extensions import db
from petition.models import Role, types
from tests.chromium import browser, new_context  # noqa: F401 - fixtures for every folder
from tests.factories import make_staff
from tests.mailbox import Mailbox, start_smtp_server
from tests.pages import sign_in_staff
from tests.partner_site import partner_site  # noqa: F401 - a fixture for every folder
from tests.prerequisites import reachable_redis


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of one database's own behaviour run only when the suite runs on that database
    (deselected, not skipped, on the other)."""
    other = "sqlite" if os.environ.get("TEST_DATABASE_URL") else "postgresql"
    elsewhere = [item for item in items if item.get_closest_marker(other)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if item not in elsewhere]


@contextmanager
def fresh_database(folder: Path) -> Iterator[str]:
    """An empty database of our own: a new schema on PostgreSQL, or a new SQLite file."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{folder / f'test-{secrets.token_hex(4)}.db'}"
        return
    url = database_url(server, Path())
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        pytest.fail(
            f"TEST_DATABASE_URL does not answer ({error.orig}). Start PostgreSQL, create the "
            "database (createdb), or unset TEST_DATABASE_URL to run on SQLite.",
            pytrace=False,
        )
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as uri:
        yield uri


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis for the tests that need one (`TEST_REDIS_URL`); fails clearly without one."""
    return reachable_redis()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[Mailbox]:
    mailbox, controller = start_smtp_server()
    yield mailbox
    controller.stop()


@pytest.fixture(scope="session")
def smtputf8_server() -> Iterator[Mailbox]:
    mailbox, controller = start_smtp_server(smtputf8=True)
    yield mailbox
    controller.stop()


SMTPUTF8 = "smtputf8"


@pytest.fixture
def mailbox(request: pytest.FixtureRequest, smtp_server: Mailbox) -> Mailbox:
    """The SMTP server the app sends to, emptied. It does not offer SMTPUTF8; a test gets
    one that does with `@pytest.mark.parametrize("mailbox", [SMTPUTF8], indirect=True)`."""
    server = smtp_server
    if getattr(request, "param", None) == SMTPUTF8:
        server = request.getfixturevalue("smtputf8_server")
    server.clear()
    return server


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: the test's context,
    its `g` and its database session are not shared with the request."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        if has_app_context():
            # End the test's own transaction first: on SQLite it would hold the write lock.
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(database_uri: str, smtp: Mailbox, **overrides: Any) -> Flask:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "BASE_URL": "http://localhost",
        "MAIL_SERVER": smtp.host,
        "MAIL_PORT": smtp.port,
        "MAIL_DEFAULT_SENDER": "Campaign <campaign@example.org>",
        "SIGN_MIN_SECONDS": 0,
        **overrides,
    }
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def _schema(database_uri: str, smtp_server: Mailbox) -> None:
    """Build the schema the way production does: by running every migration."""
    app = make_app(database_uri, smtp_server)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _empty_all_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as connection:
            for table in tables:
                connection.execute(table.delete())
        db.engine.dispose()


@pytest.fixture
def app_config() -> dict[str, Any]:
    """Settings a test module may override by redefining this fixture."""
    return {}


@pytest.fixture
def app(
    database_uri: str, _schema: None, mailbox: Mailbox, app_config: dict[str, Any]
) -> Iterator[Flask]:
    app = make_app(database_uri, mailbox, **app_config)
    try:
        with app.app_context():
            yield app
    finally:
        _empty_all_tables(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def moderator(app: Flask, client: FlaskClient) -> Any:
    """A moderator, signed in on `client`."""
    user = make_staff(Role.MODERATOR)
    sign_in_staff(client, user)
    return user


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app served over real HTTP on a free local port, for the browser."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


class Clock:
    """Time travel: everything in the app that asks the time gets `now`."""

    def __init__(self) -> None:
        self.now = types.utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    travel = Clock()
    monkeypatch.setattr(types, "clock", travel)
    return travel


@pytest.fixture
def monotonic(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The clock the per-process caches read (not `clock`, which moves `utcnow`): move it
    with `monotonic[0] += seconds`."""
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def live_loggers() -> Iterator[None]:
    """Alembic's fileConfig (run when the test schema is migrated) disables every logger that
    existed then; switch them back on, so a test sees everything production would log."""
    disabled = [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and logger.disabled
    ]
    for logger in disabled:
        logger.disabled = False
    yield
    for logger in disabled:
        logger.disabled = True
