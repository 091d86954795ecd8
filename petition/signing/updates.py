"""Campaign updates: news mailed only to confirmed signers who asked for it."""

from __future__ import annotations

import secrets

from sqlalchemy import JSON, ColumnElement, func, insert, literal, select
from sqlalchemy.exc import IntegrityError

from petition import audit
from petition.extensions import db
from petition.models import (
    Campaign,
    CampaignStatus,
    CampaignUpdate,
    OutboxMessage,
    OutboxStatus,
    Signature,
    SignatureStatus,
    StaffUser,
)
from petition.models.types import UTCDateTime, str_enum, utcnow

# A subject is one line in an inbox list; a body is a short letter, not a newsletter.
SUBJECT_MAX = 150
BODY_MAX = 10_000


class CampaignIsDraft(Exception):
    """A draft has no signers yet: there is nobody to send an update to."""


class UpdateAlreadySent(Exception):
    """An update with this idempotency key was recorded already (a repeated confirmation)."""


def new_idempotency_key() -> str:
    return secrets.token_urlsafe(24)


def _recipients(campaign: Campaign, lang: str) -> tuple[ColumnElement[bool], ...]:
    """Who gets an update in `lang`: confirmed signers in that language who asked for news."""
    return (
        Signature.campaign_id == campaign.id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.wants_updates.is_(True),
        Signature.lang == lang,
    )


def count_recipients(campaign: Campaign, lang: str) -> int:
    query = select(func.count()).select_from(Signature).where(*_recipients(campaign, lang))
    return db.session.scalar(query) or 0


def queue_update(campaign: Campaign, lang: str, *, subject: str, body: str) -> int:
    """Queue one update mail per consenting signer whose language is `lang`, in one statement.

    The worker renders each mail, with its own unsubscribe link, when it sends it."""
    now = utcnow()
    recipients = select(
        literal("campaign_update"),
        literal(lang),
        Signature.id,
        literal({"subject": subject, "body": body}, JSON),
        literal(OutboxStatus.QUEUED, str_enum(OutboxStatus, "outbox_status")),
        literal(0),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
    ).where(*_recipients(campaign, lang))
    columns = ["kind", "lang", "signature_id", "payload", "status", "attempts"]
    columns += ["next_attempt_at", "created_at"]
    db.session.execute(insert(OutboxMessage).from_select(columns, recipients))
    return db.session.scalar(select(func.count()).select_from(recipients.subquery())) or 0


def send_update(
    campaign: Campaign,
    lang: str,
    *,
    subject: str,
    body: str,
    idempotency_key: str,
    actor: StaffUser | None,
) -> CampaignUpdate:
    """Record the update, queue its mails and audit it, once per `idempotency_key`.

    The record is flushed first, in a savepoint: a second request with the same key (even
    one running at the same moment) fails on the unique key before it queues anything, and
    raises UpdateAlreadySent. A closed campaign may still send news (its delivery, say)."""
    if campaign.status is CampaignStatus.DRAFT:
        raise CampaignIsDraft(campaign.slug)
    update = CampaignUpdate(
        campaign_id=campaign.id,
        lang=lang,
        subject=subject,
        body=body,
        idempotency_key=idempotency_key,
        created_by_id=actor.id if actor else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(update)
    except IntegrityError as error:
        raise UpdateAlreadySent(idempotency_key) from error
    update.recipients = queue_update(campaign, lang, subject=subject, body=body)
    audit.record(
        "campaign.update_queued",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"lang={lang}; recipients={update.recipients}; update={update.id}"
        + ("" if actor else " (command line)"),
    )
    db.session.flush()
    return update
