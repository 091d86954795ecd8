"""A new admin, made on the command line, sets a password and enrols TOTP in the browser."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import expect

from petition.models.types import utcnow
from tests.browser.conftest import assert_no_axe_violations
from tests.factories import STAFF_PASSWORD

pytestmark = pytest.mark.browser


def test_admin_from_the_cli_signs_in_with_password_and_totp(app, live_server, axe_page, clock):
    page = axe_page
    result = app.test_cli_runner().invoke(
        args=["staff", "add", "first.admin@staff.example.org", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    secret = pyotp.parse_uri(re.search(r"otpauth://\S+", result.output).group(0)).secret
    link = re.search(r"http://localhost(/staff/password/\S+)", result.output).group(1)

    page.goto(live_server + link)
    assert_no_axe_violations(page)
    page.get_by_label("New password").fill(STAFF_PASSWORD)
    page.get_by_label("The same password again").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Save password").click()

    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_label("Email address").fill("first.admin@staff.example.org")
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name="Set up your second factor")).to_be_visible()
    expect(page.get_by_role("img", name="QR code to scan")).to_be_visible()
    assert_no_axe_violations(page)
    right = pyotp.TOTP(secret).at(utcnow())
    page.get_by_label("Code").fill(f"{(int(right) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right")

    page.get_by_label("Code").fill(pyotp.TOTP(secret).at(utcnow()))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert len(page.locator("ul.codes code").all_inner_texts()) == 8
    page.get_by_role("link", name="I have saved them, continue").click()

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
    page.goto(live_server + "/staff/")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()
