"""A person signs in a real browser, confirms from the mail, and is counted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import (
    expect_check_email_page,
    fill_sign_form,
    submit_sign_form,
    ui_text,
)
from tests.factories import make_campaign
from tests.mailbox import Mailbox
from tests.pages import link_in, path_of, send_mail

pytestmark = pytest.mark.browser

SLUG = "free-them"


def uk(message: str) -> str:
    return ui_text("uk", message)


def api_counts(page: Page, base_url: str) -> dict[str, Any]:
    response = page.request.get(f"{base_url}/api/v1/campaigns/{SLUG}")
    assert response.ok, response.status
    data: dict[str, Any] = response.json()
    return {"counts": data["counts"], "by_country": data["by_country"]}


NOTHING_COUNTED = {
    "counts": {"individuals": 0, "organisations": 0, "paper": 0},
    "by_country": {},
}


def confirmation_path(mailbox: Mailbox, address: str) -> str:
    """Run the outbox worker once; the path of the one confirmation link sent to `address`."""
    assert send_mail() == 1
    [message] = mailbox.to(address)
    return path_of(link_in(mailbox.text_of(message)))


def expect_counted_in_ukraine(page: Page, people: int) -> None:
    """The campaign page's totals and its by-country table, as a visitor reads them."""
    totals = page.locator(".totals div").filter(has=page.get_by_text(uk("People"), exact=True))
    expect(totals.locator("dd")).to_have_text(str(people))
    table = page.get_by_role("table", name=uk("Signatures by country"))
    ukraine = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Україна", exact=True)
    )
    expect(ukraine.get_by_role("cell")).to_have_text(str(people))
    expect(table.locator("tbody tr")).to_have_count(1)


def test_ukrainian_signer_confirms_by_mail_and_is_counted(
    app: object, live_server: str, mailbox: Mailbox, page: Page
) -> None:
    make_campaign()
    blocked_by_csp: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked_by_csp.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    page.goto(f"{live_server}/uk/{SLUG}/")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("heading", level=1)).to_have_text("Звільніть усіх")
    page.get_by_role("link", name=uk("Sign the statement"), exact=True).first.click()

    expect(page).to_have_url(f"{live_server}/uk/{SLUG}/sign")
    fill_sign_form(
        page, "uk", name="Ярина Соловейко", email="yaryna.test@example.org", country="Україна"
    )
    anonymous = page.get_by_role("radio", name=uk("Anonymous: counted, never named"), exact=True)
    expect(anonymous).to_be_checked()
    expect(page.get_by_role("radio", name=uk("Full name"), exact=True)).not_to_be_checked()
    submit_sign_form(page, "uk")

    expect_check_email_page(page, live_server, "uk", SLUG)
    assert api_counts(page, live_server) == NOTHING_COUNTED

    path = confirmation_path(mailbox, "yaryna.test@example.org")
    assert path.startswith("/uk/confirm/"), path
    page.goto(f"{live_server}{path}")

    confirm = page.get_by_role("button", name=uk("Confirm"), exact=True)
    expect(confirm).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(
        uk("Your name will not be shown anywhere; you will only be counted.")
    )
    # A mail scanner or link preview opens links too: opening one must count nothing.
    assert api_counts(page, live_server) == NOTHING_COUNTED

    confirm.click()

    expect(page).to_have_url(f"{live_server}/uk/{SLUG}/")
    expect(page.get_by_role("status")).to_have_text(
        uk("Thank you. Your signature is confirmed and counted.")
    )
    expect_counted_in_ukraine(page, people=1)
    # Anonymous means counted and never named.
    expect(page.get_by_text("Ярина")).to_have_count(0)
    expect(page.get_by_text("Соловейко")).to_have_count(0)
    assert api_counts(page, live_server) == {
        "counts": {"individuals": 1, "organisations": 0, "paper": 0},
        "by_country": {"UA": 1},
    }
    assert blocked_by_csp == []


def test_signing_and_confirming_work_without_javascript(
    app: object,
    live_server: str,
    mailbox: Mailbox,
    new_context: Callable[..., BrowserContext],
) -> None:
    make_campaign()
    page = new_context(java_script_enabled=False).new_page()

    page.goto(f"{live_server}/uk/{SLUG}/sign")
    fill_sign_form(
        page, "uk", name="Богдан Тестенко", email="bohdan.test@example.org", country="Україна"
    )
    submit_sign_form(page, "uk")
    expect_check_email_page(page, live_server, "uk", SLUG)

    page.goto(f"{live_server}{confirmation_path(mailbox, 'bohdan.test@example.org')}")
    page.get_by_role("button", name=uk("Confirm"), exact=True).click()

    expect(page).to_have_url(f"{live_server}/uk/{SLUG}/")
    expect_counted_in_ukraine(page, people=1)
