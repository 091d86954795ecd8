"""An organisation's representative: readable while staff may have to answer them, sealed
once the review decision has been mailed to them, or once nothing more will be.

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

A custodian reads them back with `unseal --organisations` (`unsealed_representatives`):
sealed ones opened with their key, readable ones as they are, so the file has every one.

No decision mail ever reaches some representatives, so they are sealed as soon as nothing
is left to tell them: a duplicate merged into another organisation and one that withdrew
(`GONE`) at that moment (`seal_if_nothing_waits`, in the same transaction), or, if a mail
addressed by their readable address still waits (a confirmation link, a decision mail
sent before they left), once it has gone; and one whose decision mail the outbox gave up
on (refused for good, or out of attempts), as if it had been sent: keeping the address
readable would keep it for good, since nothing would ever seal it. The worker's pass
(`seal_informed`) covers the cases that wait for mail to go.

Representatives decided, merged or withdrawn before this existed may have no mail left at
all (the retention rules remove sent mail after a week): `keys seal-existing` seals those
too (`seal_decided_batch`), every one with no mail to their address waiting.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from pyrage import x25519
from sqlalchemy import ColumnElement, Row, and_, exists, func, or_, select

from petition import audit
from petition.campaigns.custodians import recipients
from petition.campaigns.services import CampaignHasNoCustodian
from petition.cells import inert_cell
from petition.database import erase_traces, in_id_batches
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
from petition.personal import (
    Representative,
    address_columns,
    mailbox_hash,
    open_representative,
    seal_details,
)
from petition.sealing import CannotUnseal, recipient_of
from petition.signing.unsealing import KeyCannotOpen, moment_cell

DECISION_MAILS = ("organisation_approved", "organisation_rejected")
DECIDED = (OrganisationStatus.APPROVED, OrganisationStatus.REJECTED)
# Out of the coalition without a decision mail: nothing more will be mailed about them.
GONE = (OrganisationStatus.MERGED, OrganisationStatus.WITHDRAWN)
# A decision mail in one of these is done with: sent, or given up on for good.
DONE = (OutboxStatus.SENT, OutboxStatus.FAILED)
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


def _decision_mail(*statuses: OutboxStatus) -> Any:
    return exists().where(
        OutboxMessage.organisation_id == Organisation.id,
        OutboxMessage.kind.in_(DECISION_MAILS),
        OutboxMessage.status.in_(statuses),
    )


def _mail_to_the_readable_address_waits() -> Any:
    """A queued mail to the representative that carries no address of its own: it is
    addressed, when sent, by the readable one (a confirmation link, a decision mail)."""
    return exists().where(
        OutboxMessage.organisation_id == Organisation.id,
        OutboxMessage.status == OutboxStatus.QUEUED,
        OutboxMessage.recipient.is_(None),
    )


def seal_informed() -> int:
    """Seal every representative who has been told all they will be told: decided, with a
    decision mail sent or given up on (and no later one waiting), or merged or withdrawn
    with no mail to their address waiting; returns how many. Commits. A campaign without a
    custodian key (only one from before keys were required) is passed over: its rows wait,
    readable, for a key."""
    has_key = exists().where(CustodianKey.campaign_id == Organisation.campaign_id)
    told = and_(Organisation.status.in_(DECIDED), _decision_mail(*DONE))
    query = (
        select(Organisation)
        .where(
            *_done_with_and_readable(),
            has_key,
            or_(told, Organisation.status.in_(GONE)),
        )
        .order_by(Organisation.id)
        .limit(SEAL_BATCH)
        .with_for_update(skip_locked=True)
    )
    sealed = _seal_all(db.session.scalars(query))
    db.session.commit()
    return sealed


def seal_if_nothing_waits(organisation: Organisation) -> bool:
    """Seal a merged or withdrawn organisation's representative now, in the caller's
    transaction, unless a mail to their readable address still waits (the worker then
    seals them once it has gone); whether they were sealed."""
    if organisation.status not in GONE or organisation.rep_email is None:
        return False
    db.session.flush()
    waiting = select(Organisation.id).where(
        Organisation.id == organisation.id, _mail_to_the_readable_address_waits()
    )
    if db.session.scalar(waiting) is not None:
        return False
    return _seal_all([organisation]) == 1


def _done_with_and_readable() -> tuple[ColumnElement[bool], ...]:
    """Decided, merged or withdrawn; still readable; and no mail waiting to use the
    address (a decision mail, or any mail addressed by the readable address)."""
    return (
        Organisation.rep_email.is_not(None),
        Organisation.status.in_((*DECIDED, *GONE)),
        ~_decision_mail(OutboxStatus.QUEUED),
        ~_mail_to_the_readable_address_waits(),
    )


def _seal_all(organisations: Iterable[Organisation]) -> int:
    sealed = sum(seal_representative(organisation) for organisation in organisations)
    if sealed:
        erase_traces()
    return sealed


def decided_readable_count(campaign: Campaign) -> int:
    """How many of the campaign's decided, merged or withdrawn representatives are still
    readable with no mail to them waiting (what `seal_decided_batch` seals)."""
    query = select(func.count()).where(
        Organisation.campaign_id == campaign.id, *_done_with_and_readable()
    )
    return db.session.scalar(query) or 0


def seal_decided_batch(campaign: Campaign, size: int = SEAL_BATCH) -> int:
    """Seal up to `size` of the campaign's decided, merged or withdrawn representatives
    that are still readable and have no mail to them waiting, whether a decision mail was
    sent or none is left (the caller commits); returns how many. Pending ones and those
    awaiting review stay readable: staff must answer them.
    CampaignHasNoCustodian if there is no key to seal to."""
    if not recipients(campaign):
        raise CampaignHasNoCustodian(campaign.slug)
    query = (
        select(Organisation)
        .where(Organisation.campaign_id == campaign.id, *_done_with_and_readable())
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


# --- unsealing, for a custodian --------------------------------------------------------

# The representative as typed first, then what matches a row with the staff console.
UNSEALED_COLUMNS = (
    "organisation",
    "name",
    "role",
    "email",
    "status",
    "decided_at",
    "id",
    "country",
    "lang",
)
ROWS_PER_BATCH = 1000

_READ = (
    Organisation.id,
    Organisation.name,
    Organisation.rep_sealed,
    Organisation.rep_name,
    Organisation.rep_role,
    Organisation.rep_email,
    Organisation.status,
    Organisation.reviewed_at,
    Organisation.country,
    Organisation.lang,
)


def _with_representative(campaign_id: int) -> tuple[ColumnElement[bool], ...]:
    """The campaign's organisations that still have a representative (sealed or not):
    retention's erasure leaves none."""
    return (
        Organisation.campaign_id == campaign_id,
        or_(Organisation.rep_sealed.is_not(None), Organisation.rep_email.is_not(None)),
    )


def representatives_count(campaign: Campaign) -> int:
    """How many representatives an unsealing lists (for a progress bar)."""
    query = select(func.count()).where(*_with_representative(campaign.id))
    return db.session.scalar(query) or 0


def unsealed_representatives(campaign: Campaign, identity: x25519.Identity) -> Iterator[list[str]]:
    """Every organisation of the campaign that has a representative, oldest first, as CSV
    cells in UNSEALED_COLUMNS' order, each safe to open in a spreadsheet. KeyCannotOpen at
    the first sealed representative `identity` cannot open. Read in batches, each in a
    transaction of its own (a job of the command line)."""
    query = select(*_READ).where(*_with_representative(campaign.id))
    for batch in in_id_batches(query, Organisation.id, ROWS_PER_BATCH):
        db.session.commit()
        for row in batch:
            person = _representative(row, identity)
            cells = (
                row.name,
                person.name,
                person.role,
                person.email,
                row.status.value,
                moment_cell(row.reviewed_at),
                str(row.id),
                row.country,
                row.lang,
            )
            yield [inert_cell(cell) for cell in cells]


def _representative(row: Row[*tuple[Any, ...]], identity: x25519.Identity) -> Representative:
    if row.rep_sealed is None:  # not decided and mailed yet: readable
        return Representative(name=row.rep_name or "", role=row.rep_role or "", email=row.rep_email)
    try:
        return open_representative(row.rep_sealed, identity)
    except CannotUnseal as error:
        raise KeyCannotOpen(row.id, "the representative of organisation") from error


def record_representatives_unsealed(
    campaign: Campaign, identity: x25519.Identity, count: int
) -> None:
    """Audit an unsealing of representatives: how many, and which custodian's key."""
    audit.record(
        "campaign.representatives_unsealed",
        actor=None,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"{count} representative(s) with the key {recipient_of(identity)}",
    )
