"""Staff sending a campaign update: write it, preview it with its count, confirm it once.

The preview issues the confirmation's idempotency key: a random nonce, signed together
with what was previewed. Sending checks the signature, so a confirmation whose key or text
was changed on the way is refused, and records the nonce under a unique constraint, so the
same confirmation sent again (a double click, a reload, two staff members) mails once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from flask import current_app
from itsdangerous import Signer
from sqlalchemy import select

from petition.extensions import db
from petition.mail.messages import render_email
from petition.models import Campaign, CampaignStatus, CampaignUpdate, StaffUser
from petition.signing.updates import (
    CampaignIsDraft,
    count_recipients,
    new_idempotency_key,
    send_update,
)

# Stands in for each signer's private link in the preview: there is no signer to link to.
PREVIEW_TOKEN = "personal-link"  # noqa: S105 (not a secret)


class ConfirmationInvalid(Exception):
    """The key is forged, or the update differs from the one it was issued for."""


@dataclass(frozen=True)
class UpdateDraft:
    lang: str
    subject: str
    body: str


@dataclass(frozen=True)
class UpdatePreview:
    subject: str
    text: str
    recipients: int
    key: str


def preview_update(campaign: Campaign, draft: UpdateDraft) -> UpdatePreview:
    """The mail as signers in `draft.lang` will get it, how many they are, and the key."""
    if campaign.status is CampaignStatus.DRAFT:
        raise CampaignIsDraft(campaign.slug)
    email = render_email(
        "campaign_update",
        "",
        draft.lang,
        campaign=campaign,
        text=campaign.text(draft.lang),
        subject=draft.subject,
        body=draft.body,
        manage_token=PREVIEW_TOKEN,
    )
    nonce = new_idempotency_key()
    return UpdatePreview(
        subject=email.subject,
        text=email.text,
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
