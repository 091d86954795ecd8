"""Every error is a translated page in the visitor's language, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from petition.extensions import db
from petition.i18n import LANGUAGES

log = logging.getLogger(__name__)

MESSAGES = {
    400: (_l("Something in that request was not right"), _l("Please go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not give access to this page.")),
    404: (_l("Page not found"), _l("There is nothing at this address. Check the link.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    410: (_l("This campaign is closed"), _l("It no longer accepts signatures. Thank you.")),
    413: (_l("Too much data"), _l("What you sent is larger than this site accepts.")),
    429: (_l("Too many attempts"), _l("Please wait a little and try again.")),
    500: (_l("Something went wrong"), _l("Nothing you did caused this. Please try again later.")),
    503: (
        _l("Temporarily unavailable"),
        _l("The site cannot reach its database right now. Please try again in a minute."),
    ),
}
# Matches the 503 page's "try again in a minute".
RETRY_AFTER_SECONDS = 60
CSRF_MESSAGE = (
    _l("This form has expired"),
    _l("For your safety, forms expire. Please go back, reload the page and send it again."),
)


def render_error(code: int, title: object, detail: object) -> ResponseReturnValue:
    if not g.get("lang"):
        first = request.path.strip("/").split("/", 1)[0]
        g.lang = first if first in LANGUAGES else None
    return render_template("errors/error.html", code=code, title=title, detail=detail), code


def database_unreachable(error: SQLAlchemyError) -> bool:
    """Whether `error` means the database cannot be reached (down, restarting, the connection
    cut, every pooled connection busy) rather than a fault in a statement.

    psycopg reports a dropped connection as OperationalError, or as InterfaceError once the
    connection is known to be closed; SQLAlchemy marks any error it took for a disconnect
    as `connection_invalidated`.
    """
    if isinstance(error, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def forget_transaction() -> None:
    """End the request's transaction; on a dead connection that may itself fail."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        log.warning("rollback after a database error failed")


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> ResponseReturnValue:
        return render_error(400, *CSRF_MESSAGE)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if request.path.startswith("/api/"):
            return jsonify(error=error.name), code
        if code not in MESSAGES:
            return error
        return render_error(code, *MESSAGES[code])

    @app.errorhandler(DBAPIError)
    @app.errorhandler(PoolTimeout)
    def database_down(error: SQLAlchemyError) -> ResponseReturnValue:
        if not database_unreachable(error):
            raise error  # a fault in our code: the 500 page, and the trace in the log
        log.warning("database unavailable: %s", type(getattr(error, "orig", error)).__name__)
        forget_transaction()
        code = ServiceUnavailable.code
        if request.path.startswith("/api/"):
            response = make_response(jsonify(error=ServiceUnavailable().name), code)
        else:
            response = make_response(render_error(code, *MESSAGES[503]))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(InternalServerError)
    def server_error(error: InternalServerError) -> ResponseReturnValue:
        return render_error(500, *MESSAGES[500])
