"""The privacy page says what is kept, why, how long, who sees it and how to withdraw; every
form links to it."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from tests.factories import make_campaign
from tests.pages import manage_link_in, path_of, send_mail, sign


@pytest.fixture
def campaign(app):
    return make_campaign()


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_privacy_page_in_each_language(client, app, lang):
    response = client.get(f"/{lang}/privacy")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    with force_locale(lang):
        for message in ("Privacy: what we keep about you", "How to withdraw", "Who sees it"):
            assert gettext(message) in html
    for other in ("en", "uk", "ru"):
        assert f'href="/{other}/privacy"' in html  # the language switcher


def test_privacy_page_states_what_how_long_and_who(client, app):
    html = client.get("/en/privacy").get_data(as_text=True)
    for fact in (
        "sealed the moment you send the form",
        "Our server cannot read them, and neither can anyone who copies it or its backups.",
        "Only the campaign’s custodians can read your email address",
        "If every custodian lost their key",
        "Your country.",
        "full name, initials only, or anonymous",
        "a fingerprint (a hash) of the exact text you signed",
        "deleted when its day ends",
        "deleted after 30 days",
        "not confirmed is deleted after 7 days",
        "180 days after a campaign closes, or after its last delivery",
        "erased at once",
        "never named anywhere",
        "Only a small team of staff",
        "link to manage it",
        "If you are in Russia, in Belarus, or in the territories Russia occupies",
        "check phones and messages at checkpoints",
    ):
        assert fact in html, fact


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "RETENTION_UNCONFIRMED_DAYS": 3,
            "RETENTION_CLIENT_HASH_DAYS": 14,
            "RETENTION_AFTER_CLOSE_DAYS": 90,
            "MANAGE_LINK_DAYS": 60,
        }
    ],
)
def test_privacy_page_states_the_configured_periods(client, app):
    html = client.get("/en/privacy").get_data(as_text=True)
    for period in (
        "deleted after 3 days",
        "deleted after 14 days",
        "90 days after a campaign closes",
        "works for 60 days",
    ):
        assert period in html, period


def test_privacy_is_linked_from_every_form_and_the_footer(client, campaign, mailbox):
    sign(client, email="someone@example.org")
    send_mail()
    [message] = mailbox.to("someone@example.org")
    manage = path_of(manage_link_in(mailbox.text_of(message)))
    for lang in ("en", "uk", "ru"):
        forms = [
            f"/{lang}/free-them/sign",
            f"/{lang}/free-them/join",
            f"/{lang}/free-them/resend",
            manage.replace("/en/", f"/{lang}/", 1),
        ]
        for path in forms:
            html = client.get(path).get_data(as_text=True)
            assert html.count(f'href="/{lang}/privacy"') >= 2, path  # by the form, and footer
            assert 'class="privacy-link"' in html, path
        for path in (f"/{lang}/", f"/{lang}/free-them/", f"/{lang}/free-them/coalition"):
            assert f'href="/{lang}/privacy"' in client.get(path).get_data(as_text=True), path
