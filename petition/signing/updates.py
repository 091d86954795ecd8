"""Campaign updates: news mailed only to confirmed signers who asked for it.

Staff write an update, preview it with its count, and confirm it once; the command line
sends one directly. Each signer can stop updates, from the manage page or by the one-click
unsubscribe link every update carries.

The preview issues the confirmation's idempotency key: a random nonce, signed together
with what was previewed. Sending checks the signature, so a confirmation whose key or text
was changed on the way is refused, and records the nonce under a unique constraint, so the
same confirmation sent again (a double click, a reload, two staff members) mails once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from flask import current_app
from itsdangerous import Signer
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
    TokenPurpose,
)
from petition.models.types import UTCDateTime, str_enum, utcnow
from petition.signing.self_service import (
    lock_signature,
    manageable_signature,
    signature_of_link,
)

# A subject is one line in an inbox list; a body is a short letter, not a newsletter.
SUBJECT_MAX = 150
BODY_MAX = 10_000


class CampaignIsDraft(Exception):
    """A draft has no signers yet: there is nobody to send an update to."""


class UpdateAlreadySent(Exception):
    """An update with this idempotency key was recorded already (a repeated confirmation)."""


class ConfirmationInvalid(Exception):
    """The key is forged, or the update differs from the one it was issued for."""


@dataclass(frozen=True)
class UpdateDraft:
    lang: str
    subject: str
    body: str


@dataclass(frozen=True)
class UpdatePreview:
    """How many signers the draft would go to, and the key that confirms sending it."""

    recipients: int
    key: str


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


def preview_update(campaign: Campaign, draft: UpdateDraft) -> UpdatePreview:
    """How many signers in `draft.lang` the update would go to, and the key to send it by."""
    if campaign.status is CampaignStatus.DRAFT:
        raise CampaignIsDraft(campaign.slug)
    nonce = new_idempotency_key()
    return UpdatePreview(
        recipients=count_recipients(campaign, draft.lang),
        key=f"{nonce}.{_seal(campaign, draft, nonce)}",
    )


def send_confirmed(
    campaign: Campaign, draft: UpdateDraft, key: str, *, actor: StaffUser
) -> CampaignUpdate:
    """Queue the previewed update; UpdateAlreadySent if this confirmation was sent before."""
    nonce, _, seal = key.partition(".")
    if not nonce or not _signer().verify_signature(_sealed(campaign, draft, nonce), seal):
        raise ConfirmationInvalid
    return send_update(
        campaign,
        draft.lang,
        subject=draft.subject,
        body=draft.body,
        idempotency_key=nonce,
        actor=actor,
    )


def sent_updates(campaign: Campaign) -> list[CampaignUpdate]:
    """The campaign's updates, newest first."""
    query = (
        select(CampaignUpdate)
        .where(CampaignUpdate.campaign_id == campaign.id)
        .order_by(CampaignUpdate.created_at.desc(), CampaignUpdate.id.desc())
    )
    return list(db.session.scalars(query))


def _signer() -> Signer:
    return Signer(current_app.config["SECRET_KEY"], salt="campaign-update")


def _sealed(campaign: Campaign, draft: UpdateDraft, nonce: str) -> str:
    """What the key's signature covers: the nonce, the campaign and the update's text."""
    content = json.dumps([campaign.id, draft.lang, draft.subject, draft.body])
    return f"{nonce}.{hashlib.sha256(content.encode()).hexdigest()}"


def _seal(campaign: Campaign, draft: UpdateDraft, nonce: str) -> str:
    return _signer().get_signature(_sealed(campaign, draft, nonce)).decode()


def stop_updates(raw_token: str) -> Signature:
    """From the manage page, by its link."""
    return _no_more_updates(manageable_signature(raw_token))


def unsubscribe(raw_token: str) -> Signature:
    """By a campaign update's List-Unsubscribe link (RFC 8058 one-click), whose token can
    do nothing else: mail systems log and forward headers. Works again if clicked again."""
    return _no_more_updates(signature_of_link(raw_token, TokenPurpose.STOP_UPDATES))


def _no_more_updates(signature: Signature) -> Signature:
    signature = lock_signature(signature)
    signature.wants_updates = False
    db.session.flush()
    return signature
