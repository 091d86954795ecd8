"""An organisation's representative: readable while staff may have to answer them, sealed
once the review decision has been mailed to them.

From sign-on on, the row keeps keyed hashes of the address (`rep_email_hash`: one
organisation per representative; `rep_mailbox_hash`: later mail only to the mailbox that
signed on) and its domain (the review's trust signals). The name, role and address as typed
stay readable while the organisation is pending or awaiting review: staff answer questions
and the decision mail needs the address. Once a decision mail (`DECISION_MAILS`) has been
sent and no other is queued, `seal_informed` seals the three to the campaign's custodians and
empties the readable columns.

Why the worker calls it, after each round of sending: "mailed" means the outbox row is
marked sent, which happens in `petition.mail.sending`, a shared layer below coalition that
must not know about organisations' rules. The worker sits above both, so it sends, then
asks coalition to seal whoever has now been told. Coalition only reads the outbox table;
nothing registers a hook in mail. A worker that dies between the two steps leaves the
sealing to the next round (of any worker: the rows are claimed with SKIP LOCKED).

Representatives decided before sealing existed may have no decision mail left at all (the
retention rules remove sent mail after a week): `keys seal-existing` seals those too
(`seal_decided_batch`), every decided one with no decision mail waiting.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select

from petition import audit
from petition.campaigns.custodians import recipients
from petition.campaigns.services import CampaignHasNoCustodian
from petition.database import erase_traces
from petition.extensions import db
from petition.models import (
    Campaign,
    CustodianKey,
    Organisation,
    OrganisationStatus,
    OutboxMessage,
    OutboxStatus,
)
from petition.models.organisation import READABLE_REPRESENTATIVE
from petition.personal import Representative, address_columns, mailbox_hash, seal_details

DECISION_MAILS = ("organisation_approved", "organisation_rejected")
DECIDED = (OrganisationStatus.APPROVED, OrganisationStatus.REJECTED)
SEAL_BATCH = 100


def hashed_columns(address: str) -> dict[str, str]:
    """What stays readable of the representative's address for good (`address_columns`,
    in the representative's columns)."""
    return {f"rep_{column}": value for column, value in address_columns(address).items()}


def same_mailbox(organisation: Organisation, address: str) -> bool:
    """Whether `address` reaches the mailbox that signed the organisation on (rows from
    before the hashes were kept compare with the readable address)."""
    stored = organisation.rep_mailbox_hash
    if stored is None and organisation.rep_email:
        stored = mailbox_hash(organisation.rep_email)
    return stored is not None and stored == mailbox_hash(address)


def _decision_mail(status: OutboxStatus) -> Any:
    return exists().where(
        OutboxMessage.organisation_id == Organisation.id,
        OutboxMessage.kind.in_(DECISION_MAILS),
        OutboxMessage.status == status,
    )


def seal_informed() -> int:
    """Seal every representative whose decision mail has been sent (and no later one is
    waiting); returns how many. Commits. A campaign without a custodian key (only one from
    before keys were required) is passed over: its rows wait, readable, for a key."""
    has_key = exists().where(CustodianKey.campaign_id == Organisation.campaign_id)
    query = (
        select(Organisation)
        .where(*_decided_and_readable(), has_key, _decision_mail(OutboxStatus.SENT))
        .order_by(Organisation.id)
        .limit(SEAL_BATCH)
        .with_for_update(skip_locked=True)
    )
    sealed = _seal_all(db.session.scalars(query))
    db.session.commit()
    return sealed


def _decided_and_readable() -> tuple[ColumnElement[bool], ...]:
    """Decided, still readable, and no decision mail waiting to use the address."""
    return (
        Organisation.rep_email.is_not(None),
        Organisation.status.in_(DECIDED),
        ~_decision_mail(OutboxStatus.QUEUED),
    )


def _seal_all(organisations: Iterable[Organisation]) -> int:
    sealed = sum(seal_representative(organisation) for organisation in organisations)
    if sealed:
        erase_traces()
    return sealed


def decided_readable_count(campaign: Campaign) -> int:
    """How many of the campaign's decided representatives are still readable with no
    decision mail waiting (what `seal_decided_batch` seals)."""
    query = select(func.count()).where(
        Organisation.campaign_id == campaign.id, *_decided_and_readable()
    )
    return db.session.scalar(query) or 0


def seal_decided_batch(campaign: Campaign, size: int = SEAL_BATCH) -> int:
    """Seal up to `size` of the campaign's decided representatives that are still readable
    and have no decision mail waiting, whether one was sent or none is left (the caller
    commits); returns how many. Pending ones stay readable: staff must answer them.
    CampaignHasNoCustodian if there is no key to seal to."""
    if not recipients(campaign):
        raise CampaignHasNoCustodian(campaign.slug)
    query = (
        select(Organisation)
        .where(Organisation.campaign_id == campaign.id, *_decided_and_readable())
        .order_by(Organisation.id)
        .limit(size)
        .with_for_update()
    )
    return _seal_all(db.session.scalars(query))


def record_representatives_sealed(campaign: Campaign, count: int) -> None:
    audit.record(
        "campaign.representatives_sealed",
        actor=None,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"{count} representative(s) sealed",
    )


def seal_representative(organisation: Organisation) -> bool:
    """Seal the readable representative to the campaign's custodians and empty the columns;
    False (and nothing changed) when there is no address left or no key to seal to."""
    keys = recipients(organisation.campaign)
    address = organisation.rep_email
    if not keys or not address:
        return False
    representative = Representative(
        name=organisation.rep_name or "", role=organisation.rep_role or "", email=address
    )
    organisation.rep_sealed = seal_details(representative, keys)
    for column, value in hashed_columns(address).items():
        setattr(organisation, column, value)
    for column in READABLE_REPRESENTATIVE:
        setattr(organisation, column, None)
    return True
