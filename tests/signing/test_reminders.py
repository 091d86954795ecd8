"""One reminder to a signer who has not confirmed: once, with a fresh link, never to a signer
whom signing may endanger, and no address kept once it is not needed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import OutboxMessage, OutboxStatus, Signature, SignatureStatus
from petition.signing.reminders import REMINDER, schedule_reminders
from petition.worker import run_worker
from tests.factories import make_campaign
from tests.mailbox import Mailbox
from tests.pages import confirm_link, link_in, sign, submit_form

ADDRESS = "anna.reminder@example.org"


@pytest.fixture
def app_config():
    return {"CONFIRM_REMINDER_HOURS": 24}


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    db.session.commit()
    return campaign


def worker_round() -> None:
    run_worker(once=True)
    db.session.expire_all()


def addresses_held() -> list[str]:
    """Every address the outbox still holds, queued or not."""
    return [r for r in db.session.scalars(select(OutboxMessage.recipient)) if r is not None]


def reminders() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == REMINDER)))


def subjects(mailbox: Mailbox, address: str) -> list[str]:
    return [message["Subject"] for message in mailbox.to(address)]


def test_one_reminder_goes_out_after_a_day_with_a_fresh_link_and_never_again(
    client, campaign, mailbox: Mailbox, clock
):
    sign(client, email=ADDRESS, country="PL")
    worker_round()
    assert subjects(mailbox, ADDRESS) == ["Confirm your signature"]

    clock.advance(hours=23)
    worker_round()
    assert len(mailbox.to(ADDRESS)) == 1  # not yet

    clock.advance(hours=2)
    for _ in range(3):
        worker_round()
    clock.advance(hours=48)
    worker_round()

    assert subjects(mailbox, ADDRESS) == [
        "Confirm your signature",
        "Your signature is not confirmed yet",
    ]
    first, reminder = (link_in(mailbox.text_of(m)) for m in mailbox.to(ADDRESS))
    assert first != reminder
    assert addresses_held() == []  # sent, and forgotten
    assert confirm_link(client, reminder).status_code == 302
    assert db.session.scalar(select(Signature.status)) is SignatureStatus.CONFIRMED


def test_confirming_drops_the_reminder_and_its_address_at_once(
    client, campaign, mailbox: Mailbox, clock
):
    sign(client, email=ADDRESS, country="PL")
    worker_round()
    assert [r.recipient for r in reminders()] == [ADDRESS]

    [message] = mailbox.to(ADDRESS)
    confirm_link(client, link_in(mailbox.text_of(message)))

    assert reminders() == []
    assert addresses_held() == []
    clock.advance(hours=25)
    worker_round()
    assert len(mailbox.to(ADDRESS)) == 1


def test_asking_for_a_new_link_replaces_the_reminder(client, campaign, mailbox: Mailbox, clock):
    sign(client, email=ADDRESS, country="PL")
    worker_round()
    submit_form(client, "/en/free-them/resend", email=ADDRESS)

    assert reminders() == []
    clock.advance(hours=25)
    worker_round()
    assert subjects(mailbox, ADDRESS) == ["Confirm your signature"] * 2


@pytest.mark.parametrize(
    ("country", "address"),
    [
        ("RU", "ivan@example.org"),
        ("BY", "ales@example.org"),
        ("UA", "oksana@example.org"),
        ("DE", "pavel@mail.ru"),
    ],
)
@pytest.mark.usefixtures("campaign")
def test_no_reminder_and_no_address_kept_for_a_signer_at_risk(
    client, mailbox: Mailbox, clock, country, address
):
    sign(client, email=address, country=country, display="anonymous")
    worker_round()

    assert reminders() == []
    assert addresses_held() == []
    clock.advance(hours=25)
    worker_round()
    assert len(mailbox.to(address)) == 1


def test_two_workers_scheduling_the_same_batch_queue_one_reminder(client, campaign):
    sign(client, email=ADDRESS, country="PL")
    [confirmation] = db.session.scalars(select(OutboxMessage.id))

    assert schedule_reminders([confirmation]) == 1
    schedule_reminders([confirmation])

    assert len(reminders()) == 1


@pytest.mark.parametrize("app_config", [{}])
def test_no_reminders_unless_the_operator_turns_them_on(
    client, campaign, mailbox: Mailbox, clock, app_config
):
    sign(client, email=ADDRESS, country="PL")
    worker_round()

    assert reminders() == []
    assert addresses_held() == []
    clock.advance(hours=49)
    worker_round()
    assert len(mailbox.to(ADDRESS)) == 1
    assert db.session.scalar(select(OutboxMessage.status)) is OutboxStatus.SENT


def test_the_privacy_page_says_a_reminder_holds_the_address(client, app):
    page = client.get("/en/privacy").get_data(as_text=True)

    assert "If you have not confirmed after 24 hours, we send you one reminder" in page


@pytest.mark.parametrize("app_config", [{}])
def test_the_privacy_page_says_nothing_of_reminders_when_there_are_none(client, app, app_config):
    assert "reminder" not in client.get("/en/privacy").get_data(as_text=True)
