"""Mail a signer or an organisation gets must not give them away to whoever sees the inbox
(a subject, a preview line, a sender's name): the campaign and the organisation are named
only inside, further down."""

from __future__ import annotations

from pathlib import Path

import pytest

from petition.coalition import review
from petition.config import Settings
from petition.extensions import db
from petition.models import Listing, OrganisationStatus, Role
from tests.delivery.outputs import add_organisation
from tests.factories import make_campaign, make_staff
from tests.mailbox import Mailbox
from tests.pages import confirm_link, link_in, send_mail, sign

TITLE = "Free them all"  # the test campaign's English title
SECRET_GROUP = "Quiet Canary Group"
PREVIEW = 120  # characters an inbox shows of a message's first lines, and more


def preview(body: str) -> str:
    """The start of a message as an inbox list shows it: its first lines run together."""
    return " ".join(body.split())[:PREVIEW]


def html_preview(html: str) -> str:
    body = html.split("<body", 1)[1]
    return preview(" ".join(part.split(">", 1)[-1] for part in body.split("<")))


@pytest.fixture
def campaign(app):
    return make_campaign()


def test_the_confirmation_mail_names_the_campaign_only_below_its_first_lines(
    client, campaign, mailbox: Mailbox
):
    sign(client, email="olena@example.org")
    send_mail()
    [message] = mailbox.to("olena@example.org")
    text, html = mailbox.text_of(message), mailbox.html_of(message)
    assert TITLE not in message["Subject"]
    assert TITLE not in preview(text)
    assert TITLE not in html_preview(html)
    assert TITLE not in html.split("</title>")[0]
    assert TITLE in text  # still said, lower down: the signer should know what they confirm
    assert TITLE in html
    assert text.index("/confirm/") < text.index(TITLE)


def test_the_already_signed_mail_names_the_campaign_only_below_its_first_lines(
    client, campaign, mailbox: Mailbox
):
    sign(client, email="olena@example.org")
    send_mail()
    confirm_link(client, link_in(mailbox.text_of(mailbox.to("olena@example.org")[0])))
    mailbox.clear()
    sign(client, email="olena@example.org")
    send_mail()
    [message] = mailbox.to("olena@example.org")
    text, html = mailbox.text_of(message), mailbox.html_of(message)
    assert "already confirmed" in preview(text)
    for shown in (message["Subject"], preview(text), html_preview(html)):
        assert TITLE not in shown
        assert campaign.slug not in shown  # the campaign's address names it too
    assert TITLE in text
    assert TITLE in html


def decided(campaign, mailbox: Mailbox, decision: str) -> tuple[str, str, str]:
    moderator = make_staff(Role.MODERATOR)
    organisation = add_organisation(
        campaign,
        SECRET_GROUP,
        listing=Listing.COUNTED,
        status=OrganisationStatus.AWAITING_REVIEW,
        rep_email="rep@quiet.example",
    )
    db.session.commit()
    seen = OrganisationStatus.AWAITING_REVIEW.value
    if decision == "approve":
        review.approve(organisation.id, seen_status=seen, actor=moderator)
    else:
        review.reject(organisation.id, seen_status=seen, reason="Not verified.", actor=moderator)
    db.session.commit()
    assert send_mail() == 1
    [message] = mailbox.to("rep@quiet.example")
    return message["Subject"], mailbox.text_of(message), mailbox.html_of(message)


@pytest.mark.parametrize(
    ("decision", "subject"),
    [
        ("approve", "Your organisation's signature is approved"),
        ("reject", "Your organisation's signature was not approved"),
    ],
)
def test_a_review_decision_names_neither_organisation_nor_campaign_up_front(
    campaign, mailbox, decision, subject
):
    """A group that asked to be counted only did so because being named is dangerous."""
    sent_subject, text, html = decided(campaign, mailbox, decision)
    assert sent_subject == subject
    for name in (SECRET_GROUP, TITLE):
        assert name not in preview(text), name
        assert name not in html_preview(html), name
        assert name not in html.split("</title>")[0], name
    assert SECRET_GROUP in text  # inside, the representative learns which entry it is about


def test_the_default_sender_says_nothing_of_petitions(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("MAIL_DEFAULT_SENDER", raising=False)
    sender = Settings.from_env(tmp_path, secret_key="x" * 32).MAIL_DEFAULT_SENDER
    assert sender == "Notifications <no-reply@localhost>"
    assert "petition" not in sender.casefold()
    monkeypatch.setenv("MAIL_DEFAULT_SENDER", "Mail <mail@neutral.example>")
    assert Settings.from_env(tmp_path, secret_key="x" * 32).MAIL_DEFAULT_SENDER == (
        "Mail <mail@neutral.example>"
    )
