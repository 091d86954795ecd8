"""A signer from Russia is warned in their language, signs anonymously, and later withdraws
through the link in the mail; every page on the way passes axe-core. Signers in Belarus and
Ukraine are warned in words of their own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import select

from petition.extensions import db
from petition.models import Display, Signature, SignatureStatus
from petition.models.signature import PERSONAL_COLUMNS
from tests.browser.conftest import (
    assert_no_axe_violations,
    expect_check_email_page,
    fill_sign_form,
    submit_sign_form,
    ui_text,
)
from tests.factories import make_campaign
from tests.mailbox import Mailbox
from tests.pages import link_in, manage_link_in, path_of, send_mail

pytestmark = pytest.mark.browser

SLUG = "free-them"
RUSSIA = {"en": "Russia", "uk": "Росія", "ru": "Россия"}
UKRAINE = {"en": "Ukraine", "uk": "Україна", "ru": "Украина"}
BELARUS, POLAND = "Беларусь", "Польша"
HEADING = "Your safety"
RISK = (
    "If you live in Russia or in the territories it occupies, signing can put you at risk: "
    "the Russian authorities prosecute people for anti-war statements. Mail services based "
    "in Russia can be made to give the authorities access to your messages."
)


def watch_csp(page: Page) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return blocked


def test_choosing_russia_or_a_russian_mail_service_shows_the_notice_in_russian(
    app: object, live_server: str, page: Page
) -> None:
    make_campaign()
    blocked = watch_csp(page)
    page.goto(f"{live_server}/ru/{SLUG}/sign")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    notice = page.locator("#safety-notice")
    expect(notice).to_be_hidden()

    assert ui_text("ru", RISK) != RISK, "the notice has no Russian translation"
    country = page.get_by_label(ui_text("ru", "Country"), exact=True)
    country.select_option(label=RUSSIA["ru"])
    expect(notice).to_be_visible()
    status = page.get_by_role("status")
    expect(status).to_contain_text(ui_text("ru", HEADING))
    expect(status).to_contain_text(ui_text("ru", RISK))
    russia = notice.locator('[data-risk="russia"]')
    expect(russia).to_be_visible()

    for chosen, reason in ((UKRAINE["ru"], "occupied"), (BELARUS, "belarus")):
        country.select_option(label=chosen)
        expect(notice).to_be_visible()
        expect(notice.locator(f'[data-risk="{reason}"]')).to_be_visible()
        expect(russia).to_be_hidden()

    country.select_option(label=POLAND)
    expect(notice).to_be_hidden()
    expect(page.get_by_role("status")).to_have_count(0)

    email = page.get_by_label(ui_text("ru", "Email address"), exact=True)
    email.fill("someone@mail.ru")
    expect(notice).to_be_visible()
    email.fill("someone@example.org")
    email.blur()
    expect(notice).to_be_hidden()
    assert blocked == []


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_sign_page_with_the_notice_shown_has_no_axe_violations(
    app: object, live_server: str, axe_page: Page, lang: str
) -> None:
    make_campaign()
    axe_page.goto(f"{live_server}/{lang}/{SLUG}/sign")
    axe_page.get_by_label(ui_text(lang, "Country"), exact=True).select_option(label=RUSSIA[lang])
    expect(axe_page.get_by_role("status")).to_contain_text(ui_text(lang, HEADING))
    assert_no_axe_violations(axe_page)


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_privacy_page_has_no_axe_violations(
    app: object, live_server: str, axe_page: Page, lang: str
) -> None:
    axe_page.goto(f"{live_server}/{lang}/privacy")
    expect(axe_page.locator("html")).to_have_attribute("lang", lang)
    expect(axe_page.get_by_role("heading", level=1)).to_have_text(
        ui_text(lang, "Privacy: what we keep about you")
    )
    assert_no_axe_violations(axe_page)


def test_signer_from_russia_signs_anonymously_then_withdraws_through_the_mail(
    app: object, live_server: str, mailbox: Mailbox, axe_page: Page
) -> None:
    """The issue's "done when" walk, with axe-core on every page of self-service."""
    make_campaign()
    page = axe_page
    page.goto(f"{live_server}/ru/{SLUG}/sign")
    fill_sign_form(
        page, "ru", name="Пётр Проверкин", email="petr.test@mail.ru", country=RUSSIA["ru"]
    )
    expect(page.get_by_role("status")).to_contain_text(ui_text("ru", HEADING))
    anonymous = page.get_by_role(
        "radio", name=ui_text("ru", "Anonymous: counted, never named"), exact=True
    )
    expect(anonymous).to_be_checked()
    submit_sign_form(page, "ru")
    expect_check_email_page(page, live_server, "ru", SLUG)

    assert send_mail() == 1
    [message] = mailbox.to("petr.test@mail.ru")
    text = mailbox.text_of(message)
    page.goto(f"{live_server}{path_of(link_in(text))}")
    # Already anonymous: nothing more to offer than the plain button.
    expect(
        page.get_by_role("button", name=ui_text("ru", "Confirm anonymously instead"))
    ).to_have_count(0)
    page.get_by_role("button", name=ui_text("ru", "Confirm"), exact=True).click()
    expect(page).to_have_url(f"{live_server}/ru/{SLUG}/")

    manage = path_of(manage_link_in(text))
    assert manage.startswith("/ru/signature/"), manage
    page.goto(f"{live_server}{manage}")
    expect(page.get_by_role("heading", level=1)).to_have_text(ui_text("ru", "Your signature"))
    assert_no_axe_violations(page)

    page.get_by_role("link", name=ui_text("ru", "Withdraw my signature…"), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ui_text("ru", "Withdraw your signature?")
    )
    assert_no_axe_violations(page)
    page.get_by_role(
        "button", name=ui_text("ru", "Withdraw and erase my details"), exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ui_text("ru", "Your signature is withdrawn")
    )
    assert_no_axe_violations(page)

    response = page.request.get(f"{live_server}/api/v1/campaigns/{SLUG}")
    assert response.json()["counts"]["individuals"] == 0
    page.goto(f"{live_server}{manage}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        ui_text("ru", "This signature was withdrawn")
    )
    expect(page.get_by_role("main")).not_to_contain_text("Пётр")

    # Last, since on SQLite the test's own transaction would hold up the server.
    db.session.expire_all()
    signature = db.session.scalars(select(Signature)).one()
    assert signature.status is SignatureStatus.WITHDRAWN
    assert signature.display is Display.ANONYMOUS
    assert [getattr(signature, column) for column in PERSONAL_COLUMNS] == [None] * len(
        PERSONAL_COLUMNS
    )


def test_confirm_page_offers_anonymity_without_javascript_and_passes_axe(
    app: object, live_server: str, mailbox: Mailbox, new_context: Callable[..., BrowserContext]
) -> None:
    make_campaign()
    page = new_context(java_script_enabled=False, bypass_csp=True).new_page()
    page.goto(f"{live_server}/en/{SLUG}/sign")
    fill_sign_form(page, "en", name="Ivan Testov", email="ivan.test@example.org", country="Russia")
    expect(page.locator("#safety-notice")).to_be_hidden()  # no script, no live notice
    page.get_by_role("radio", name=ui_text("en", "Full name"), exact=True).check()
    submit_sign_form(page, "en")
    expect_check_email_page(page, live_server, "en", SLUG)

    assert send_mail() == 1
    [message] = mailbox.to("ivan.test@example.org")
    page.goto(f"{live_server}{path_of(link_in(mailbox.text_of(message)))}")
    expect(page.get_by_role("heading", name=ui_text("en", HEADING))).to_be_visible()
    instead = page.get_by_role("button", name=ui_text("en", "Confirm anonymously instead"))
    expect(instead).to_be_visible()
    axe = new_context(bypass_csp=True).new_page()
    axe.goto(page.url)
    assert_no_axe_violations(axe)

    instead.click()
    expect(page).to_have_url(f"{live_server}/en/{SLUG}/")
    db.session.expire_all()
    signature = db.session.scalars(select(Signature)).one()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.ANONYMOUS
