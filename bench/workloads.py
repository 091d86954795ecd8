"""What a virtual user sends: pages to read, forms to post, links to confirm.

Each workload prepares a user before the measured runs (GETs for forms' session cookies and
hidden fields), then hands out one request at a time and judges each answer. Users keep the
cookies they got when preparing and ignore cookies set later (the confirm POST flashes a
message into the session; carrying it on would grow the cookie with every request).
"""

from __future__ import annotations

import html
import itertools
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

from bench.client import HOST, Connection, Response

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
            headers["Cookie"] = cookie_header(self.cookies)
        return headers


def form_post(user: VirtualUser, page: str) -> dict[str, str]:
    """The headers a browser sends with a form of `page` on the server's own origin: it
    always names the origin of a POST, and (Referrer-Policy same-origin) the page."""
    origin = f"http://{HOST}:{user.port}"
    return {**FORM_TYPE, "Origin": origin, "Referer": f"{origin}{page}"}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


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


@dataclass(frozen=True)
class Visitor:
    """One person's copy of the form: their session cookie and hidden fields."""

    cookies: dict[str, str]
    fields: dict[str, str]


@dataclass
class SignForm:
    """The public signing form, as on a viral day: every POST comes from a visitor of its
    own, with the session cookie and CSRF token of a form fetched for it beforehand.

    The users fetch `forms` forms between them while preparing (not measured), wait out
    SIGN_MIN_SECONDS once, then post one form per request with a new address. When the
    forms run out the users stop; the run then counts until its last answer and says so.
    """

    path: str
    email_prefix: str
    forms: int
    users: int
    ready_after: float = 3.3
    records_labels: bool = True
    country: str = "UA"
    _visitors: deque[Visitor] = field(default_factory=deque)

    async def prepare(self, user: VirtualUser) -> None:
        for _ in range(max(1, self.forms // self.users)):
            await get_form(user, self.path)
            self._visitors.append(Visitor(user.cookies, user.fields))

    def next_request(self, user: VirtualUser) -> Outgoing | None:
        if not self._visitors:
            return None
        visitor = self._visitors.popleft()
        user.sent += 1
        email = f"{self.email_prefix}-u{user.index}-{user.sent}@example.org"
        form = {
            **visitor.fields,
            "name": f"Bench Signer {user.index}",
            "email": email,
            "country": self.country,
            "display": "anonymous",
        }
        headers = {**form_post(user, self.path), "Cookie": cookie_header(visitor.cookies)}
        return Outgoing("POST", self.path, headers, urlencode(form).encode(), label=email)

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
        return Outgoing("POST", self.path, form_post(user, "/"), urlencode(form).encode())

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
        path = f"/{self.lang}/confirm/{token}"
        return Outgoing("POST", path, user.headers(form_post(user, path)), body)

    def accepted(self, outgoing: Outgoing, response: Response) -> bool:
        return response.status == 302 and "/confirm/" not in response.location


def build_workload(description: dict[str, Any]) -> Workload:
    """The workload a JSON spec describes (see bench/load.py)."""
    kind = description["kind"]
    if kind == "get":
        return GetPages(paths=list(description["paths"]))
    if kind == "sign":
        return SignForm(
            path=description["path"],
            email_prefix=description["email_prefix"],
            forms=description["forms"],
            users=description["users"],
        )
    if kind == "insert":
        return InsertForm()
    if kind == "confirm":
        return ConfirmLinks(lang=description["lang"], tokens=deque(description["tokens"]))
    raise ValueError(f"unknown workload {kind!r}")
