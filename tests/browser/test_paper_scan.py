"""The scan of paper forms never leaves the staff member's computer: the console's script
works out its SHA-256 in the browser and fills the field; without the script the digest is
pasted. Either way the batch is recorded with the scan's digest, and the scan is not sent."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Request, expect
from sqlalchemy import select

from petition.extensions import db
from petition.models import PaperBatch, Role
from tests.browser.test_staff_console import sign_in_with_totp
from tests.conftest import Clock
from tests.factories import make_campaign, make_staff

pytestmark = pytest.mark.browser

# What a scan of signed forms holds: names that must never reach the server.
SCAN = b"%PDF-1.7 scanned forms: Olena Kanarka, Taras Kanarka " + bytes(range(256)) * 300


def test_the_browser_works_out_the_scans_digest_and_sends_only_that(
    app, live_server: str, new_context: Callable[..., BrowserContext], clock: Clock, tmp_path: Path
):
    campaign = make_campaign()
    admin = make_staff(Role.ADMIN, "paper.browser@staff.example.org")
    email, secret, campaign_id = admin.email, admin.totp_secret, campaign.id
    db.session.commit()
    scan = tmp_path / "forms-kharkiv.pdf"
    scan.write_bytes(SCAN)
    page = new_context(locale="en-GB").new_page()
    sent: list[bytes] = []

    def keep_post(request: Request) -> None:
        if request.method == "POST":
            sent.append(request.post_data_buffer or b"")

    page.on("request", keep_post)
    sign_in_with_totp(page, live_server, email, secret)
    page.goto(f"{live_server}/staff/campaigns/{campaign_id}/paper")
    page.get_by_label("Country", exact=True).select_option("UA")
    page.get_by_label("Number of signatures").fill("240")
    page.get_by_label("Where they were gathered").fill("street stall, Kharkiv, 14 November")
    page.get_by_label("Day they were gathered").fill("2025-11-14")
    page.get_by_label("Or choose the scan to work out its SHA-256 here").set_input_files(scan)
    digest = hashlib.sha256(SCAN).hexdigest()
    expect(page.get_by_label("SHA-256 of the scan of the forms")).to_have_value(digest)
    expect(page.get_by_text("Done: the SHA-256 of the file is filled in above.")).to_be_visible()
    sent.clear()
    page.get_by_role("button", name="Record the batch").click()
    expect(page.get_by_text("The batch is recorded: it counts as signed on paper.")).to_be_visible()

    [form] = sent
    assert digest.encode() in form
    assert b"Kanarka" not in form
    assert b"forms-kharkiv" not in form
    assert len(form) < 1000  # the fields, not the file
    db.session.expire_all()
    [batch] = db.session.scalars(select(PaperBatch))
    assert (batch.scan_sha256, batch.count, batch.country) == (digest, 240, "UA")


def test_without_javascript_the_digest_is_pasted(
    app, live_server: str, new_context: Callable[..., BrowserContext], clock: Clock
):
    campaign = make_campaign()
    admin = make_staff(Role.ADMIN, "paper.noscript@staff.example.org")
    email, secret, campaign_id = admin.email, admin.totp_secret, campaign.id
    db.session.commit()
    signing_in = new_context(locale="en-GB").new_page()
    sign_in_with_totp(signing_in, live_server, email, secret)
    state = signing_in.context.storage_state()
    page = new_context(java_script_enabled=False, locale="en-GB", storage_state=state).new_page()
    page.goto(f"{live_server}/staff/campaigns/{campaign_id}/paper")
    expect(page.get_by_label("Or choose the scan to work out its SHA-256 here")).to_be_hidden()
    page.get_by_label("Country", exact=True).select_option("PL")
    page.get_by_label("Number of signatures").fill("35")
    page.get_by_label("Where they were gathered").fill("conference, Warsaw")
    page.get_by_label("Day they were gathered").fill("2025-11-20")
    page.get_by_label("SHA-256 of the scan of the forms").fill("CD" * 32 + "  scan.pdf")
    page.get_by_role("button", name="Record the batch").click()
    expect(page.get_by_text("The batch is recorded: it counts as signed on paper.")).to_be_visible()
    db.session.expire_all()
    [batch] = db.session.scalars(select(PaperBatch))
    assert batch.scan_sha256 == "cd" * 32
