"""Campaign updates: news mailed only to confirmed signers who asked for it."""

from __future__ import annotations

from sqlalchemy import JSON, func, insert, literal, select

from petition.extensions import db
from petition.models import Campaign, OutboxMessage, OutboxStatus, Signature, SignatureStatus
from petition.models.types import UTCDateTime, str_enum, utcnow


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
    ).where(
        Signature.campaign_id == campaign.id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.wants_updates.is_(True),
        Signature.lang == lang,
    )
    columns = ["kind", "lang", "signature_id", "payload", "status", "attempts"]
    columns += ["next_attempt_at", "created_at"]
    db.session.execute(insert(OutboxMessage).from_select(columns, recipients))
    return db.session.scalar(select(func.count()).select_from(recipients.subquery())) or 0
