"""A campaign's custodians: the public keys its signer data is sealed to.

Registering and removing a key are audited; the key's private half never reaches the
server (the command line writes it to the operator's file and forgets it). A key removed
no longer seals anything new, but what was sealed while it was registered still opens
with it until `petition.campaigns.resealing` seals it again to the keys that remain.
"""

from __future__ import annotations

from sqlalchemy import select

from petition import audit
from petition.extensions import db
from petition.models import Campaign, CampaignStatus, CustodianKey, StaffUser
from petition.sealing import parse_recipient


class KeyAlreadyAdded(Exception):
    """The campaign already seals to this recipient."""


class KeyNotRegistered(Exception):
    """The campaign does not seal to this recipient."""


class LastKey(Exception):
    """The campaign's only key: without one, nothing new could be sealed (signatures,
    representatives once mailed) and a campaign that is not a draft needs one."""


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


def remove_custodian_key(campaign: Campaign, text: str, *, actor: StaffUser | None) -> str:
    """Stop sealing to a custodian's public key (lost or compromised) and return it in its
    canonical spelling; sealing.NotARecipient for anything but a key, KeyNotRegistered for
    a key the campaign does not have, LastKey for the only key of a campaign that is not a
    draft (an open campaign seals every signature; a closed one still seals representatives
    and is resealed to its keys)."""
    recipient = parse_recipient(text)
    # Two removals at once must not each leave the other's key as the last one.
    db.session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    keys = custodian_keys(campaign)
    removed = next((key for key in keys if key.recipient == recipient), None)
    if removed is None:
        raise KeyNotRegistered(recipient)
    if len(keys) == 1 and campaign.status is not CampaignStatus.DRAFT:
        raise LastKey(recipient)
    db.session.delete(removed)
    db.session.flush()
    audit.record(
        "campaign.custodian_key_removed",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=recipient,
    )
    return recipient
