"""Addresses with non-ASCII characters: the domain always goes out in its ASCII form (IDNA),
a non-ASCII local part with SMTPUTF8 when the server offers it; when it does not, that one
message fails with a reason that says so, and the rest of the queue goes out."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from petition.extensions import db
from petition.mail.messages import Email
from petition.mail.transport import PermanentFailure, build_message
from petition.models import OutboxMessage, OutboxStatus
from tests.conftest import SMTPUTF8
from tests.factories import make_campaign
from tests.mailbox import Envelope
from tests.pages import link_in, send_mail, sign


@pytest.fixture
def campaign(app):
    return make_campaign()


def received(mailbox, address: str) -> tuple[Envelope, str]:
    """The one message that came for `address` (as its To header reads): envelope, text."""
    [(envelope, message)] = [
        (envelope, message)
        for envelope, message in zip(mailbox.envelopes, mailbox.messages, strict=True)
        if str(message["To"]) == address
    ]
    return envelope, mailbox.text_of(message)


def greeting(lang: str) -> str:
    with force_locale(lang):
        return gettext("Hello,")


def outcome() -> OutboxMessage:
    db.session.expire_all()
    [message] = db.session.scalars(select(OutboxMessage))
    return message


@pytest.mark.parametrize("mailbox", [SMTPUTF8], indirect=True)
def test_a_non_ascii_local_part_goes_out_with_smtputf8(client, campaign, mailbox):
    sign(client, lang="ru", email="иван@example.com", name="Иван Тестов")
    assert send_mail() == 1
    envelope, text = received(mailbox, "иван@example.com")
    assert envelope == Envelope(("иван@example.com",), smtputf8=True)
    assert greeting("ru") in text
    assert "/ru/confirm/" in link_in(text)
    assert outcome().status is OutboxStatus.SENT


@pytest.mark.parametrize("mailbox", [SMTPUTF8, None], indirect=True, ids=["smtputf8", "ascii"])
def test_an_international_domain_always_goes_out_in_ascii(client, campaign, mailbox):
    sign(client, lang="uk", email="olena@приклад.укр", name="Олена Тест")
    assert send_mail() == 1
    envelope, text = received(mailbox, "olena@xn--80aikifvh.xn--j1amh")
    assert envelope == Envelope(("olena@xn--80aikifvh.xn--j1amh",), smtputf8=False)
    assert greeting("uk") in text
    assert outcome().status is OutboxStatus.SENT


@pytest.mark.parametrize("mailbox", [SMTPUTF8], indirect=True)
def test_a_non_ascii_local_part_at_an_international_domain(client, campaign, mailbox):
    sign(client, lang="ru", email="иван@пример.рф")
    assert send_mail() == 1
    envelope, _ = received(mailbox, "иван@xn--e1afmkfd.xn--p1ai")
    assert envelope == Envelope(("иван@xn--e1afmkfd.xn--p1ai",), smtputf8=True)


def test_without_smtputf8_the_message_fails_alone_and_says_why(client, campaign, mailbox):
    assert not mailbox.smtputf8
    sign(client, lang="ru", email="иван@example.com")
    sign(client, email="olena@example.org")
    assert send_mail() == 2
    assert [str(message["To"]) for message in mailbox.messages] == ["olena@example.org"]
    db.session.expire_all()
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    ).one()
    assert failed.last_error == (
        "the mail server does not take addresses with non-ASCII characters (no SMTPUTF8)"
    )
    assert failed.recipient is None


def test_a_non_ascii_recipient_that_is_no_address_fails_for_good(app):
    email = Email("ив ан@example.com", "Тема", "Текст", "<p>Текст</p>")
    with pytest.raises(PermanentFailure, match=r"^not an address mail can go to$"):
        build_message(email)  # nothing of the address in a reason that is kept and logged
