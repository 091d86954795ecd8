"""Log lines without secrets, as text (the default) or one JSON object per line.

`LOG_FORMAT=json` makes every logger write JSON lines (time, level, logger, message and,
inside a request, a request id with the method and path) for a log collector to parse. A
request id is drawn at random for each request and sent back as `X-Request-Id`, so that an
operator can find the lines of one answer; one sent by a client is ignored, since a forged
id could tie a visitor's requests together. No line holds a client address, a query
string, a referrer or a user agent, and link tokens in paths are blanked out, in the
message and in a traceback too.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, g, has_request_context, request

LOG_FORMATS = ("text", "json")
REQUEST_ID_HEADER = "X-Request-Id"
# Path segments that follow these carry a single-use secret.
SECRET_PATH = re.compile(r"/(confirm|password|signature|manage)/[^/?\s]+")
# What an access line adds to its record (`extra`), for the JSON line to carry.
ACCESS = "access"


def redact_path(text: str) -> str:
    """`text` with the link token of every secret path in it blanked out."""
    return SECRET_PATH.sub(r"/\1/…", text)


class JsonLines(logging.Formatter):
    """One JSON object per record: time (UTC), level, logger, message, and what is known of
    the request it was written in."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_path(record.getMessage()),
        }
        entry |= _request_fields()
        entry |= getattr(record, ACCESS, {})
        if record.exc_info:
            entry["exception"] = redact_path(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


class RedactedRecord(logging.Filter):
    """Blanks the link tokens of a record's message and traceback before any handler writes
    it, in either format: Flask logs "Exception on /uk/confirm/<token> [POST]", gunicorn
    "Error handling request /uk/confirm/<token>"."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact_path(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact_path(logging.Formatter().formatException(record.exc_info))
        return True


def _request_fields() -> dict[str, str]:
    if not has_request_context() or "request_id" not in g:
        return {}
    return {"request_id": g.request_id, "method": request.method, "path": redact_path(request.path)}


class JsonHandler(logging.StreamHandler):
    """The handler `LOG_FORMAT=json` puts on the root logger (standard error)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)
        self.setFormatter(JsonLines())


def register(app: Flask) -> None:
    """Check LOG_FORMAT; for `json`, write every logger's lines as JSON and give each
    request an id; in either format, blank link tokens in the app's own lines."""
    chosen = app.config["LOG_FORMAT"]
    if chosen not in LOG_FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {chosen!r}")
    if chosen == "json":
        _write_json_lines(app)
    # Only now: Flask makes `app.logger` at first use, with a text handler of its own unless
    # the root logger has one already (the JSON handler).
    if not any(isinstance(found, RedactedRecord) for found in app.logger.filters):
        app.logger.addFilter(RedactedRecord())


def _write_json_lines(app: Flask) -> None:
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, JsonHandler)]:
        root.removeHandler(handler)  # one app per process; a second one replaces the first
    root.addHandler(JsonHandler())
    app.before_request(assign_request_id)
    app.after_request(send_request_id)


def assign_request_id() -> None:
    g.request_id = secrets.token_hex(8)


def send_request_id(response: Response) -> Response:
    if "request_id" in g:
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response
