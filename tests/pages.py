"""Acting as a visitor with the test client: read forms, fill them in, follow mail links."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pyotp
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from petition.mail.sending import deliver_due
from petition.models.types import utcnow
from tests.factories import STAFF_PASSWORD


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values[found["name"] or ""] = found.get("value") or ""


def hidden_inputs(html: str) -> dict[str, str]:
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.values


def submit_form(client: FlaskClient, url: str, **fields: Any) -> TestResponse:
    """GET the form at `url`, then POST it with its hidden fields and `fields`."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, data={**hidden_inputs(page.get_data(as_text=True)), **fields})


def post_from_page(client: FlaskClient, page_url: str, url: str, **fields: Any) -> TestResponse:
    """POST to `url` with the CSRF token of the page at `page_url` (e.g. a button's form)."""
    page = client.get(page_url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": hidden_inputs(page)["csrf_token"], **fields})


def sign(
    client: FlaskClient, slug: str = "free-them", lang: str = "en", **fields: Any
) -> TestResponse:
    data = {
        "name": "Olena Test",
        "email": "olena@example.org",
        "country": "UA",
        "display": "full",
        **fields,
    }
    return submit_form(client, f"/{lang}/{slug}/sign", **data)


def send_mail() -> int:
    """Run the outbox worker once, as `flask outbox run --once` does."""
    return deliver_due()


def link_in(text: str) -> str:
    match = re.search(r"https?://\S+/confirm/[\w-]+", text)
    assert match, f"no confirmation link in: {text!r}"
    return match.group(0)


def manage_link_in(text: str) -> str:
    """The link to manage (or withdraw) a signature, in a confirmation or "already signed" mail."""
    match = re.search(r"https?://\S+/signature/[\w-]+", text)
    assert match, f"no link to manage the signature in: {text!r}"
    return match.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def totp_now(user) -> str:
    return pyotp.TOTP(user.totp_secret).at(utcnow())


def sign_in_staff(client: FlaskClient, user, password: str = STAFF_PASSWORD) -> TestResponse:
    """Password, then the current TOTP code; returns the response to the second step."""
    first = submit_form(client, "/staff/sign-in", email=user.email, password=password)
    assert first.status_code == 302, first.status_code
    return submit_form(client, first.headers["Location"], code=totp_now(user))


def join(
    client: FlaskClient, slug: str = "free-them", lang: str = "en", **fields: Any
) -> TestResponse:
    """Sign on as an organisation through the public form."""
    data = {
        "name": "Invented Rights Group",
        "country": "UA",
        "kind": "human_rights",
        "website": "https://rights.example.org",
        "rep_name": "Mariia Test",
        "rep_role": "Director",
        "rep_email": "director@rights.example.org",
        "authorised": "y",
        "listing": "public",
        **fields,
    }
    return submit_form(client, f"/{lang}/{slug}/join", **data)


def confirm_link(client: FlaskClient, url: str) -> TestResponse:
    """Open a link's page and press its button, as a person would."""
    page = client.get(path_of(url))
    return client.post(path_of(url), data=hidden_inputs(page.get_data(as_text=True)))
