"""A campaign's custodians: the public keys its signer data is sealed to.

Registering a key is audited; the key's private half never reaches the server (the
command line writes it to the operator's file and forgets it).
"""

from __future__ import annotations

from sqlalchemy import select

from petition import audit
from petition.extensions import db
from petition.models import Campaign, CustodianKey, StaffUser
from petition.sealing import parse_recipient


class KeyAlreadyAdded(Exception):
    """The campaign already seals to this recipient."""


def custodian_keys(campaign: Campaign) -> list[CustodianKey]:
    query = select(CustodianKey).where(CustodianKey.campaign_id == campaign.id)
    return list(db.session.scalars(query.order_by(CustodianKey.created_at, CustodianKey.id)))


def recipients(campaign: Campaign) -> list[str]:
    """Every recipient the campaign's signer data is sealed to (any one can read it)."""
    return [key.recipient for key in custodian_keys(campaign)]


def add_custodian_key(campaign: Campaign, text: str, *, actor: StaffUser | None) -> CustodianKey:
    """Register a custodian's public key (`age1…`); raises sealing.NotARecipient for anything
    else and KeyAlreadyAdded for a key the campaign has."""
    recipient = parse_recipient(text)
    if recipient in recipients(campaign):
        raise KeyAlreadyAdded(recipient)
    key = CustodianKey(campaign_id=campaign.id, recipient=recipient)
    db.session.add(key)
    db.session.flush()
    audit.record(
        "campaign.custodian_key_added",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=recipient,
    )
    return key
