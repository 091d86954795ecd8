"""A later submission for a known address changes nothing the first one chose, except to
show less of a pending signer: only the holder of a link (the confirm and manage pages) may
change a signature otherwise."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import Display, OutboxMessage, Signature, SignatureStatus
from petition.personal import Details, open_details
from tests.factories import CUSTODIAN, make_campaign
from tests.pages import confirm_link, link_in, manage_link_in, send_mail, sign, submit_form


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
    [first] = mailbox.to("ivan@example.org")
    [fresh] = mailbox.to("Ivan+x@Example.org")  # a fresh link, to the address just typed
    for message in (first, fresh):
        assert "Ivan Exposed" not in mailbox.text_of(message)
    first_link = link_in(mailbox.text_of(first))
    assert "/ru/confirm/" in first_link
    assert "/ru/confirm/" in link_in(mailbox.text_of(fresh))  # in the language signed in
    page = confirm_link(client, first_link)
    assert page.status_code == 302

    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.ANONYMOUS
    assert signature.public_name is None
    assert signature.country == "RU"
    assert signature.lang == "ru"
    assert open_details(signature.sealed, CUSTODIAN) == Details("Ivan Quiet", "ivan@example.org")


def test_after_the_link_cap_nothing_changes_either(client, campaign, mailbox, app):
    sign(client, **VICTIM)
    for _ in range(app.config["CONFIRM_LINKS_PER_SIGNATURE"] + 1):
        sign(client, **{**VICTIM, **ATTACKER})
    signature = the_signature()
    assert (signature.public_name, signature.country, signature.display) == (
        None,
        "RU",
        Display.ANONYMOUS,
    )
    assert open_details(signature.sealed, CUSTODIAN) == Details("Ivan Quiet", "ivan@example.org")


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


def confirmed_victim(client, mailbox, email: str = VICTIM["email"]) -> None:
    sign(client, **{**VICTIM, "email": email})
    send_mail()
    confirm_link(client, link_in(mailbox.text_of(mailbox.to(email)[0])))
    mailbox.clear()


@pytest.mark.parametrize("spelling", ["ivan+x@example.org", "Ivan+Attacker@Example.org"])
def test_another_mailbox_of_a_confirmed_signer_gets_no_mail_at_all(
    client, campaign, mailbox, spelling
):
    """`ivan+x@` is the same person to us, but it may be someone else's mailbox: the
    "already signed" mail carries a link that can unmask or withdraw the signature."""
    confirmed_victim(client, mailbox)
    answer = sign(client, **{**VICTIM, "email": spelling})
    assert answer.headers["Location"].endswith("/check-email")
    addressed = select(OutboxMessage).where(OutboxMessage.recipient.is_not(None))
    assert db.session.scalars(addressed).all() == []  # nothing queued, to anyone
    assert send_mail() == 0
    assert mailbox.messages == []


@pytest.mark.parametrize(
    ("signed", "typed"),
    [
        ("ivan@example.org", "IVAN@Example.ORG"),  # case is no other mailbox
        ("ivan.quiet@gmail.com", "IvanQuiet+petition@googlemail.com"),  # nor are Gmail's dots
    ],
)
def test_the_same_mailbox_spelled_otherwise_is_told_it_already_signed(
    client, campaign, mailbox, signed, typed
):
    confirmed_victim(client, mailbox, signed)
    sign(client, **{**VICTIM, "email": typed})
    assert send_mail() == 1
    [message] = mailbox.messages
    assert message["To"] == typed  # the address just typed: the server keeps none to send to
    text = mailbox.text_of(message)
    assert "already confirmed" in text
    assert "/confirm/" not in text
    assert "/signature/" in manage_link_in(text)


def test_a_pending_signer_gets_a_fresh_link_at_the_spelling_just_typed(client, campaign, mailbox):
    sign(client, **VICTIM)
    sign(client, **{**VICTIM, "email": "IVAN@example.org"})
    submit_form(client, "/en/free-them/resend", email="Ivan@Example.org")
    send_mail()
    for spelling in ("ivan@example.org", "IVAN@example.org", "Ivan@Example.org"):
        [message] = mailbox.to(spelling)
        assert message["To"] == spelling
        text = mailbox.text_of(message)
        assert link_in(text)
        assert manage_link_in(text)  # the same mailbox: it may manage the signature too
    assert len(mailbox.messages) == 3


def test_a_link_to_another_mailbox_can_confirm_but_not_manage(client, campaign, mailbox):
    """A fresh link goes to the address just typed, the same person to us; where that is
    another mailbox, the mail carries no link to unmask or withdraw the signature, only the
    confirmation, which can count it or show less of it."""
    sign(client, **{**VICTIM, "display": "full"})
    sign(client, **{**VICTIM, "display": "full", "email": "ivan+x@example.org"})
    submit_form(client, "/en/free-them/resend", email="Ivan+Y@example.org")
    send_mail()
    for spelling in ("ivan+x@example.org", "Ivan+Y@example.org"):
        [message] = mailbox.to(spelling)
        for body in (mailbox.text_of(message), mailbox.html_of(message)):
            assert "/en/confirm/" in link_in(body)
            assert "/signature/" not in body
    [original] = mailbox.to("ivan@example.org")
    assert manage_link_in(mailbox.text_of(original))

    other = mailbox.to("ivan+x@example.org")[0]
    assert confirm_link(client, link_in(mailbox.text_of(other))).status_code == 302
    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.FULL
    assert open_details(signature.sealed, CUSTODIAN).email == "ivan@example.org"


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
