"""LOG_FORMAT=json: one JSON object per line, a request id per answer, no secret in a line."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest
from gunicorn.config import Config

from petition.access_log import RedactingLogger
from petition.logs import JsonHandler, JsonLines
from tests.conftest import make_app
from tests.mailbox import Mailbox

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"
TOKEN = "Link-Token_invented-for-this-test"


@pytest.fixture(autouse=True)
def _text_logs_afterwards():
    """The JSON handler an app puts on the root logger is gone when the test ends: it writes
    to this test's captured standard error."""
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, JsonHandler)]:
        root.removeHandler(handler)


def json_lines(text: str) -> list[dict]:
    """Every line written, each of which must be a JSON object."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.mark.usefixtures("live_loggers")
def test_a_requests_lines_are_json_with_its_request_id(mailbox: Mailbox, capsys):
    app = make_app(UNREACHABLE, mailbox, LOG_FORMAT="json")
    capsys.readouterr()
    with app.app_context():
        response = app.test_client().get(
            f"/uk/confirm/{TOKEN}?utm_source=canary-query",
            headers={"X-Request-Id": "forged-by-the-client", "User-Agent": "CanaryAgent/1.0"},
        )
    assert response.status_code == 503  # the database is down: the app logs a warning
    request_id = response.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{16}", request_id)

    written = capsys.readouterr().err
    [line] = [line for line in json_lines(written) if line.get("request_id") == request_id]
    assert line["level"] == "WARNING"
    assert line["logger"] == "petition.errors"
    assert line["message"] == "database unavailable: OperationalError"
    assert line["method"] == "GET"
    assert line["path"] == "/uk/confirm/…"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    for secret in (TOKEN, "canary-query", "CanaryAgent", "forged-by-the-client", "127.0.0.1"):
        assert secret not in written


def test_each_request_gets_its_own_id(database_uri, mailbox: Mailbox):
    app = make_app(database_uri, mailbox, LOG_FORMAT="json")
    client = app.test_client()
    ids = {client.get("/healthz").headers["X-Request-Id"] for _ in range(3)}
    assert len(ids) == 3


def test_a_traceback_is_redacted_too():
    try:
        raise RuntimeError(f"failed on /en/signature/{TOKEN}/withdraw")
    except RuntimeError:
        record = logging.LogRecord(
            "petition",
            logging.ERROR,
            __file__,
            1,
            "Exception on %s [POST]",
            (f"/uk/confirm/{TOKEN}",),
            sys.exc_info(),
        )
    line = json.loads(JsonLines().format(record))
    assert line["message"] == "Exception on /uk/confirm/… [POST]"
    assert "/en/signature/…/withdraw" in line["exception"]
    assert TOKEN not in json.dumps(line)


def test_an_unknown_log_format_is_refused_at_start(database_uri, mailbox: Mailbox):
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of text, json"):
        make_app(database_uri, mailbox, LOG_FORMAT="xml")


@pytest.mark.usefixtures("live_loggers")
def test_in_text_format_too_the_apps_exception_line_blanks_the_token(
    database_uri, mailbox: Mailbox, caplog
):
    app = make_app(database_uri, mailbox)
    try:
        raise RuntimeError(f"failed on /en/signature/{TOKEN}/withdraw")
    except RuntimeError:
        app.logger.exception("Exception on %s [%s]", f"/uk/confirm/{TOKEN}", "POST")
    [record] = [found for found in caplog.records if found.name == app.logger.name]
    assert record.getMessage() == "Exception on /uk/confirm/… [POST]"
    assert "/en/signature/…/withdraw" in caplog.text
    assert TOKEN not in caplog.text


def test_gunicorns_error_lines_blank_the_token(capsys):
    logger = RedactingLogger(Config())
    logger.error("Error handling request %s", f"/uk/confirm/{TOKEN}")
    written = capsys.readouterr().err
    assert "Error handling request /uk/confirm/…" in written
    assert TOKEN not in written
