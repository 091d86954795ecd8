"""No page asks the browser to contact another host, and every page works without JavaScript.

A real browser walks every public page in each language, the way a signer and an
organisation's representative would (including a form sent with mistakes and the links from
real mail), and every request it makes is recorded: each must go to the site's own origin.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from PIL import Image
from playwright.sync_api import BrowserContext, Request, Response, expect

from petition.coalition.logos import store_logo
from petition.countries import country_name
from petition.extensions import db
from petition.models import Listing, Organisation, OrganisationKind, OrganisationStatus
from tests.browser.conftest import (
    expect_check_email_page,
    fill_sign_form,
    submit_sign_form,
    ui_text,
)
from tests.factories import make_campaign
from tests.mailbox import Mailbox
from tests.pages import manage_link_in, path_of, send_mail

pytestmark = pytest.mark.browser

SLUG = "free-them"
LANGS = ("en", "uk", "ru")
LOCALES = {"en": "en-GB", "uk": "uk-UA", "ru": "ru-RU"}
TITLES = {"en": "Free them all", "uk": "Звільніть усіх", "ru": "Освободите всех"}
MEMBER = "Invented Rights Group"


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"COUNTS_TTL_SECONDS": 0, "LOGO_FOLDER": str(tmp_path / "logos")}


@pytest.fixture
def campaign_with_member(app: Flask) -> str:
    """A campaign whose coalition lists an organisation with a stored logo; returns the
    logo's name. Committed and released before the browser starts."""
    campaign = make_campaign(SLUG)
    image = io.BytesIO()
    Image.new("RGB", (300, 120), (20, 80, 160)).save(image, "PNG")
    logo = store_logo(image.getvalue())
    db.session.add(
        Organisation(
            campaign_id=campaign.id,
            name=MEMBER,
            country="UA",
            kind=OrganisationKind.HUMAN_RIGHTS,
            website="https://rights.example.org",
            listing=Listing.PUBLIC,
            status=OrganisationStatus.APPROVED,
            lang="en",
            statement_sha256=campaign.texts["en"].sha256,
            logo=logo,
        )
    )
    db.session.commit()
    db.session.remove()
    return logo


class Walk:
    """One visitor's browser: every request it makes, and the pages it opened."""

    def __init__(self, context: BrowserContext, base_url: str) -> None:
        self.base_url = base_url
        self.requests: list[str] = []
        context.on("request", self._record)
        self.page = context.new_page()

    def _record(self, request: Request) -> None:
        self.requests.append(request.url)

    def open(self, path: str) -> Response:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None, path
        assert response.ok, (path, response.status)
        return response

    def elsewhere(self) -> list[str]:
        """Requests to any origin but the site's own."""
        own = urlsplit(self.base_url)
        return [
            url
            for url in self.requests
            if (urlsplit(url).scheme, urlsplit(url).netloc) != (own.scheme, own.netloc)
        ]


def mailed_link(mailbox: Mailbox, address: str, pattern: str) -> str:
    """Run the outbox worker once and return the path of the link matching `pattern`."""
    send_mail()
    db.session.remove()  # on SQLite an open read would keep the server from writing
    [message] = mailbox.to(address)
    text = mailbox.text_of(message)
    match = re.search(rf"https?://\S+{pattern}[\w-]+", text)
    assert match, text
    return path_of(match.group(0))


def walk_every_public_page(walk: Walk, lang: str, mailbox: Mailbox, logo: str) -> None:
    page, text = walk.page, lambda message: ui_text(lang, message)

    # `/` picks the language the browser asks for.
    walk.open("/")
    expect(page).to_have_url(f"{walk.base_url}/{lang}/")
    expect(page.locator("html")).to_have_attribute("lang", lang)

    walk.open(f"/{lang}/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[lang])

    # Signing: first with nothing filled in, then properly.
    walk.open(f"/{lang}/{SLUG}/sign")
    submit_sign_form(page, lang)
    expect(page.get_by_text(text("Please enter your name.")).first).to_be_visible()
    address = f"walker.{lang}@example.org"
    fill_sign_form(page, lang, name="Walker Test", email=address, country=country_name("UA", lang))
    submit_sign_form(page, lang)
    expect_check_email_page(page, walk.base_url, lang, SLUG)

    # The confirmation page from the real mail, and its button.
    confirm = mailed_link(mailbox, address, "/confirm/")
    assert confirm.startswith(f"/{lang}/confirm/"), confirm
    walk.open(confirm)
    page.get_by_role("button", name=text("Confirm"), exact=True).click()
    expect(page).to_have_url(f"{walk.base_url}/{lang}/{SLUG}/")
    expect(page.get_by_role("status")).to_have_text(
        text("Thank you. Your signature is confirmed and counted.")
    )
    # The self-service link the same mail carries.
    [message] = mailbox.to(address)
    walk.open(path_of(manage_link_in(mailbox.text_of(message))))

    for path in (
        f"/{lang}/{SLUG}/check-email",
        f"/{lang}/{SLUG}/resend",
        f"/{lang}/{SLUG}/coalition",
        f"/{lang}/{SLUG}/join",
        f"/{lang}/{SLUG}/join/check-email",
        f"/{lang}/{SLUG}/coalition/manage",
        f"/{lang}/privacy",
        f"/{lang}/{SLUG}/embed",
        f"/{lang}/{SLUG}/embed/sent",
        f"/embed/{SLUG}/counter?lang={lang}",
    ):
        walk.open(path)
        expect(page.locator("html")).to_have_attribute("lang", lang)
        if path.endswith("/coalition"):
            expect(page.get_by_text(MEMBER).first).to_be_visible()
            assert any(url.endswith(f"/logos/{logo}") for url in walk.requests)

    walk.open("/staff/sign-in")
    expect(page.get_by_role("button")).not_to_have_count(0)


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_loads_only_from_the_site_itself(
    lang: str,
    live_server: str,
    mailbox: Mailbox,
    campaign_with_member: str,
    new_context: Callable[..., BrowserContext],
) -> None:
    walk = Walk(new_context(locale=LOCALES[lang]), live_server)
    walk_every_public_page(walk, lang, mailbox, campaign_with_member)
    assert walk.elsewhere() == []
    # The recording saw the pages' own resources, so an empty list above means something.
    assert any("/static/css/" in url for url in walk.requests)


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_works_without_javascript(
    lang: str,
    live_server: str,
    mailbox: Mailbox,
    campaign_with_member: str,
    new_context: Callable[..., BrowserContext],
) -> None:
    walk = Walk(new_context(locale=LOCALES[lang], java_script_enabled=False), live_server)
    walk_every_public_page(walk, lang, mailbox, campaign_with_member)
    assert walk.elsewhere() == []


def test_the_walk_would_notice_a_request_elsewhere(
    live_server: str, campaign_with_member: str, new_context: Callable[..., BrowserContext]
) -> None:
    """The check itself works: were a page to load something from another host (here forced
    past the site's Content-Security-Policy), the walk would record it."""
    walk = Walk(new_context(bypass_csp=True), live_server)
    walk.open(f"/en/{SLUG}/")
    elsewhere = "http://192.0.2.1:9/pixel.png"  # TEST-NET-1: never a real host
    with walk.page.expect_request(elsewhere):
        walk.page.evaluate(f"() => {{ new Image().src = '{elsewhere}'; }}")
    assert walk.elsewhere() == [elsewhere]
