"""Organisation review: the staff-side decisions on an organisation and the transitions
they may take (approve, reject, edit details, founding, merge).

Each decision locks the organisation, refuses a transition that makes no sense or a page
that is out of date, and does its side effects in the same transaction: the audit event,
any mail to the representative, and marking the campaign's counts stale. The caller
commits: a console view, the CLI or a test all get the same effects.

A representative's address is sealed once a decision has been mailed to them (or the
outbox gave up on it), or when their organisation is merged into another
(`coalition.representatives`), or erased by retention: a later decision cannot be mailed,
so none is queued (`mails_decision`), and the review page says so before staff decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from petition import audit
from petition.campaigns.counts import counts_changed
from petition.coalition.logos import delete_logo_after_commit, store_logo
from petition.coalition.partners import give_partner_code
from petition.coalition.representatives import DECISION_MAILS, seal_if_nothing_waits
from petition.coalition.services import PublicDetails, apply_public_details
from petition.extensions import db
from petition.mail.outbox import enqueue
from petition.models import (
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    OutboxMessage,
    OutboxStatus,
    StaffUser,
)
from petition.models.types import utcnow

REASON_MAX_LENGTH = 500

# --- transitions -----------------------------------------------------------------------

APPROVABLE = frozenset({OrganisationStatus.AWAITING_REVIEW, OrganisationStatus.REJECTED})
REJECTABLE = frozenset({OrganisationStatus.AWAITING_REVIEW, OrganisationStatus.APPROVED})
EDITABLE = frozenset(
    {
        OrganisationStatus.PENDING,
        OrganisationStatus.AWAITING_REVIEW,
        OrganisationStatus.APPROVED,
        OrganisationStatus.REJECTED,
    }
)
FOUNDING_MARKABLE = frozenset({OrganisationStatus.AWAITING_REVIEW, OrganisationStatus.APPROVED})
MERGEABLE = EDITABLE  # what may be folded into another organisation
KEEPABLE = frozenset({OrganisationStatus.AWAITING_REVIEW, OrganisationStatus.APPROVED})


class ReviewError(Exception):
    """A decision that cannot be taken; nothing was changed."""


class StatusChanged(ReviewError):
    """Someone changed the organisation since the moderator's page was shown."""

    def __init__(self, organisation: Organisation) -> None:
        super().__init__(f"organisation {organisation.id} is {organisation.status}")
        self.organisation = organisation


class NotAllowed(ReviewError):
    """The decision does not apply to an organisation in its current status."""

    def __init__(self, organisation: Organisation, action: str) -> None:
        super().__init__(f"cannot {action} organisation {organisation.id} ({organisation.status})")
        self.organisation = organisation
        self.action = action


class CannotKeep(ReviewError):
    """The organisation chosen to keep in a merge is not one this one can be folded into."""


class NamingNotAllowed(ReviewError):
    """Only the organisation may choose to be named: staff never turn 'counted' into 'public'."""


def allowed_actions(organisation: Organisation) -> frozenset[str]:
    """The decisions the review page offers for the organisation as it is now."""
    status = organisation.status
    allowed = set()
    if status in APPROVABLE:
        allowed.add("approve")
    if status in REJECTABLE:
        allowed.add("reject")
    if status in EDITABLE:
        allowed.add("edit")
    if status in FOUNDING_MARKABLE or organisation.founding:
        allowed.add("founding")
    if status in MERGEABLE:
        allowed.add("merge")
    return frozenset(allowed)


def mails_decision(organisation: Organisation) -> bool:
    """Whether a decision about the organisation is mailed to its representative: only
    while their address is readable (not sealed since an earlier decision, nor erased)."""
    return organisation.rep_email is not None


NOT_MAILED = "not mailed (the representative's address is sealed or erased)"


def _mail_decision(
    organisation: Organisation, kind: str, detail: str, payload: dict[str, str] | None = None
) -> str:
    """Queue the decision mail if it can be addressed; the audit detail, which says when
    it could not."""
    if not mails_decision(organisation):
        return f"{NOT_MAILED}; {detail}"
    enqueue(kind, lang=organisation.lang, organisation=organisation, payload=payload)
    return detail


def _locked(organisation_id: int) -> Organisation | None:
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _take(organisation_id: int, seen_status: str, action: str) -> Organisation:
    """The organisation, locked; raises unless it is as the moderator saw it and `action`
    applies to it. LookupError if there is no such organisation."""
    organisation = _locked(organisation_id)
    if organisation is None:
        raise LookupError(organisation_id)
    if organisation.status.value != seen_status:
        raise StatusChanged(organisation)
    if action not in allowed_actions(organisation):
        raise NotAllowed(organisation, action)
    return organisation


def _decided(organisation: Organisation, status: OrganisationStatus, actor: StaffUser) -> None:
    organisation.status = status
    organisation.reviewed_by_id = actor.id
    organisation.reviewed_at = utcnow()
    _withdraw_unsent_decision_mails(organisation)


def _withdraw_unsent_decision_mails(organisation: Organisation) -> None:
    """A new decision supersedes the mail about an earlier one that has not gone out yet
    (a moderator who rejects by mistake and approves a minute later sends one mail, not
    two that contradict each other). The superseded reason is erased with it."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.organisation_id == organisation.id,
            OutboxMessage.kind.in_(DECISION_MAILS),
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .values(
            status=OutboxStatus.FAILED,
            last_error="superseded by a later decision",
            recipient=None,
            payload={},
        )
        .execution_options(synchronize_session=False)
    )


def _changed(organisation: Organisation) -> None:
    """Every decision may change the campaign's public list and counts: both are worked
    out afresh once it commits."""
    counts_changed(organisation.campaign_id)
    db.session.flush()


def _record(organisation: Organisation, action: str, actor: StaffUser, detail: str = "") -> None:
    audit.record(
        f"organisation.{action}",
        actor=actor,
        object_type="organisation",
        object_id=organisation.id,
        detail=detail,
    )


def approve(organisation_id: int, *, seen_status: str, actor: StaffUser) -> Organisation:
    """The organisation joins: counted, listed if it chose so, given its share link, and its
    representative is mailed a link to manage the entry (if their address is readable)."""
    organisation = _take(organisation_id, seen_status, "approve")
    _decided(organisation, OrganisationStatus.APPROVED, actor)
    organisation.rejection_reason = None
    give_partner_code(organisation)
    detail = _mail_decision(
        organisation, "organisation_approved", f"campaign={organisation.campaign_id}"
    )
    _record(organisation, "approved", actor, detail)
    _changed(organisation)
    return organisation


def reject(
    organisation_id: int, *, seen_status: str, reason: str, actor: StaffUser
) -> Organisation:
    """Not (or no longer) part of the coalition; the representative is told why, in their
    language (if their address is readable)."""
    organisation = _take(organisation_id, seen_status, "reject")
    _decided(organisation, OrganisationStatus.REJECTED, actor)
    organisation.rejection_reason = reason[:REASON_MAX_LENGTH]
    payload = {"reason": organisation.rejection_reason}
    detail = _mail_decision(organisation, "organisation_rejected", f"reason: {reason}", payload)
    _record(organisation, "rejected", actor, detail)
    _changed(organisation)
    return organisation


@dataclass(frozen=True)
class DetailsEdit:
    details: PublicDetails
    country: str
    kind: OrganisationKind
    logo: bytes | None = None  # a new logo, as uploaded
    remove_logo: bool = False


@dataclass(frozen=True)
class Edited:
    organisation: Organisation
    changed: list[str]  # the fields that changed; empty if the details were already so


_DETAIL_FIELDS = ("name", "name_original", "website", "statement", "listing", "country", "kind")


def edit_details(
    organisation_id: int, edit: DetailsEdit, *, seen_status: str, actor: StaffUser
) -> Edited:
    """Change what the public sees. Staff may keep an organisation from being named, but
    never name one that chose to be counted only: that is the organisation's own call.
    A logo replaced or removed is deleted once the change commits."""
    organisation = _take(organisation_id, seen_status, "edit")
    if organisation.listing is Listing.COUNTED and edit.details.listing is Listing.PUBLIC:
        raise NamingNotAllowed
    before = {name: getattr(organisation, name) for name in _DETAIL_FIELDS}
    apply_public_details(organisation, edit.details)
    organisation.country = edit.country
    organisation.kind = edit.kind
    changed = [name for name in _DETAIL_FIELDS if getattr(organisation, name) != before[name]]
    discarded = None
    if edit.logo is not None:
        discarded, organisation.logo = organisation.logo, store_logo(edit.logo)
        changed.append("logo")
    elif edit.remove_logo and organisation.logo:
        discarded, organisation.logo = organisation.logo, None
        changed.append("logo removed")
    if discarded:
        delete_logo_after_commit(discarded)
    if changed:
        _record(organisation, "details_edited", actor, "changed: " + ", ".join(changed))
    _changed(organisation)
    return Edited(organisation=organisation, changed=changed)


def set_founding(
    organisation_id: int, founding: bool, *, seen_status: str, actor: StaffUser
) -> Organisation:
    """Mark or unmark as a founding (initiating) organisation, listed first. Setting it to
    what it already is changes nothing, so a second click never undoes the first."""
    organisation = _take(organisation_id, seen_status, "founding")
    if founding and organisation.status not in FOUNDING_MARKABLE:
        raise NotAllowed(organisation, "founding")
    if organisation.founding != founding:
        organisation.founding = founding
        _record(organisation, "founding_marked" if founding else "founding_unmarked", actor)
    _changed(organisation)
    return organisation


@dataclass(frozen=True)
class Merged:
    duplicate: Organisation
    kept: Organisation


def merge(organisation_id: int, keep_id: int, *, seen_status: str, actor: StaffUser) -> Merged:
    """Fold a duplicate into the organisation kept: the duplicate leaves the list and the
    counts; the kept one stays as it is. No decision is mailed about a duplicate, so its
    representative is sealed now (or once a mail to them still waiting has gone)."""
    organisation = _take(organisation_id, seen_status, "merge")
    kept = _locked(keep_id) if keep_id != organisation_id else None
    if kept is None or kept.campaign_id != organisation.campaign_id or kept.status not in KEEPABLE:
        raise CannotKeep(keep_id)
    _decided(organisation, OrganisationStatus.MERGED, actor)
    organisation.merged_into = kept
    seal_if_nothing_waits(organisation)
    _record(organisation, "merged", actor, f"into organisation {kept.id}")
    _changed(organisation)
    return Merged(duplicate=organisation, kept=kept)
