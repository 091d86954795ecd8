"""A later submission for a known address changes nothing the first one chose, except to
show less of a pending signer: only the holder of a link (the confirm and manage pages) may
change a signature otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import Display, Signature, SignatureStatus
from tests.factories import make_campaign
from tests.pages import confirm_link, link_in, send_mail, sign


@pytest.fixture
def campaign(app):
    return make_campaign()


def the_signature() -> Signature:
    db.session.expire_all()
    return db.session.scalars(select(Signature)).one()


VICTIM = {
    "name": "Ivan Quiet",
    "email": "ivan@example.org",
    "country": "RU",
    "display": "anonymous",
}
ATTACKER = {"name": "Ivan Exposed", "country": "DE", "display": "full", "city": "Berlin"}


def test_a_later_submission_cannot_rewrite_a_pending_signature(client, campaign, mailbox):
    victim = sign(client, lang="ru", **VICTIM)
    attacker = sign(client, lang="en", **{**VICTIM, **ATTACKER, "email": "Ivan+x@Example.org"})
    assert attacker.headers["Location"] == victim.headers["Location"].replace("/ru/", "/en/")

    send_mail()
    received = mailbox.to("ivan@example.org")
    assert len(received) == 2  # a fresh link for the holder of the mailbox, nothing more
    for message in received:
        assert "Ivan Exposed" not in mailbox.text_of(message)
    first_link = link_in(mailbox.text_of(received[0]))
    assert "/ru/confirm/" in first_link
    page = confirm_link(client, first_link)
    assert page.status_code == 302

    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.ANONYMOUS
    assert signature.country == "RU"
    assert signature.name == "Ivan Quiet"
    assert signature.city is None
    assert signature.lang == "ru"
    assert signature.email == "ivan@example.org"


def test_after_the_link_cap_nothing_changes_either(client, campaign, mailbox, app):
    sign(client, **VICTIM)
    for _ in range(app.config["CONFIRM_LINKS_PER_SIGNATURE"] + 1):
        sign(client, **{**VICTIM, **ATTACKER})
    signature = the_signature()
    assert (signature.name, signature.country, signature.display) == (
        "Ivan Quiet",
        "RU",
        Display.ANONYMOUS,
    )


def test_already_signed_mail_is_capped_per_signature_and_day(client, campaign, mailbox, app, clock):
    cap = app.config["ALREADY_SIGNED_MAILS_PER_DAY"]
    assert 0 < cap < 5
    sign(client, **VICTIM)
    send_mail()
    confirm_link(client, link_in(mailbox.text_of(mailbox.to("ivan@example.org")[0])))
    mailbox.clear()

    answers = {sign(client, **VICTIM).headers["Location"] for _ in range(cap + 1)}
    answers.add(sign(client, **{**VICTIM, "email": "someone.new@example.org"}).headers["Location"])
    assert len(answers) == 1  # the same page, whatever the address and however often
    send_mail()
    assert len(mailbox.to("ivan@example.org")) == cap
    assert len(mailbox.to("someone.new@example.org")) == 1

    mailbox.clear()
    clock.advance(hours=23)
    sign(client, **VICTIM)
    assert send_mail() == 0
    clock.advance(hours=1, minutes=1)
    sign(client, **VICTIM)
    send_mail()
    assert len(mailbox.to("ivan@example.org")) == 1


def test_already_signed_mail_goes_only_to_the_address_that_confirmed(client, campaign, mailbox):
    sign(client, **VICTIM)
    send_mail()
    confirm_link(client, link_in(mailbox.text_of(mailbox.to("ivan@example.org")[0])))
    mailbox.clear()

    sign(client, **{**VICTIM, "email": "Ivan+Attacker@Example.org"})  # the same person, to us
    send_mail()
    [message] = mailbox.messages
    assert message["To"] == "ivan@example.org"


def test_an_attacker_who_signs_first_cannot_decide_that_the_signer_is_named(
    client, campaign, mailbox
):
    sign(client, **{**VICTIM, **ATTACKER})
    sign(client, lang="ru", **VICTIM)
    send_mail()
    received = mailbox.to("ivan@example.org")
    assert confirm_link(client, link_in(mailbox.text_of(received[-1]))).status_code == 302
    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.ANONYMOUS
