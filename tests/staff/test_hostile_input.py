"""Hostile or odd input to every staff filter and to where sign-in returns: a clear form
error or the page, never a 5xx, and never a redirect to another site."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from petition.extensions import db
from petition.models import Organisation, Role
from petition.staff.audit.views import FILTERS as AUDIT_FILTERS
from petition.staff.organisations.views import BACK_KEYS as QUEUE_KEYS
from petition.staff.signatures.views import FILTER_KEYS as REVIEW_KEYS
from tests.factories import STAFF_PASSWORD, make_campaign, make_signature, make_staff
from tests.fuzz import fuzz
from tests.pages import hidden_inputs, join, sign_in_staff, submit_form, totp_now

BOUNDS = "Please enter a date between 2000-01-01 and 2099-12-31."
FUZZ = fuzz(60)
ODD_VALUES = [
    "",
    "9999-12-31",
    "0001-01-01",
    "2025-02-30",
    "-1",
    "0",
    "1e999",
    "NaN",
    "\x00",
    "a\x00@example.org",
    "example\x00.org",
    "x\r\nSet-Cookie: a=b",
    "\u202eevil",
    "\ufffd",
    "１２３",
    "%00",
    "../../etc/passwd",
    "a" * 5000,
    "9" * 5000,
]
HOSTILE = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=40),
    st.text(st.characters(max_codepoint=0x1F), max_size=8),  # control characters, NUL too
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(date.isoformat),  # from year 1 to 9999
)
DATES = ("date_from", "date_to", "since", "until")
NUMBERS = ("page", "before", "after", "object_id")
# Values a colleague would send, as the background for the one odd value of each request,
# so that the odd one gets past the other fields' checks and reaches further in.
SANE = {
    "status": st.sampled_from(["pending", "withdrawn"]),  # of signatures and organisations
    "window": st.sampled_from(["created", "confirmed"]),
    "kind": st.sampled_from(["signatures", "organisations"]),
    "format": st.sampled_from(["csv", "xlsx"]),
    "country": st.sampled_from(["UA", "RU"]),
    "email": st.sampled_from(["olena@example.org", "Olena+tag@Example.org"]),
    "domain": st.sampled_from(["example.org", "@googlemail.com"]),
    "include_emails": st.just("y"),
    "reason": st.just("For the custodian's check."),
    "actor": st.just("admin@staff.example.org"),
    "object_type": st.just("staff"),
    **dict.fromkeys(DATES, st.dates(date(2024, 1, 1), date(2026, 12, 31)).map(date.isoformat)),
    **dict.fromkeys(NUMBERS, st.integers(1, 3).map(str)),
}
# Odd values of the right kind: the calendar's ends, numbers too big for any column.
ODD = {
    **dict.fromkeys(DATES, st.sampled_from([date.max, date.min]).map(date.isoformat)),
    **dict.fromkeys(NUMBERS, st.sampled_from([-1, 0, 2**31, 2**63, 10**30]).map(str)),
}


@pytest.fixture
def places(app, client):
    """A signed-in admin, and one of each thing whose page takes filters."""
    campaign = make_campaign()
    signature = make_signature(campaign)
    join(app.test_client())
    organisation_id = db.session.scalar(select(Organisation.id))
    assert sign_in_staff(client, make_staff(Role.ADMIN)).status_code == 302
    return {"campaign": campaign.id, "signature": signature.id, "organisation": organisation_id}


def review(client, places, **fields):
    return client.get("/staff/signatures", query_string={"campaign": places["campaign"], **fields})


def audit(client, places, **fields):
    return client.get("/staff/audit", query_string=fields)


def export(client, places, **fields):
    page = client.get("/staff/exports", query_string={"kind": fields.get("kind", "signatures")})
    data = {
        **hidden_inputs(page.get_data(as_text=True)),
        "campaign": str(places["campaign"]),
        "status": "confirmed",
        "format": "csv",
        "window": "created",
        **fields,
    }
    return client.post("/staff/exports/download", data=data, buffered=True)


@pytest.mark.parametrize(
    ("send", "field"),
    [
        (review, "date_from"),
        (review, "date_to"),
        (export, "date_from"),
        (export, "date_to"),
        (audit, "since"),
        (audit, "until"),
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_date_far_from_now_is_a_clear_form_error(client, places, send, field, day):
    response = send(client, places, **{field: day})
    assert response.status_code == 422
    assert BOUNDS in response.get_data(as_text=True)


@pytest.mark.parametrize("send", [review, export, audit])
def test_control_characters_in_a_filter_are_a_form_error(client, places, send):
    fields = {
        review: {"email": "a\x00@example.org"},
        # Only an organisations export has a reason (signers' addresses are sealed).
        export: {
            "kind": "organisations",
            "status": "approved",
            "include_emails": "y",
            "reason": "needed\x00",
        },
        audit: {"object_id": "1\x00"},
    }[send]
    response = send(client, places, **fields)
    assert response.status_code == 422
    assert "This contains characters we cannot accept." in response.get_data(as_text=True)


@pytest.mark.parametrize("cursor", ["99999999999999999999", "-5", "0", "2147483648"])
def test_an_audit_page_cursor_out_of_range_is_the_first_page(client, places, cursor):
    assert client.get("/staff/audit", query_string={"before": cursor}).status_code == 200
    assert client.get("/staff/audit", query_string={"after": cursor}).status_code == 200


def on_staff_pages(location: str) -> bool:
    """A path of this site's staff console, however a browser resolves it."""
    resolved = urlsplit(urljoin("http://staff.example/", location))
    return (
        resolved.netloc == "staff.example"
        and resolved.path.startswith("/staff/")
        and location.startswith("/staff/")
        and "\\" not in location  # browsers read a backslash as a slash
        and location.isascii()
        and location.isprintable()
    )


def sign_in_with_next(client, user, target: str) -> tuple[str, str]:
    """Both steps, each asked to return to `target`: where each one sends the browser."""
    query = urlencode({"next": target})
    first = submit_form(
        client, f"/staff/sign-in?{query}", email=user.email, password=STAFF_PASSWORD
    )
    assert first.status_code == 302
    done = submit_form(client, f"/staff/sign-in/code?{query}", code=totp_now(user))
    assert done.status_code == 302
    return first.headers["Location"], done.headers["Location"]


@pytest.mark.parametrize(
    "target",
    [
        "/staff/\r\nX:1",
        "/staff/\x00",
        "//evil.example/",
        "/\\evil.example",
        "/staff//evil.example",
        "/staff/\\evil.example",
        "https://evil.example/staff/",
        "/staff/../en/free-them/",
        "/staff/%2e%2e/en/free-them/",
        "/staffing",
        "/staff/ü",
    ],
)
def test_sign_in_returns_only_to_a_staff_page(app, target):
    user = make_staff(Role.ADMIN)
    _, location = sign_in_with_next(app.test_client(), user, target)
    assert location == "/staff/"


def test_sign_in_returns_to_the_staff_page_asked_for(app):
    user = make_staff(Role.ADMIN)
    first, location = sign_in_with_next(app.test_client(), user, "/staff/campaigns/3/text/uk")
    assert first.startswith("/staff/sign-in/code?")
    assert location == "/staff/campaigns/3/text/uk"


STAFF_FILTERS: dict[str, tuple[str, ...]] = {
    "/staff/signatures": REVIEW_KEYS,
    "/staff/signatures/{signature}": REVIEW_KEYS,
    "/staff/organisations": (*QUEUE_KEYS, "page"),
    "/staff/organisations/{organisation}": QUEUE_KEYS,
    "/staff/audit": (*AUDIT_FILTERS, "before", "after"),
    "/staff/exports": ("kind",),
}
EXPORT_FIELDS = (
    "kind",
    "campaign",
    "status",
    "format",
    "window",
    "country",
    "date_from",
    "date_to",
    "include_emails",
    "reason",
)


def either(first: st.SearchStrategy, second: st.SearchStrategy) -> st.SearchStrategy:
    """One or the other, half the time each (`one_of` weighs each of their branches)."""
    return st.booleans().flatmap(lambda heads: first if heads else second)


def values_for(draw: Callable, keys: tuple[str, ...], places: dict[str, int]) -> dict[str, str]:
    """One of `keys` hostile or odd; each other one absent or as a colleague would send it."""
    sane = {**SANE, "campaign": st.just(str(places["campaign"]))}
    odd = draw(st.sampled_from(keys))
    fields = {key: draw(st.one_of(st.just(""), sane.get(key, HOSTILE))) for key in keys}
    fields[odd] = draw(either(ODD[odd], HOSTILE) if odd in ODD else HOSTILE)
    return {key: value for key, value in fields.items() if value}


@pytest.mark.parametrize("path", STAFF_FILTERS)
@FUZZ
@given(data=st.data())
def test_no_staff_filter_value_makes_a_server_error(client, places, path, data):
    fields = values_for(data.draw, STAFF_FILTERS[path], places)
    response = client.get(path.format(**places), query_string=fields)
    assert response.status_code < 500, fields
    assert response.status_code != 302, fields  # still signed in, not bounced anywhere
    if response.status_code == 303:  # an address typed, swapped for its reference
        location = urlsplit(response.headers["Location"])
        assert (location.netloc, location.path) == ("", "/staff/signatures"), fields
        assert "email_ref=" in location.query, fields


@FUZZ
@given(data=st.data())
def test_no_export_form_value_makes_a_server_error(client, places, data):
    fields = values_for(data.draw, EXPORT_FIELDS, places)
    assert export(client, places, **fields).status_code < 500, fields


PATHS = st.text(either(st.sampled_from("/\\.%#?\r\n\x00"), st.characters()))
NEXT_VALUES = st.tuples(
    st.sampled_from(["/staff/", "/staff/", "/", "//", "https://evil.example/", ""]),
    either(PATHS, HOSTILE),
).map("".join)


@pytest.fixture
def colleague(app):
    return make_staff(Role.MODERATOR)


@FUZZ
@given(target=NEXT_VALUES)
def test_sign_in_never_sends_anyone_off_site(app, clock, colleague, target):
    clock.advance(seconds=30)  # a fresh code for each sign-in: each is accepted once
    first, location = sign_in_with_next(app.test_client(), colleague, target)
    assert urlsplit(first).path == "/staff/sign-in/code"
    assert on_staff_pages(location), location


@pytest.mark.parametrize("number", [2**63, 10**30])
def test_an_id_too_big_for_any_column_is_not_found(app, client, places, number):
    """Every page that takes a row's id answers 404 for one no database could hold."""
    paths = {
        re.sub(r"<int:\w+>", str(number), rule.rule).replace("<lang>", "en")
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and "<int:" in rule.rule
    }
    paths = {path for path in paths if "<" not in path}
    assert len(paths) >= 8
    for path in sorted(paths):
        assert client.get(path).status_code == 404, path
