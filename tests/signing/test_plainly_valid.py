"""The signing POST's quick reading (`plainly_valid`) answers as SignatureForm does: it
accepts exactly the POSTs the form accepts from a person, with the same values, and leaves
every other one (wrong, missing, hostile, a bot's) to the form and its errors."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import pytest
from email_validator import validate_email
from flask import Flask, request
from hypothesis import given
from hypothesis import strategies as st

from petition.forms import _signer
from petition.models import Display
from petition.signing.forms import PLAIN_ADDRESS, SignatureForm, _is_email, plainly_valid
from petition.signing.services import SignatureRequest
from tests.fuzz import fuzz

SHOWN = "a" * 64
MIN_SECONDS = 3
FUZZ = fuzz(400)
MISSING = object()  # the field is not in the POST at all

# Odd text: edges of every rule (lengths, whitespace, controls, invisible and combining
# characters, what is not UTF-8), as well as anything at all.
ODD_TEXT = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\t",
            "\x1c",
            " \x00 ",
            "Ann\x00",
            "\ufffd",
            "\u200b",
            "\u202eevil",
            "И\u0306",
            "x" * 80,
            "x" * 81,
            "x" * 120,
            "x" * 121,
            " padded ",
        ]
    ),
    st.text(max_size=30),
)
EMAILS = st.one_of(
    st.sampled_from(
        [
            "ann@example.org",
            " ann@example.org ",
            "ann@localhost",
            "ann@@example.org",
            "ann@example",
            "ann.@example.org",
            "анна@пример.рф",
            "a\x00@example.org",
            "@example.org",
            "ann@" + "x" * 250 + ".org",
            "a" * 64 + "@example.org",
            "a" * 65 + "@example.org",
        ]
    ),
    ODD_TEXT,
)
COUNTRIES = st.one_of(st.sampled_from(["PL", "UA", "RU", "", "pl", "XX", "ZZZ"]), ODD_TEXT)
DISPLAYS = st.one_of(st.sampled_from(["full", "initials", "anonymous", "", "FULL"]), ODD_TEXT)
TICKS = st.sampled_from(["y", "", "false", "0", "on", MISSING])


def opened(seconds_ago: float | None) -> str:
    """The `opened` field of a form made `seconds_ago` (None: one this site never made)."""
    if seconds_ago is None:
        return "1700000000.0.forged"
    return _signer().sign(str(time.time() - seconds_ago)).decode()


def maybe(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.just(MISSING))


# A person's POST, field by field, and what each field may hold instead.
VALID = {
    "name": "Ann Example",
    "email": "ann@example.org",
    "country": "PL",
    "city": "Lviv",
    "display": "full",
    "wants_updates": "y",
    "via": "abc123",
    "for_partner": "y",
    "statement_sha256": SHOWN,
    "opened": 10.0,
    "website_url": "",
}
INSTEAD = {
    "name": maybe(ODD_TEXT),
    "email": maybe(EMAILS),
    "country": maybe(COUNTRIES),
    "city": maybe(ODD_TEXT),
    "display": maybe(DISPLAYS),
    "wants_updates": TICKS,
    "via": maybe(st.sampled_from(["", "\x00", "x" * 300])),
    "for_partner": TICKS,
    "statement_sha256": maybe(st.sampled_from(["b" * 64, "", SHOWN.upper()])),
    "opened": st.sampled_from([1.0, 2.9, 7200.0, None, MISSING]),
    "website_url": st.sampled_from(["http://spam.example", " ", MISSING]),
}


@st.composite
def posts(draw: st.DrawFn) -> dict[str, Any]:
    """A person's POST with one to three of its fields holding something else: a POST
    wrong in many fields at once tells the two readings apart no better than one."""
    changed = draw(st.sets(st.sampled_from(sorted(INSTEAD)), min_size=1, max_size=3))
    return {**VALID, **{field: draw(INSTEAD[field]) for field in changed}}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"SIGN_MIN_SECONDS": MIN_SECONDS}


def form_data(post: dict[str, Any]) -> dict[str, str]:
    data = {key: value for key, value in post.items() if value is not MISSING}
    if "opened" in data:
        data["opened"] = opened(data["opened"])
    return data


def both_readings(app: Flask, data: dict[str, str]) -> tuple[Any, Any]:
    """(plainly_valid's answer, SignatureForm's: its request if valid and not a bot's, else
    None) for one POST of `data`."""
    with app.test_request_context("/en/free-them/sign", method="POST", data=data):
        quick = plainly_valid(request.form, "en", SHOWN)
        form = SignatureForm("en", SHOWN)
        full = form.request("en") if form.validate() and not form.is_bot else None
    return quick, full


def normalised(wish: SignatureRequest | None) -> SignatureRequest | None:
    """An empty city and an empty partner code mean none to the service."""
    if wish is None:
        return None
    return replace(wish, city=wish.city or None, partner_code=wish.partner_code or None)


WORD = st.text("abcXYZ019_%+-", min_size=1, max_size=12)
LABEL = st.text("abcxnXN019-", min_size=1, max_size=12)
LAST_LABEL = st.text("abcdeORGlocaltest", min_size=1, max_size=6)


@st.composite
def plain_looking_addresses(draw: st.DrawFn) -> str:
    """Addresses near the quick check's edges: long, hyphenated and IDNA-like labels,
    special-use names, a local part about 64 characters long."""
    local = ".".join(draw(st.lists(WORD, min_size=1, max_size=8)))
    labels = draw(st.lists(LABEL, min_size=1, max_size=3))
    return f"{local}@{'.'.join([*labels, draw(LAST_LABEL)])}"


@fuzz(1000)
@given(address=plain_looking_addresses())
def test_every_address_the_quick_check_takes_email_validator_takes(address: str) -> None:
    """The quick check never lets through an address email-validator refuses; any other it
    leaves to email-validator, so the two answer alike."""
    assert _is_email(address) == _is_valid(address)


@pytest.mark.parametrize(
    "address",
    ["ann@x.test", "ann@mail.LOCAL", "ann@localhost", "ann@ab--cd.org", "a..b@example.org"],
)
def test_addresses_that_look_plain_but_are_not_are_left_to_email_validator(address: str) -> None:
    assert not _is_email(address)
    assert not _is_valid(address)


def _is_valid(address: str) -> bool:
    try:
        validate_email(address, check_deliverability=False)
    except ValueError:
        return False
    return True


@FUZZ
@given(post=posts())
def test_quick_reading_agrees_with_the_form(app: Flask, post: dict[str, Any]) -> None:
    quick, full = both_readings(app, form_data(post))
    assert normalised(quick) == normalised(full)


def test_a_persons_post_is_read_quickly(app: Flask) -> None:
    """The usual POST takes the quick way, with every value as typed (trimmed, composed)."""
    data = {
        "name": " Анна И\u0306ванова ",
        "email": " anna@example.org ",
        "country": "UA",
        "city": "Kharkiv",
        "display": "initials",
        "wants_updates": "y",
        "via": "abc123",
        "for_partner": "y",
        "statement_sha256": SHOWN,
        "opened": opened(10),
    }
    quick, full = both_readings(app, data)
    assert quick == full
    assert quick == SignatureRequest(
        name="Анна Йванова",
        email="anna@example.org",
        country="UA",
        city="Kharkiv",
        display=Display.INITIALS,
        wants_updates=True,
        lang="en",
        statement_sha256=SHOWN,
        partner_code="abc123",
    )


@pytest.mark.parametrize(
    "change",
    [
        {"website_url": "http://spam.example"},
        {"opened": "forged"},
        {"statement_sha256": "b" * 64},
        {"name": ""},
        {"email": "not an address"},
        {"country": "XX"},
        {"display": "everything"},
    ],
)
def test_anything_wrong_is_left_to_the_form(app: Flask, change: dict[str, str]) -> None:
    data = {
        "name": "Ann Example",
        "email": "ann@example.org",
        "country": "PL",
        "display": "full",
        "statement_sha256": SHOWN,
        "opened": opened(10),
        **change,
    }
    quick, full = both_readings(app, data)
    assert quick is None
    assert full is None


@pytest.mark.parametrize(
    ("field", "longest"),
    [("name", 120), ("city", 80), ("email", 254)],
)
def test_lengths_are_the_forms(app: Flask, field: str, longest: int) -> None:
    """At the longest the form allows the quick way takes the POST; one more, neither does."""

    def filled(length: int) -> str:
        if field == "email":
            return "a" * 60 + "@" + ".".join(["b" * 60] * 3) + "." + "c" * (length - 244)
        return "x" * length

    for length, accepted in ((longest, True), (longest + 1, False)):
        data = {**form_data(VALID), field: filled(length)}
        assert len(data[field]) == length
        quick, full = both_readings(app, data)
        assert (quick is not None, full is not None) == (accepted, accepted), length


@pytest.mark.parametrize(
    "address",
    ["ann@example.org", "olena.petrenko+ua@mail.example.com.ua", "A_1%b-c@sub-domain.example.org"],
)
def test_common_addresses_take_the_quick_way(address: str) -> None:
    assert PLAIN_ADDRESS.fullmatch(address)
    assert _is_valid(address)
