"""Response headers that keep pages from loading or leaking anything elsewhere."""

from __future__ import annotations

import re
from io import BytesIO
from typing import IO
from urllib.parse import unquote_to_bytes, urlsplit

from flask import Flask, Request, Response, current_app, g, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest

from petition.extensions import csrf
from petition.onion import OnionSessions, add_onion_location, onion_origin

OWN_ORIGINS = "petition.own_origins"


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """The policy of every page; only an embeddable one names who may frame it."""
    return "; ".join(
        (
            "default-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


CONTENT_SECURITY_POLICY = content_security_policy()
# Browser features no page uses, denied so that nothing injected could use them either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)
# `same-origin`, not `no-referrer`: no other host ever learns which page (or link token) a
# visitor came from, and our own forms carry the Referer that Flask-WTF's check of HTTPS
# posts (WTF_CSRF_SSL_STRICT) needs; with `no-referrer` every form over HTTPS failed.
REFERRER_POLICY = "same-origin"
HSTS_MAX_AGE = 31536000


def refuse_invalid_utf8() -> None:
    """A URL-encoded form must be UTF-8 once decoded; Werkzeug would quietly keep the bytes."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return
    body = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH; form parsing reuses it
    if not is_utf8_once_decoded(body):
        raise BadRequest("form data is not valid UTF-8")


# A run of bytes of 0x80 and up, sent as they are or percent-encoded. UTF-8 spells every
# character beyond ASCII with such bytes alone, so a body is UTF-8 once decoded if and only
# if each run is: most bodies have one or two runs (a name in Cyrillic) or none.
_HIGH_BYTES = re.compile(rb"(?:%[89a-fA-F][0-9a-fA-F]|[\x80-\xff])+")


def is_utf8_once_decoded(body: bytes) -> bool:
    """Whether a URL-encoded body's decoded bytes are UTF-8 (without decoding it whole)."""
    try:
        for run in _HIGH_BYTES.findall(body):
            unquote_to_bytes(run).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class UploadsInMemory(Request):
    """A request whose uploads stay in memory (bounded by MAX_CONTENT_LENGTH): Werkzeug would
    spool a large one to a temporary file, and a custodian's key file must touch no disk."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return BytesIO()


def add_security_headers(response: Response) -> Response:
    """What every answer carries; what a view has set itself stays."""
    headers = response.headers
    own = {name.lower() for name, _ in headers.items()}  # one pass: a look-up scans them all
    wanted = [
        ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", REFERRER_POLICY),
        ("Permissions-Policy", PERMISSIONS_POLICY),
    ]
    if headers.get("Content-Security-Policy", CONTENT_SECURITY_POLICY) == CONTENT_SECURITY_POLICY:
        wanted.append(("X-Frame-Options", "DENY"))  # for browsers that predate CSP
    if request.is_secure:
        wanted.append(("Strict-Transport-Security", strict_transport_security()))
    if request.method not in ("GET", "HEAD"):
        # The answer to a form holds what was sent (a form with errors shows it back).
        wanted.append(("Cache-Control", "no-store"))
    headers.extend((name, value) for name, value in wanted if name.lower() not in own)
    return add_onion_location(response)


def allow_framing(response: Response, ancestors: str) -> Response:
    """Let the pages of `ancestors` (a CSP source list) show `response` in a frame."""
    response.headers["Content-Security-Policy"] = content_security_policy(ancestors)
    return response


def require_same_origin() -> None:
    """CSRFError unless the browser says this POST comes from one of the site's own pages.

    For a form that cannot use the session's CSRF token because it lives in a frame on
    another site, whose browser sends no SameSite cookie there. Browsers send `Origin` with
    every POST (`Referer` for the oldest); another site's page, or a sandboxed frame, sends
    its own origin or "null". The form's signed opening time (forms.StatementForm) bounds how
    long one copy of the form can be replayed."""
    sent = request.headers.get("Origin") or _origin_of(request.headers.get("Referer", ""))
    if sent != request.host_url.rstrip("/"):
        raise CSRFError("The form was not sent from this site.")


def check_csrf() -> None:
    """Every form POST must come from a page of this site, and a browser says so itself: it
    sends `Origin` with every POST, and no page of another site can make it name ours. A
    client that does not say so (a script, the oldest browsers, a page behind a proxy that
    drops the header) shows the session's CSRF token instead, as Flask-WTF checks it (with
    the Referer over HTTPS). The token stays on every page for them; a browser's POST then
    needs no token verified.

    The site's own origins are BASE_URL's and the onion's, not the request's `Host`: a
    page of another name that a visitor's resolver points at this server (DNS rebinding)
    would send its own name in both. A site also reached by another name (www.) falls back
    to the token there, so nothing stops working."""
    config = current_app.config
    if not config["WTF_CSRF_ENABLED"] or request.method not in config["WTF_CSRF_METHODS"]:
        return
    if _is_own_origin(request.headers.get("Origin", "")):
        g.csrf_valid = True  # what Flask-WTF's forms read, as after its own check
        return
    csrf.protect(apply_exemptions=True)


def _is_own_origin(origin: str) -> bool:
    return origin.lower() in current_app.extensions[OWN_ORIGINS]


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def strict_transport_security() -> str:
    value = f"max-age={HSTS_MAX_AGE}"
    if current_app.config["HSTS_INCLUDE_SUBDOMAINS"]:
        value += "; includeSubDomains"
    return value


def register(app: Flask) -> None:
    app.config["ONION_LOCATION"] = onion_origin(app.config["ONION_LOCATION"])
    app.session_interface = OnionSessions()
    app.request_class = UploadsInMemory
    own = (_origin_of(app.config["BASE_URL"]), app.config["ONION_LOCATION"])
    app.extensions[OWN_ORIGINS] = frozenset(origin.lower() for origin in own if origin)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # check_csrf calls Flask-WTF's check itself
    app.before_request(refuse_invalid_utf8)
    app.before_request(check_csrf)  # after the UTF-8 check, before any hook reads the form
    app.after_request(add_security_headers)
