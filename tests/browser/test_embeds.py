"""A partner's site, on another origin, shows the campaign's counter; no other page of the
site can be framed there."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from petition.models import SignatureStatus
from tests.browser.conftest import assert_no_axe_violations, ui_text
from tests.factories import make_campaign, make_signature

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


def test_the_counter_page_is_accessible(campaign, live_server: str, axe_page: Page) -> None:
    axe_page.goto(f"{live_server}/embed/{SLUG}/counter?lang=ru")
    assert_no_axe_violations(axe_page)
