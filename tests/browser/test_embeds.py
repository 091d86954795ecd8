"""A partner's site, on another origin, shows the campaign's counter anywhere and its signing
form only if the campaign lists the site; no other page of the site can be framed there."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from petition.extensions import db
from petition.models import SignatureStatus
from tests.browser.conftest import (
    assert_no_axe_violations,
    fill_sign_form,
    submit_sign_form,
    ui_text,
)
from tests.factories import make_campaign, make_signature
from tests.mailbox import Mailbox
from tests.pages import link_in, send_mail

pytestmark = pytest.mark.browser

SLUG = "free-them"


@pytest.fixture
def campaign(app):
    campaign = make_campaign(SLUG)
    for _ in range(3):
        make_signature(campaign, status=SignatureStatus.CONFIRMED)
    return campaign


def partner_page(live_server: str) -> str:
    return f"""<!doctype html><html lang="uk"><head><title>Partner</title></head><body>
<iframe id="counter" title="counter" src="{live_server}/embed/{SLUG}/counter?lang=uk"></iframe>
<img id="badge" alt="badge" src="{live_server}/embed/{SLUG}/counter.svg?lang=uk">
<iframe id="campaign" title="campaign" src="{live_server}/uk/{SLUG}/"></iframe>
</body></html>"""


def test_a_partner_site_shows_the_counter_and_badge_but_not_the_campaign_page(
    campaign, live_server: str, partner_site: Callable[[str], str], page: Page
) -> None:
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(partner_site(partner_page(live_server)))

    counter = page.frame_locator("#counter")
    people = counter.locator(".totals div").filter(has_text=ui_text("uk", "People"))
    expect(people.locator("dd")).to_have_text("3")
    expect(counter.get_by_role("link", name=ui_text("uk", "Sign the statement"))).to_be_visible()
    badge_width = page.locator("#badge").evaluate("image => image.naturalWidth")
    assert badge_width > 0  # the SVG loaded and drew

    campaign_frame = page.frame_locator("#campaign")
    expect(campaign_frame.get_by_role("heading", level=1)).to_have_count(0)
    assert any("frame-ancestors" in text for text in refused), refused


@pytest.mark.parametrize(
    "path", [f"/embed/{SLUG}/counter?lang=ru", f"/ru/{SLUG}/embed", f"/ru/{SLUG}/embed/sent"]
)
def test_the_framable_pages_are_accessible(
    campaign, live_server: str, axe_page: Page, path: str
) -> None:
    axe_page.goto(f"{live_server}{path}")
    assert_no_axe_violations(axe_page)


def form_page(live_server: str, lang: str) -> str:
    return f"""<!doctype html><html lang="{lang}"><head><title>Partner</title></head><body>
<iframe id="form" title="form" width="900" height="1600"
        src="{live_server}/{lang}/{SLUG}/embed"></iframe></body></html>"""


def test_a_listed_partner_site_frames_the_form_and_its_visitor_signs(
    campaign,
    live_server: str,
    partner_site: Callable[[str], str],
    page: Page,
    mailbox: Mailbox,
) -> None:
    partner = partner_site(form_page(live_server, "uk"))
    title = campaign.text("uk").title
    campaign.embed_origins = partner.rstrip("/")
    db.session.commit()  # and touch no row after it: the test's transaction would lock SQLite
    page.goto(partner)

    frame = page.frame_locator("#form")
    expect(frame.get_by_role("heading", level=1)).to_contain_text(title)
    fill_sign_form(frame, "uk", name="Oksana Frame", email="oksana@example.org", country="Україна")
    submit_sign_form(frame, "uk")

    expect(frame.get_by_role("heading", level=1)).to_have_text(ui_text("uk", "Check your email"))
    assert page.url == partner  # the partner's page stays; only the frame moved on
    assert send_mail() == 1
    [message] = mailbox.to("oksana@example.org")
    assert "/uk/confirm/" in link_in(mailbox.text_of(message))


def test_a_site_that_is_not_listed_cannot_frame_the_form(
    campaign, live_server: str, partner_site: Callable[[str], str], page: Page
) -> None:
    listed = partner_site(form_page(live_server, "en"))
    campaign.embed_origins = listed.rstrip("/")
    db.session.commit()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))

    page.goto(listed.replace("localhost", "127.0.0.1"))  # the same page from another origin

    expect(page.frame_locator("#form").get_by_role("heading", level=1)).to_have_count(0)
    assert any("frame-ancestors" in text for text in refused), refused
