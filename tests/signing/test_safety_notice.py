"""Signers in Russia, Belarus or Ukraine (its occupied parts), or with a Russian mail
service, are warned, each in the words for their risk, and offered anonymity."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from petition.extensions import db
from petition.models import Display, Signature, SignatureStatus
from petition.personal import email_domain
from petition.signing.self_service import RUSSIAN_MAIL_DOMAINS, Risk, risk_of
from tests.factories import make_campaign
from tests.pages import hidden_inputs, link_in, path_of, send_mail, sign, submit_form

HEADING = "Your safety"
RISK = (
    "If you live in Russia or in the territories it occupies, signing can put you at risk: "
    "the Russian authorities prosecute people for anti-war statements. Mail services based "
    "in Russia can be made to give the authorities access to your messages."
)
BELARUS = (
    "If you live in Belarus, signing can put you at risk: the Belarusian authorities "
    "prosecute people for anti-war statements and for supporting Ukraine."
)
OCCUPIED = (
    "If you live in a part of Ukraine that Russia occupies, or have to pass through one, "
    "signing can put you at risk: the occupying authorities persecute people for anti-war "
    "and pro-Ukrainian views, and check phones and messages at checkpoints."
)
CONFIRM_ANONYMOUSLY = "Confirm anonymously instead"


@pytest.mark.parametrize(
    ("country", "email"),
    [
        ("RU", "someone@example.org"),
        ("RU", None),
        ("ru", "someone@proton.me"),
        ("UA", "someone@mail.ru"),
        ("UA", "someone@bk.ru"),
        ("DE", "someone@Yandex.RU"),
        ("UA", "someone@ya.ru"),
        ("PL", "someone@yandex.com"),
        ("UA", "someone@rambler.ru"),
        ("UA", "someone@vk.com"),
        ("UA", "someone@corp.mail.ru."),
        ("UA", "someone@school.example.ru"),
        ("UA", "someone@почта.рф"),
        ("UA", "someone@xn--80a1acny.xn--p1ai"),
    ],
)
def test_russia_and_russian_mail_services_are_at_risk(country, email):
    # the domain is all the server keeps
    assert risk_of(country, email_domain(email)) is Risk.RUSSIA


@pytest.mark.parametrize(
    ("country", "email", "risk"),
    [
        ("BY", "someone@proton.me", Risk.BELARUS),
        ("BY", "someone@mail.ru", Risk.BELARUS),  # the country says more than the mail
        ("UA", "someone@gmail.com", Risk.OCCUPIED),
        ("UA", "someone@ukr.net", Risk.OCCUPIED),
        ("ua", None, Risk.OCCUPIED),
    ],
)
def test_belarus_and_ukraine_are_at_risk_each_for_its_own_reason(country, email, risk):
    assert risk_of(country, email_domain(email)) is risk


@pytest.mark.parametrize(
    ("country", "email"),
    [
        ("DE", "someone@mail.ru.example.org"),
        ("PL", "someone@notyandex.com"),
        ("LT", "someone@proton.me"),
        ("GE", "mail.ru@example.org"),
        ("", "no address"),
        (None, None),
    ],
)
def test_other_signers_are_not_warned(country, email):
    assert risk_of(country, email_domain(email)) is None


@pytest.fixture
def campaign(app):
    return make_campaign()


def notice_of(html: str) -> str:
    match = re.search(r'<div id="safety-notice"[^>]*>', html)
    assert match, "no safety notice on the page"
    return match.group(0)


def test_sign_form_prepares_a_hidden_notice_and_the_rule_for_its_script(client, campaign):
    html = client.get("/en/free-them/sign").get_data(as_text=True)
    notice = notice_of(html)
    assert " hidden" in notice
    assert 'role="status"' not in notice
    assert 'data-safety-countries="BY:belarus RU:russia"' in notice
    assert 'data-safety-occupied="UA"' in notice
    for risk in Risk:  # each reason's words are there for the script to show
        assert f'<p data-risk="{risk.value}" hidden>' in html
    domains = re.search(r'data-safety-domains="([^"]*)"', notice)
    assert domains
    assert domains.group(1).split() == list(RUSSIAN_MAIL_DOMAINS)
    assert '<script src="/static/js/safety-notice.js" defer></script>' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # no inline script
    assert client.get("/static/js/safety-notice.js").status_code == 200


@pytest.mark.parametrize("lang", ["en", "uk", "ru"])
def test_notice_is_in_the_pages_language(client, campaign, lang):
    html = client.get(f"/{lang}/free-them/sign").get_data(as_text=True)
    with force_locale(lang):
        for message in (HEADING, RISK, BELARUS, OCCUPIED):
            assert gettext(message) in html


def test_form_returned_with_errors_shows_the_notice_without_javascript(client, campaign):
    response = submit_form(client, "/ru/free-them/sign", name="", email="x@mail.ru", country="RU")
    assert response.status_code == 422
    notice = notice_of(response.get_data(as_text=True))
    assert " hidden" not in notice
    assert 'role="status"' in notice

    assert '<p data-risk="russia">' in response.get_data(as_text=True)

    other = submit_form(client, "/en/free-them/sign", name="", email="x@example.org", country="PL")
    assert " hidden" in notice_of(other.get_data(as_text=True))


@pytest.mark.parametrize(("country", "risk"), [("BY", "belarus"), ("UA", "occupied")])
def test_form_returned_with_errors_shows_the_paragraph_for_the_country(
    client, campaign, country, risk
):
    response = submit_form(
        client, "/en/free-them/sign", name="", email="x@example.org", country=country
    )
    html = response.get_data(as_text=True)
    assert " hidden" not in notice_of(html)
    assert f'<p data-risk="{risk}">' in html
    assert '<p data-risk="russia" hidden>' in html


def the_signature() -> Signature:
    db.session.expire_all()
    return db.session.scalars(select(Signature)).one()


def confirm_page(client, mailbox, **fields) -> tuple[str, str]:
    sign(client, **fields)
    send_mail()
    [message] = mailbox.to(fields["email"])
    path = path_of(link_in(mailbox.text_of(message)))
    return path, client.get(path).get_data(as_text=True)


def test_confirm_page_warns_a_signer_in_russia_and_offers_anonymity(client, campaign, mailbox):
    path, html = confirm_page(client, mailbox, email="ivan@example.org", country="RU")
    assert RISK in html
    assert CONFIRM_ANONYMOUSLY in html
    assert 'name="display" value="anonymous"' in html
    assert " hidden" not in notice_of(html)

    response = client.post(path, data={**hidden_inputs(html), "display": "anonymous"})
    assert response.status_code == 302
    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.ANONYMOUS


@pytest.mark.parametrize("email", ["ivan@Mail.RU", "ivan@yandex.com", "ivan@school.example.ru"])
def test_confirm_page_warns_a_signer_whose_mail_goes_through_russia(
    client, campaign, mailbox, email
):
    """The address is sealed by then: the warning goes by the domain kept beside it."""
    _path, html = confirm_page(client, mailbox, email=email, country="UA")
    assert RISK in html
    assert " hidden" not in notice_of(html)
    assert 'name="display" value="anonymous"' in html


def test_confirm_page_shows_the_name_as_lists_will_show_it(client, campaign, mailbox):
    _path, full = confirm_page(client, mailbox, email="anna@example.org", name="Anna Kowalska")
    assert "Your name will be shown as: <bdi>Anna Kowalska</bdi>" in full
    mailbox.clear()
    _path, initials = confirm_page(
        client, mailbox, email="olga@example.org", name="Olga Nowak", display="initials"
    )
    assert "Only your initials will be shown." in initials
    assert "Olga" not in initials
    assert "Nowak" not in initials


def test_plain_confirm_keeps_the_choice(client, campaign, mailbox):
    path, html = confirm_page(
        client, mailbox, email="ivan@inbox.ru", country="UA", display="initials"
    )
    assert CONFIRM_ANONYMOUSLY in html
    assert client.post(path, data=hidden_inputs(html)).status_code == 302
    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.INITIALS


WORDS = {"RU": RISK, "BY": BELARUS, "UA": OCCUPIED}


@pytest.mark.parametrize("country", ["BY", "UA"])
def test_confirm_page_warns_signers_in_belarus_and_ukraine_in_their_own_words(
    client, campaign, mailbox, country
):
    _path, html = confirm_page(client, mailbox, email="signer@example.org", country=country)
    for place, words in WORDS.items():
        assert (words in html) == (place == country), place
    assert " hidden" not in notice_of(html)
    assert 'name="display" value="anonymous"' in html


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "ivan@example.org", "country": "RU", "display": "anonymous"},
        {"email": "anna@example.org", "country": "PL", "display": "full"},
    ],
)
def test_no_notice_for_those_not_at_risk_or_already_anonymous(client, campaign, mailbox, fields):
    _path, html = confirm_page(client, mailbox, **fields)
    assert RISK not in html
    assert 'id="safety-notice"' not in html


def test_anonymous_is_offered_to_everyone_who_would_be_named(client, campaign, mailbox):
    """The address's first sender chose how it is shown; the person confirming may not be them."""
    _path, html = confirm_page(client, mailbox, email="olena@example.org", country="UA")
    assert CONFIRM_ANONYMOUSLY in html


def test_nothing_to_offer_an_anonymous_signer(client, campaign, mailbox):
    _path, html = confirm_page(client, mailbox, email="ivan@example.org", display="anonymous")
    assert CONFIRM_ANONYMOUSLY not in html


@pytest.mark.parametrize("sent", ["full", "bogus"])
def test_confirming_never_reveals_more_than_chosen(client, campaign, mailbox, sent):
    path, html = confirm_page(client, mailbox, email="anna@example.org", display="initials")
    assert client.post(path, data={**hidden_inputs(html), "display": sent}).status_code == 302
    assert the_signature().display is Display.INITIALS
