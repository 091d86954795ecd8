"""A partner's share link in a real browser: a visitor follows it, sees whose link it was,
signs and confirms from the mail; the staff screen counts 1 for that partner, and the
partner's own page shows a rounded figure and nobody's name. Each page passes axe-core."""

from __future__ import annotations

from typing import Any

import pyotp
import pytest
from flask import Flask
from itsdangerous import BadSignature
from playwright.sync_api import Page, expect

from petition.coalition import review
from petition.extensions import db
from petition.models import OrganisationStatus, Role, TokenPurpose
from petition.models.types import utcnow
from petition.tokens import issue_token
from tests.browser.conftest import (
    assert_no_axe_violations,
    expect_check_email_page,
    fill_sign_form,
    submit_sign_form,
)
from tests.factories import STAFF_PASSWORD, make_campaign, make_organisation, make_staff
from tests.mailbox import Mailbox
from tests.pages import link_in, path_of, send_mail

pytestmark = pytest.mark.browser

SLUG = "free-them"
PARTNER = "Invented Rights Group"
SIGNER = {"name": "Marta Partnerova", "email": "marta.partner@example.org"}


def staff_signs_in(page: Page, base: str, email: str, secret: str) -> None:
    page.goto(f"{base}/staff/sign-in")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Continue", exact=True).click()
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).at(utcnow()))
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")


def cookie_text(app: Flask, cookie: Any) -> str:
    """A cookie's value as the site reads it (the session, decoded), to look for the code."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    try:
        return str(serializer.loads(cookie["value"])) + cookie["value"]
    except BadSignature:  # not the session: its raw value
        return str(cookie["value"])


def test_a_signer_follows_a_partner_link_and_is_counted_for_it(
    app: Flask, live_server: str, mailbox: Mailbox, axe_page: Page
) -> None:
    page = axe_page
    campaign = make_campaign()
    moderator = make_staff(Role.MODERATOR)
    organisation = make_organisation(
        campaign, name=PARTNER, status=OrganisationStatus.AWAITING_REVIEW
    )
    review.approve(organisation.id, seen_status="awaiting_review", actor=moderator)
    manage_token = issue_token(
        TokenPurpose.MANAGE_ORGANISATION, organisation=organisation, hours=72
    )
    db.session.commit()
    campaign_id, email, secret = campaign.id, moderator.email, moderator.totp_secret
    db.session.commit()  # on SQLite an open read would keep the server from writing

    # The partner copies its link from its own page.
    page.goto(f"{live_server}/en/coalition/manage/{manage_token}")
    link = page.get_by_label("Share link in English", exact=True)
    share_url = link.input_value()
    assert share_url.startswith(f"{live_server}/en/{SLUG}/?via=")
    expect(page.locator(".count")).to_have_text("Fewer than 10 confirmed signatures")
    assert_no_axe_violations(page)

    # A visitor follows it: the campaign page, then the signing form.
    page.goto(share_url)
    page.get_by_role("link", name="Sign the statement", exact=True).first.click()
    expect(
        page.get_by_role("group", name=f"You came through the link of {PARTNER}")
    ).to_be_visible()
    box = page.get_by_label(f"Count my signature for {PARTNER}", exact=True)
    expect(box).to_be_checked()
    code = share_url.rsplit("=", 1)[1]
    assert not [cookie for cookie in page.context.cookies() if code in cookie_text(app, cookie)]
    fill_sign_form(page, "en", name=SIGNER["name"], email=SIGNER["email"], country="Ukraine")
    assert_no_axe_violations(page)
    submit_sign_form(page, "en")
    expect_check_email_page(page, live_server, "en", SLUG)

    # The mail's link: the confirm page says so again, and the signer keeps it.
    assert send_mail() == 1
    [message] = mailbox.to(SIGNER["email"])
    page.goto(live_server + path_of(link_in(mailbox.text_of(message))))
    expect(page.get_by_label(f"Count my signature for {PARTNER}", exact=True)).to_be_checked()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text("Your signature is confirmed and counted")).to_be_visible()

    # Staff see the exact number.
    staff_signs_in(page, live_server, email, secret)
    page.goto(f"{live_server}/staff/campaigns/{campaign_id}/partners")
    table = page.get_by_role(
        "table", name="Confirmed signatures through each organisation's link, most first"
    )
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=PARTNER))
    expect(row.get_by_role("cell").last).to_have_text("1")
    assert_no_axe_violations(page)

    # The partner sees a rounded figure, and never the signer.
    page.goto(f"{live_server}/en/coalition/manage/{manage_token}")
    expect(page.locator(".count")).to_have_text("Fewer than 10 confirmed signatures")
    content = page.content()
    assert SIGNER["name"] not in content
    assert SIGNER["email"] not in content
