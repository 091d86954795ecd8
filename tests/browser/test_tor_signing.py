"""Over Tor: signers in Tor Browser at its "Safest" level (no JavaScript), all arriving from
the tor daemon's address, sign and confirm where one address of its own would be refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import expect_check_email_page, fill_sign_form, submit_sign_form
from tests.browser.test_signing_journey import (
    SLUG,
    confirmation_path,
    expect_counted_in_ukraine,
    uk,
)
from tests.factories import make_campaign
from tests.mailbox import Mailbox

pytestmark = pytest.mark.browser

SIGNERS = [("Ярина Тор", "yaryna.tor@example.org"), ("Богдан Тор", "bohdan.tor@example.org")]


@pytest.fixture
def app_config():
    # The browser connects from 127.0.0.1, as tor does; one post a minute per address of its
    # own would refuse the second signer's form.
    return {"SHARED_CLIENT_ADDRESSES": "127.0.0.1, ::1", "RATELIMIT_PUBLIC_BURST": "1 per minute"}


def test_signers_sharing_the_tor_daemons_address_sign_and_confirm_without_javascript(
    app: object,
    live_server: str,
    mailbox: Mailbox,
    new_context: Callable[..., BrowserContext],
) -> None:
    make_campaign()
    for name, email in SIGNERS:
        page = new_context(java_script_enabled=False).new_page()
        page.goto(f"{live_server}/uk/{SLUG}/sign")
        fill_sign_form(page, "uk", name=name, email=email, country="Україна")
        submit_sign_form(page, "uk")
        expect_check_email_page(page, live_server, "uk", SLUG)

        page.goto(f"{live_server}{confirmation_path(mailbox, email)}")
        page.get_by_role("button", name=uk("Confirm"), exact=True).click()
        expect(page).to_have_url(f"{live_server}/uk/{SLUG}/")
    expect_counted_in_ukraine(page, people=len(SIGNERS))
