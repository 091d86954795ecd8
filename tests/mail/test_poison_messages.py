"""A message that breaks while it is built or sent fails alone: the worker goes on with the
rest of its batch and the queue, and the message is not tried again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from petition.extensions import db
from petition.mail.outbox import enqueue
from petition.mail.sending import deliver_due
from petition.models import OutboxMessage, OutboxStatus
from tests.factories import make_campaign, make_signature
from tests.mail.test_outbox import make_due_now, queue_signatures


@pytest.fixture
def campaign(app):
    return make_campaign()


def queue_poison(campaign) -> dict[int, str]:
    """One message of each kind that once stopped the worker; their ids and what they are."""
    wants_updates = make_signature(campaign, wants_updates=True)
    non_ascii = make_signature(campaign, email="иван@example.com")
    poison = {
        "a local part the server cannot take": {
            "kind": "confirm_signature",
            "recipient": "иван@example.com",
            "signature_id": non_ascii.id,
        },
        "a subject no header can carry": {
            "kind": "campaign_update",
            "recipient": "person@example.org",
            "signature_id": wants_updates.id,
            "payload": {"subject": "Новини \udc80", "body": "Текст"},
        },
        "a payload its builder cannot read": {
            "kind": "staff_password_link",
            "payload": ["not", "a", "mapping"],
        },
        "a kind that has no builder": {
            "kind": "no_such_message",
            "recipient": "иван@example.com",
            "signature_id": non_ascii.id,
        },
    }
    queued = {}
    for what, message in poison.items():
        enqueue(message.pop("kind"), lang="en", **message)  # type: ignore[arg-type]
        queued[db.session.scalar(select(func.max(OutboxMessage.id)))] = what
    db.session.commit()
    return queued


def test_poison_messages_fail_alone_and_the_rest_of_the_queue_goes_out(campaign, mailbox):
    queue_signatures(campaign, 2)  # good mail before the poison, and after it
    poison = queue_poison(campaign)
    queue_signatures(campaign, 2, first=2)

    assert deliver_due() == 4 + len(poison)

    arrived = sorted(str(message["To"]) for message in mailbox.messages)
    assert arrived == [f"signer{number}@example.org" for number in range(4)]
    db.session.expire_all()
    for message_id, what in poison.items():
        row = db.session.get(OutboxMessage, message_id)
        assert row is not None
        assert row.status is OutboxStatus.FAILED, what
        assert row.last_error, what
        assert row.last_error != "nobody left to deliver to", what  # it broke, as meant to
        assert "@" not in row.last_error, what
        for typed in ("иван", "Новини", "Текст"):  # nothing a signer or staff member typed
            assert typed not in row.last_error, what
        assert row.recipient is None
        assert row.payload == {}
    make_due_now()
    assert deliver_due() == 0  # failed for good: not tried again
