"""When the database cannot be reached: a translated 503 page (JSON on the API), never a
stack trace, and service again as soon as the database is back (`python -m bench.faults`
restarts a real server under load)."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import force_locale, gettext
from markupsafe import escape
from sqlalchemy import create_engine, text
from sqlalchemy.exc import (
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.test import TestResponse

from petition.extensions import db
from tests.conftest import make_app
from tests.factories import make_campaign
from tests.mailbox import Mailbox

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def assert_database_down_page(response: TestResponse, lang: str = "uk") -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    assert f'<html lang="{lang}">' in body
    with force_locale(lang):
        title = gettext("Temporarily unavailable")
        detail = gettext(
            "The site cannot reach its database right now. Please try again in a minute."
        )
    assert title != "Temporarily unavailable"
    assert title in body
    assert str(escape(detail)) in body


def test_signing_while_the_server_is_unreachable(mailbox: Mailbox):
    # The form's own checks would need the session; the campaign look-up fails first.
    app = make_app(UNREACHABLE, mailbox, WTF_CSRF_ENABLED=False)
    with app.app_context():
        response = app.test_client().post("/uk/free-them/sign", data={"name": "Olena"})
        assert_database_down_page(response)


def test_pages_while_the_sqlite_file_cannot_be_opened(tmp_path, mailbox: Mailbox):
    app = make_app(f"sqlite:///{tmp_path / 'missing' / 'petition.db'}", mailbox)
    with app.app_context():
        assert_database_down_page(app.test_client().get("/uk/free-them/"))


def test_the_api_answers_json_while_the_server_is_unreachable(mailbox: Mailbox):
    app = make_app(UNREACHABLE, mailbox)
    response = app.test_client().get("/api/v1/campaigns/free-them")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.get_json() == {"error": "Service Unavailable"}


def lost_connection(kind: str) -> Exception:
    """What a request may meet when PostgreSQL goes away, as SQLAlchemy raises it."""
    cause = Exception("server closed the connection unexpectedly")
    if kind == "operational":
        return OperationalError("SELECT 1", {}, cause)
    if kind == "interface":
        return InterfaceError("SELECT 1", {}, Exception("the connection is closed"))
    if kind == "invalidated":
        return DBAPIError("SELECT 1", {}, cause, connection_invalidated=True)
    return PoolTimeout("QueuePool limit of size 5 overflow 10 reached")


def raise_from_view(app: Flask, error: Exception) -> None:
    def fail(lang: str) -> str:
        raise error

    app.add_url_rule("/<lang>/fails", view_func=fail)


@pytest.mark.parametrize("kind", ["operational", "interface", "invalidated", "pool timeout"])
def test_every_kind_of_lost_connection_gives_the_503_page(app, client, kind):
    raise_from_view(app, lost_connection(kind))
    assert_database_down_page(client.get("/uk/fails"))


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", {}, Exception("duplicate key")),
        ProgrammingError("SELECT", {}, Exception("syntax error")),
    ],
)
def test_a_faulty_statement_is_a_500_not_a_503(app, client, error):
    """Only an unreachable database is "temporarily unavailable"; a bug is not."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    raise_from_view(app, error)
    response = client.get("/uk/fails")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    body = response.get_data(as_text=True)
    assert "Traceback" not in body
    with force_locale("uk"):
        assert gettext("Something went wrong") in body


def own_backend_pid() -> int:
    pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
    db.session.commit()
    return int(pid)


def terminate(database_uri: str, pid: int) -> None:
    """What a restart does to an open connection, from the server's side: the backend says
    goodbye and exits (waited for, up to 5 s, as a restart waits for every backend)."""
    admin = create_engine(database_uri, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    finally:
        admin.dispose()


@pytest.mark.postgresql
def test_a_pooled_connection_the_server_closed_does_not_fail_the_next_request(
    app, client, database_uri
):
    make_campaign()
    assert client.get("/uk/free-them/").status_code == 200
    terminate(database_uri, own_backend_pid())
    assert client.get("/uk/free-them/").status_code == 200


@pytest.mark.postgresql
def test_a_connection_cut_mid_request_gives_the_503_page_then_service(app, client, database_uri):
    make_campaign()

    def cut(lang: str) -> str:
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        terminate(database_uri, int(pid))
        db.session.execute(text("SELECT 1"))
        return "not reached"

    app.add_url_rule("/<lang>/cut", view_func=cut)
    assert_database_down_page(client.get("/uk/cut"))
    assert client.get("/uk/free-them/").status_code == 200
