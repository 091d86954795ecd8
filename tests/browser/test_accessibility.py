"""Accessibility: axe-core on every page of the signing journey, and the form by keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    assert_no_axe_violations,
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
COUNTRY = {"uk": "Україна", "en": "Ukraine", "ru": "Украина"}


@pytest.mark.parametrize("lang", ["uk", "en", "ru"])
def test_campaign_page_has_no_axe_violations(
    app: object, live_server: str, axe_page: Page, lang: str
) -> None:
    make_campaign()
    axe_page.goto(f"{live_server}/{lang}/{SLUG}/")
    expect(axe_page.locator("html")).to_have_attribute("lang", lang)
    assert_no_axe_violations(axe_page)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_sign_page_has_no_axe_violations(
    app: object, live_server: str, axe_page: Page, lang: str
) -> None:
    make_campaign()
    axe_page.goto(f"{live_server}/{lang}/{SLUG}/sign")
    expect(axe_page.get_by_role("button", name=ui_text(lang, "Sign"), exact=True)).to_be_visible()
    assert_no_axe_violations(axe_page)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_sign_page_with_errors_has_no_axe_violations(
    app: object, live_server: str, axe_page: Page, lang: str
) -> None:
    make_campaign()
    axe_page.goto(f"{live_server}/{lang}/{SLUG}/sign")
    submit_sign_form(axe_page, lang)
    expect(axe_page.get_by_role("alert")).to_contain_text(ui_text(lang, "Please enter your name."))
    assert_no_axe_violations(axe_page)


def test_check_email_confirm_and_counted_pages_have_no_axe_violations(
    app: object, live_server: str, mailbox: Mailbox, axe_page: Page
) -> None:
    make_campaign()
    axe_page.goto(f"{live_server}/uk/{SLUG}/sign")
    fill_sign_form(
        axe_page, "uk", name="Мирослава Тестова", email="myroslava@example.org", country="Україна"
    )
    submit_sign_form(axe_page, "uk")
    expect_check_email_page(axe_page, live_server, "uk", SLUG)
    assert_no_axe_violations(axe_page)

    assert send_mail() == 1
    [message] = mailbox.to("myroslava@example.org")
    axe_page.goto(f"{live_server}{path_of(link_in(mailbox.text_of(message)))}")
    confirm = axe_page.get_by_role("button", name=ui_text("uk", "Confirm"), exact=True)
    expect(confirm).to_be_visible()
    assert_no_axe_violations(axe_page)

    # The campaign page once it has a flash message and a by-country table to show.
    confirm.click()
    expect(
        axe_page.get_by_role("table", name=ui_text("uk", "Signatures by country"))
    ).to_be_visible()
    assert_no_axe_violations(axe_page)


@pytest.mark.parametrize("lang", ["uk", "en"])
def test_error_summary_is_an_alert_whose_links_take_the_keyboard_to_the_field(
    app: object, live_server: str, page: Page, lang: str
) -> None:
    make_campaign()
    page.goto(f"{live_server}/{lang}/{SLUG}/sign")
    submit_sign_form(page, lang)

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text(
        ui_text(lang, "Please correct the following:")
    )
    problems = [
        (ui_text(lang, "Your name"), ui_text(lang, "Please enter your name.")),
        (ui_text(lang, "Email address"), ui_text(lang, "Please enter your email address.")),
        (ui_text(lang, "Country"), ui_text(lang, "Please choose your country.")),
    ]
    expect(summary.get_by_role("link")).to_have_text([error for _, error in problems])

    for position, (label, error) in enumerate(problems):
        # From the summary, Tab reaches each of its links in order; Enter follows one.
        summary.focus()
        for _ in range(position + 1):
            page.keyboard.press("Tab")
        expect(summary.get_by_role("link", name=error, exact=True)).to_be_focused()
        page.keyboard.press("Enter")

        field = page.get_by_label(label, exact=True)
        expect(field).to_be_focused()
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(error)))


def test_after_errors_the_form_keeps_what_was_typed_and_can_be_sent(
    app: object, live_server: str, page: Page
) -> None:
    make_campaign()
    page.goto(f"{live_server}/uk/{SLUG}/sign")
    name = page.get_by_label(ui_text("uk", "Your name"), exact=True)
    name.fill("Тарас Перевіркін")
    submit_sign_form(page, "uk")

    expect(page.get_by_role("alert").get_by_role("link")).to_have_text(
        [
            ui_text("uk", "Please enter your email address."),
            ui_text("uk", "Please choose your country."),
        ]
    )
    expect(name).to_have_value("Тарас Перевіркін")
    expect(name).not_to_have_attribute("aria-invalid", "true")
    fill_sign_form(
        page, "uk", name="Тарас Перевіркін", email="taras@example.org", country=COUNTRY["uk"]
    )
    submit_sign_form(page, "uk")
    expect_check_email_page(page, live_server, "uk", SLUG)
