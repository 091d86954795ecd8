"""Campaign updates: news mailed only to confirmed signers who asked for it.

Staff write an update, preview it with its count, and confirm it once; the command line
sends one directly. Each signer can stop updates, from the manage page or by the one-click
unsubscribe link every update carries.

The preview issues the confirmation's idempotency key: a random nonce, signed together
with what was previewed. Sending checks the signature, so a confirmation whose key or text
was changed on the way is refused, and records the nonce under a unique constraint, so the
same confirmation sent again (a double click, a reload, two staff members) mails once.

The console sends to at most UPDATE_CONSOLE_MAX_RECIPIENTS signers (TooManyForTheConsole),
checked at the preview and again at the send: it opens and queues every recipient within
one web request, which the server's time limit would cut short. The command line has no
such limit.

Signers' addresses are sealed (petition/personal.py): sending needs a custodian's identity,
given for that one send (an uploaded key file, or `--identity` on the command line). It is
used in memory to open each recipient's details and is kept nowhere; the addresses it opens
sit in the outbox only until their mail is sent.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from itsdangerous import Signer
from pyrage import x25519
from sqlalchemy import ColumnElement, Row, func, insert, select
from sqlalchemy.exc import IntegrityError

from petition import audit
from petition.database import in_id_batches
from petition.extensions import db
from petition.models import (
    Campaign,
    CampaignStatus,
    CampaignUpdate,
    OutboxMessage,
    Signature,
    SignatureStatus,
    StaffUser,
    TokenPurpose,
)
from petition.personal import open_details
from petition.sealing import CannotUnseal
from petition.signing.reminders import cancel_reminder
from petition.signing.self_service import (
    lock_signature,
    manageable_signature,
    signature_of_link,
)

# A subject is one line in an inbox list; a body is a short letter, not a newsletter.
SUBJECT_MAX = 150
BODY_MAX = 10_000
# Recipients opened and queued per INSERT: few round trips, little memory at any size.
QUEUE_BATCH = 500


class CampaignIsDraft(Exception):
    """A draft has no signers yet: there is nobody to send an update to."""


class UpdateAlreadySent(Exception):
    """An update with this idempotency key was recorded already (a repeated confirmation)."""


class ConfirmationInvalid(Exception):
    """The key is forged, or the update differs from the one it was issued for."""


class WrongCustodianKey(Exception):
    """The custodian identity given cannot open a recipient's sealed details: nothing was
    queued or recorded, so the same confirmation may be sent again with the right key."""


class TooManyForTheConsole(Exception):
    """More recipients than the console sends an update to: the command line sends it.
    Nothing was queued or recorded."""

    def __init__(self, recipients: int, limit: int) -> None:
        super().__init__(f"{recipients} recipients, more than {limit}")
        self.recipients = recipients
        self.limit = limit


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
    """Who gets an update in `lang`: confirmed signers in that language who asked for news,
    and whose details are sealed (a withdrawn or erased signature has none to open)."""
    return (
        Signature.campaign_id == campaign.id,
        Signature.status == SignatureStatus.CONFIRMED,
        Signature.wants_updates.is_(True),
        Signature.lang == lang,
        Signature.sealed.is_not(None),
    )


def count_recipients(campaign: Campaign, lang: str) -> int:
    query = select(func.count()).select_from(Signature).where(*_recipients(campaign, lang))
    return db.session.scalar(query) or 0


def console_recipients(campaign: Campaign, lang: str) -> int:
    """How many signers an update from the console would go to; TooManyForTheConsole if
    that is more than UPDATE_CONSOLE_MAX_RECIPIENTS."""
    recipients = count_recipients(campaign, lang)
    limit = int(current_app.config["UPDATE_CONSOLE_MAX_RECIPIENTS"])
    if recipients > limit:
        raise TooManyForTheConsole(recipients, limit)
    return recipients


def queue_update(
    campaign: Campaign, lang: str, *, subject: str, body: str, identity: x25519.Identity
) -> int:
    """Queue one update mail per consenting signer whose language is `lang`, addressed to
    the address they typed, opened with the custodian's `identity`; how many were queued.

    Raises WrongCustodianKey at the first recipient the identity cannot open, possibly
    after queuing others: the caller runs this in a savepoint (see `send_update`). The
    worker renders each mail, with its own unsubscribe link, when it sends it."""
    payload = {"subject": subject, "body": body}
    queued = 0
    for batch in _sealed_recipients(campaign, lang):
        rows = [_update_mail(lang, row, payload, identity) for row in batch]
        db.session.execute(insert(OutboxMessage.__table__), rows)
        queued += len(rows)
    return queued


def _sealed_recipients(campaign: Campaign, lang: str) -> Iterator[Sequence[Row[int, bytes | None]]]:
    """The recipients' (id, sealed) in batches of QUEUE_BATCH: each batch is read after the
    previous one is queued, so memory stays flat however many there are."""
    query = select(Signature.id, Signature.sealed).where(*_recipients(campaign, lang))
    return in_id_batches(query, Signature.id, QUEUE_BATCH)


def _update_mail(
    lang: str, row: Row[int, bytes | None], payload: dict[str, str], identity: x25519.Identity
) -> dict[str, Any]:
    """The outbox row of one recipient's update, to the address in their sealed details."""
    try:
        details = open_details(row.sealed, identity)
    except CannotUnseal as error:
        raise WrongCustodianKey from error
    return {
        "kind": "campaign_update",
        "lang": lang,
        "recipient": details.email,
        "signature_id": row.id,
        "payload": payload,
    }


def send_update(
    campaign: Campaign,
    lang: str,
    *,
    subject: str,
    body: str,
    identity: x25519.Identity,
    idempotency_key: str,
    actor: StaffUser | None,
) -> CampaignUpdate:
    """Record the update, queue its mails and audit it, once per `idempotency_key`.

    The record is flushed first, in a savepoint: a second request with the same key (even
    one running at the same moment) fails on the unique key before it queues anything, and
    raises UpdateAlreadySent. A custodian `identity` that cannot open every recipient
    raises WrongCustodianKey and rolls the record back with the mails queued so far, so
    the same confirmation can be sent again with the right identity. A closed campaign may
    still send news (its delivery, say)."""
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
    with db.session.begin_nested():
        _record_once(update)
        update.recipients = queue_update(
            campaign, lang, subject=subject, body=body, identity=identity
        )
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


def _record_once(update: CampaignUpdate) -> None:
    """Write the record now; UpdateAlreadySent if its idempotency key was recorded before."""
    try:
        with db.session.begin_nested():
            db.session.add(update)
    except IntegrityError as error:
        raise UpdateAlreadySent(update.idempotency_key) from error


def preview_update(campaign: Campaign, draft: UpdateDraft) -> UpdatePreview:
    """How many signers in `draft.lang` the update would go to, and the key to send it by
    from the console; TooManyForTheConsole if they are more than it sends to."""
    if campaign.status is CampaignStatus.DRAFT:
        raise CampaignIsDraft(campaign.slug)
    nonce = new_idempotency_key()
    return UpdatePreview(
        recipients=console_recipients(campaign, draft.lang),
        key=f"{nonce}.{_seal(campaign, draft, nonce)}",
    )


def confirmation_preview(campaign: Campaign, draft: UpdateDraft, key: str) -> UpdatePreview:
    """The preview `key` was issued by, again (the same key, the count as it is now), for a
    confirmation to correct: one sent with a key file that was not the custodian's, say.
    ConfirmationInvalid if the key does not belong to this draft."""
    _nonce_of(campaign, draft, key)
    return UpdatePreview(recipients=console_recipients(campaign, draft.lang), key=key)


def send_confirmed(
    campaign: Campaign,
    draft: UpdateDraft,
    key: str,
    *,
    identity: x25519.Identity,
    actor: StaffUser,
) -> CampaignUpdate:
    """Queue the previewed update; UpdateAlreadySent if this confirmation was sent before,
    WrongCustodianKey (nothing sent) if `identity` cannot open the signers' details,
    TooManyForTheConsole (nothing sent) if signers who joined since the preview make them
    more than the console sends to."""
    nonce = _nonce_of(campaign, draft, key)
    console_recipients(campaign, draft.lang)
    return send_update(
        campaign,
        draft.lang,
        subject=draft.subject,
        body=draft.body,
        identity=identity,
        idempotency_key=nonce,
        actor=actor,
    )


def _nonce_of(campaign: Campaign, draft: UpdateDraft, key: str) -> str:
    """The idempotency nonce of a key issued for `draft`; ConfirmationInvalid otherwise."""
    nonce, _, seal = key.partition(".")
    if not nonce or not _signer().verify_signature(_sealed(campaign, draft, nonce), seal):
        raise ConfirmationInvalid
    return nonce


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
    """No more mail of any kind they did not ask for: updates, and a reminder to confirm."""
    signature = lock_signature(signature)
    signature.wants_updates = False
    cancel_reminder(signature.id)
    db.session.flush()
    return signature
