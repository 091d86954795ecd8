"""One reminder to confirm, for a signer who has not confirmed after CONFIRM_REMINDER_HOURS.

A reminder needs the signer's address a day later, and the server keeps none: the
signature's is sealed, and a mail's is forgotten once it is sent. So a reminder is a mail
queued for later, beside the first confirmation as the worker is about to send it, with a
copy of its address. That address stays readable in the outbox until the reminder is sent
or cancelled (by confirming, asking for a new link, stopping mail, withdrawing): the
exposure an operator accepts by setting CONFIRM_REMINDER_HOURS, and why it is 0 (off) by
default. Even then no reminder is ever queued for a signer whom signing may endanger
(`self_service.risk_of`: Russia, Belarus, Ukraine, a Russian mail service): for them no
address waits at all.

Never more than one: only a signature's first confirmation (no other link asked for)
schedules one, and a unique index on the outbox allows one reminder per signature.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import Insert, Select, delete, select

from petition.database import INSERTS
from petition.extensions import db
from petition.mail.outbox import CONFIRM
from petition.models import OutboxMessage, OutboxStatus, Signature, SignatureStatus
from petition.models.types import utcnow
from petition.signing.self_service import risk_of

REMINDER = "confirm_reminder"


def _hours() -> int:
    return int(current_app.config["CONFIRM_REMINDER_HOURS"])


def schedule_reminders(message_ids: list[int]) -> int:
    """Queue a reminder for each first confirmation among the outbox messages `message_ids`
    (a batch the worker has just claimed and is about to send); returns how many."""
    if not _hours() or not message_ids:
        return 0
    due = utcnow() + timedelta(hours=_hours())
    rows: list[dict[str, object]] = [
        {
            "kind": REMINDER,
            "lang": lang,
            "recipient": recipient,
            "signature_id": signature_id,
            "payload": {},
            "next_attempt_at": due,
        }
        for lang, recipient, signature_id, country, domain in db.session.execute(
            _first_confirmations(message_ids)
        )
        if risk_of(country, domain) is None
    ]
    if rows:
        db.session.execute(_insert_once(), rows)
    db.session.commit()
    return len(rows)


def _first_confirmations(
    message_ids: list[int],
) -> Select[str, str | None, int, str, str | None]:
    """The queued first confirmations among `message_ids`, with what a reminder needs."""
    return (
        select(
            OutboxMessage.lang,
            OutboxMessage.recipient,
            Signature.id,
            Signature.country,
            Signature.email_domain,
        )
        .join(Signature, OutboxMessage.signature_id == Signature.id)
        .where(
            OutboxMessage.id.in_(message_ids),
            OutboxMessage.kind == CONFIRM,
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.recipient.is_not(None),
            Signature.status == SignatureStatus.PENDING,
            Signature.links_sent == 1,
        )
    )


def _insert_once() -> Insert:
    dialect = db.session.get_bind().dialect.name
    return INSERTS[dialect](OutboxMessage).on_conflict_do_nothing(
        index_elements=["signature_id"], index_where=OutboxMessage.kind == REMINDER
    )


def cancel_reminder(signature_id: int) -> None:
    """Drop the signature's waiting reminder, and the address it holds, if it has one."""
    if _hours():
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.signature_id == signature_id,
                OutboxMessage.kind == REMINDER,
                OutboxMessage.status == OutboxStatus.QUEUED,
            )
        )
