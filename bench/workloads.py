"""What a virtual user sends: pages to read, forms to post, links to confirm.

Each workload prepares a user once (a GET for the form's session cookie and hidden fields),
then hands out one request at a time and judges each answer. Users keep the cookie they got
when preparing and ignore cookies set later (the confirm POST flashes a message into the
session; carrying it on would grow the cookie with every request).
"""

from __future__ import annotations

import html
import itertools
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from bench.client import Connection, Response

FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}
INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


class PreparationFailed(Exception):
    """A virtual user could not get the page it needs before sending its requests."""


@dataclass
class VirtualUser:
    index: int
    port: int
    connection: Connection
    cookies: dict[str, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)
    sent: int = 0

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers


@dataclass(frozen=True)
class Outgoing:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""
    label: str = ""  # what to remember when the request is accepted (the email signed)


class Workload(Protocol):
    # Seconds to wait after preparing before the first request (the form's minimum age).
    ready_after: float
    # Whether accepted requests' labels are kept, to check later that nothing was lost.
    records_labels: bool

    async def prepare(self, user: VirtualUser) -> None: ...

    def next_request(self, user: VirtualUser) -> Outgoing | None: ...

    def accepted(self, outgoing: Outgoing, response: Response) -> bool: ...


def hidden_fields(page: str) -> dict[str, str]:
    """The name and value of every hidden input of a page, whatever the fields are called."""
    found = {}
    for tag in INPUT.findall(page):
        attributes = {name.lower(): html.unescape(value) for name, value in ATTRIBUTE.findall(tag)}
        if attributes.get("type", "").lower() == "hidden" and "name" in attributes:
            found[attributes["name"]] = attributes.get("value", "")
    return found


async def get_form(user: VirtualUser, path: str) -> None:
    response = await user.connection.request("GET", path)
    if response.status != 200:
        raise PreparationFailed(f"GET {path} answered {response.status}")
    user.cookies = response.cookies
    user.fields = hidden_fields(response.body.decode("utf-8", "replace"))
    if "csrf_token" not in user.fields:
        raise PreparationFailed(f"GET {path}: no csrf_token in the page")


@dataclass
class GetPages:
    """GET each path in turn; 200 is the only right answer."""

    paths: list[str]
    ready_after: float = 0.0
    records_labels: bool = False
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    async def prepare(self, user: VirtualUser) -> None:
        """Nothing to fetch first."""

    def next_request(self, user: VirtualUser) -> Outgoing:
        return Outgoing("GET", self.paths[next(self._turn) % len(self.paths)], {})

    def accepted(self, outgoing: Outgoing, response: Response) -> bool:
        return response.status == 200


@dataclass
class SignForm:
    """The public signing form: one GET per user, then POSTs with new addresses.

    The CSRF token is valid for the whole session and the signed `opened` time only has to
    be SIGN_MIN_SECONDS old, so a user who waited once may send many signatures.
    """

    path: str
    email_prefix: str
    ready_after: float = 3.3
    records_labels: bool = True
    country: str = "UA"

    async def prepare(self, user: VirtualUser) -> None:
        await get_form(user, self.path)

    def next_request(self, user: VirtualUser) -> Outgoing:
        user.sent += 1
        email = f"{self.email_prefix}-u{user.index}-{user.sent}@example.org"
        form = {
            **user.fields,
            "name": f"Bench Signer {user.index}",
            "email": email,
            "country": self.country,
            "display": "anonymous",
        }
        body = urlencode(form).encode()
        return Outgoing("POST", self.path, user.headers(FORM_TYPE), body, label=email)

    def accepted(self, outgoing: Outgoing, response: Response) -> bool:
        return response.status == 302 and response.location.endswith("/check-email")


@dataclass
class InsertForm:
    """The baseline's form: name and address, one INSERT, a redirect."""

    path: str = "/insert"
    ready_after: float = 0.0
    records_labels: bool = False

    async def prepare(self, user: VirtualUser) -> None:
        """Nothing to fetch first."""

    def next_request(self, user: VirtualUser) -> Outgoing:
        user.sent += 1
        form = {"name": f"Bench Signer {user.index}", "email": f"u{user.index}-{user.sent}@x.org"}
        return Outgoing("POST", self.path, FORM_TYPE, urlencode(form).encode())

    def accepted(self, outgoing: Outgoing, response: Response) -> bool:
        return response.status in (302, 303)


@dataclass
class ConfirmLinks:
    """POST each confirmation token once; a user GETs one confirm page for its CSRF token."""

    lang: str
    tokens: deque[str]
    ready_after: float = 0.0
    records_labels: bool = False

    async def prepare(self, user: VirtualUser) -> None:
        if not self.tokens:
            raise PreparationFailed("no confirmation tokens")
        # Showing the page does not use the token up; another user will POST it later.
        await get_form(user, f"/{self.lang}/confirm/{self.tokens[user.index % len(self.tokens)]}")

    def next_request(self, user: VirtualUser) -> Outgoing | None:
        if not self.tokens:
            return None
        token = self.tokens.popleft()
        body = urlencode({"csrf_token": user.fields["csrf_token"]}).encode()
        return Outgoing("POST", f"/{self.lang}/confirm/{token}", user.headers(FORM_TYPE), body)

    def accepted(self, outgoing: Outgoing, response: Response) -> bool:
        return response.status == 302 and "/confirm/" not in response.location


def build_workload(description: dict[str, Any]) -> Workload:
    """The workload a JSON spec describes (see bench/load.py)."""
    kind = description["kind"]
    if kind == "get":
        return GetPages(paths=list(description["paths"]))
    if kind == "sign":
        return SignForm(path=description["path"], email_prefix=description["email_prefix"])
    if kind == "insert":
        return InsertForm()
    if kind == "confirm":
        return ConfirmLinks(lang=description["lang"], tokens=deque(description["tokens"]))
    raise ValueError(f"unknown workload {kind!r}")
