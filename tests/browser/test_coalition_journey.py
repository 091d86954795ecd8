"""An organisation joins in Russian with a logo, confirms by mail, a moderator signs in with
a password and a TOTP code and approves it, and the coalition page shows it with its logo."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect

from petition.countries import country_name
from petition.extensions import db
from petition.models import Role
from tests.browser.conftest import assert_no_axe_violations, ui_text
from tests.factories import STAFF_PASSWORD, make_campaign, make_staff
from tests.mailbox import Mailbox
from tests.pages import link_in, path_of, send_mail, totp_now

pytestmark = pytest.mark.browser

SLUG = "free-them"
NAME = "Pravozashchitnaya Initsiativa Test"
NAME_ORIGINAL = "Правозащитная инициатива «Тест»"
REP_EMAIL = "predstavitel@initsiativa.example.org"


def ru(message: str) -> str:
    return ui_text("ru", message)


def en(message: str) -> str:
    return ui_text("en", message)


def small_png(folder: Path) -> Path:
    path = folder / "logo.png"
    Image.new("RGB", (240, 120), (30, 90, 170)).save(path, "PNG")
    return path


def join_in_russian(page: Page, base_url: str, logo: Path) -> None:
    page.get_by_label(ru("Organisation name"), exact=True).fill(NAME)
    page.get_by_label(ru("Name in the original script (optional)"), exact=True).fill(NAME_ORIGINAL)
    page.get_by_label(ru("Country"), exact=True).select_option(label=country_name("UA", "ru"))
    page.get_by_label(ru("Type of organisation"), exact=True).select_option(
        label=ru("Human-rights organisation")
    )
    page.get_by_label(ru("Website (optional)"), exact=True).fill("https://initsiativa.example.org")
    page.get_by_label(ru("Logo (optional)"), exact=True).set_input_files(logo)
    page.get_by_role("radio", name=ru("Listed publicly, with name and logo"), exact=True).check()
    page.get_by_label(ru("Your name"), exact=True).fill("Анна Тестова")
    page.get_by_label(ru("Your role in the organisation"), exact=True).fill("Директор")
    page.get_by_label(ru("Your work email address"), exact=True).fill(REP_EMAIL)
    page.get_by_label(
        ru("I am authorised to sign on behalf of this organisation"), exact=True
    ).check()
    page.get_by_role("button", name=ru("Sign on behalf of the organisation"), exact=True).click()
    expect(page).to_have_url(f"{base_url}/ru/{SLUG}/join/check-email")


@dataclass(frozen=True)
class StaffLogin:
    """What signing in takes, read before the browser starts: on SQLite, an open read in
    the test's own session would keep the server from writing."""

    email: str
    totp_secret: str


def sign_in_as(page: Page, base_url: str, user: StaffLogin) -> None:
    page.goto(f"{base_url}/staff/sign-in")
    page.get_by_label(en("Email address"), exact=True).fill(user.email)
    page.get_by_label(en("Password"), exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name=en("Continue"), exact=True).click()
    page.get_by_label(en("Code"), exact=True).fill(totp_now(user))
    page.get_by_role("button", name=en("Sign in"), exact=True).click()
    expect(page.get_by_role("link", name=en("Organisations"), exact=True)).to_be_visible()


def test_organisation_joins_in_russian_and_is_listed_after_review(
    app: Flask, live_server: str, mailbox: Mailbox, axe_page: Page, tmp_path: Path
) -> None:
    app.config["LOGO_FOLDER"] = str(tmp_path / "logos")
    make_campaign()
    staff = make_staff(Role.MODERATOR, "moderator@staff.example.org")
    moderator = StaffLogin(staff.email, staff.totp_secret)
    db.session.commit()
    page = axe_page

    page.goto(f"{live_server}/ru/{SLUG}/join")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert_no_axe_violations(page)
    join_in_russian(page, live_server, small_png(tmp_path))

    # Confirm through the link in the mail that arrived.
    assert send_mail() == 1
    [message] = mailbox.to(REP_EMAIL)
    path = path_of(link_in(mailbox.text_of(message)))
    assert path.startswith("/ru/coalition/confirm/"), path
    page.goto(f"{live_server}{path}")
    page.get_by_role("button", name=ru("Confirm"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ru("Thank you, your address is confirmed")
    )
    page.goto(f"{live_server}/ru/{SLUG}/coalition")
    expect(page.get_by_text(NAME)).to_have_count(0)  # not before review

    sign_in_as(page, live_server, moderator)
    page.get_by_role("link", name=en("Organisations"), exact=True).click()
    queue = page.get_by_role("table")
    row = queue.get_by_role("row").filter(has_text=NAME)
    expect(row).to_contain_text(en("Email domain matches the website"))
    row.get_by_role("link", name=re.compile(re.escape(NAME))).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME)
    expect(page.get_by_role("main")).to_contain_text(REP_EMAIL)
    expect(page.get_by_role("img", name=re.compile(re.escape(NAME)))).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role(
        "button", name=en("Approve %(name)s").replace("%(name)s", NAME), exact=True
    ).click()
    expect(page.get_by_role("status")).to_contain_text(NAME)

    page.goto(f"{live_server}/ru/{SLUG}/coalition")
    entry = page.locator(".organisation").filter(has_text=NAME)
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(NAME_ORIGINAL)
    logo = entry.locator("img.logo")
    expect(logo).to_have_attribute("src", re.compile(r"^/logos/[0-9a-f]{32}\.png$"))
    assert logo.evaluate("image => image.complete && image.naturalWidth") > 0

    # The representative is told, in Russian, with a link to manage the entry.
    assert send_mail() == 1
    [approved] = mailbox.to(REP_EMAIL)[1:]
    assert "/ru/coalition/manage/" in mailbox.text_of(approved)
    assert f"/ru/{SLUG}/coalition" in mailbox.text_of(approved)
