"""Joining the coalition, confirming, and the representative's self-service."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from petition.campaigns.counts import counts_changed
from petition.coalition.logos import store_logo
from petition.coalition.representatives import (
    hashed_columns,
    same_mailbox,
    seal_if_nothing_waits,
)
from petition.extensions import db
from petition.mail.outbox import enqueue
from petition.models import (
    Campaign,
    LinkToken,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    TokenPurpose,
)
from petition.models.types import utcnow
from petition.personal import email_hash, normalise_email
from petition.tokens import LinkExpired, LinkInvalid, find_token

# Statuses in which an organisation has joined and still counts.
JOINED = (OrganisationStatus.APPROVED,)


@dataclass(frozen=True)
class PublicDetails:
    name: str
    name_original: str | None
    website: str | None
    statement: str | None
    listing: Listing


@dataclass(frozen=True)
class Membership:
    details: PublicDetails
    country: str
    kind: OrganisationKind
    rep_name: str
    rep_role: str
    rep_email: str
    lang: str
    statement_sha256: str


def website_domain(url: str | None) -> str | None:
    """The site's host without `www.`, to compare organisations and email domains."""
    host = urlsplit(url or "").hostname
    return host.removeprefix("www.") if host else None


def request_membership(campaign: Campaign, wish: Membership, logo: bytes | None) -> None:
    """Record a sign-on and queue the fitting mail; the page never tells which case it was.

    A new representative address gets a confirmation link; a pending one a fresh link
    (up to the cap); an organisation already confirmed gets a note with a link to manage
    its entry. Whoever knows the address can submit it, so a later sign-on never changes
    what the first one gave: only the holder of a manage link changes the entry.
    """
    organisation = _find(campaign, wish.rep_email)
    if organisation is None:
        organisation = _insert(campaign, wish)
        if organisation is not None:
            _replace_logo(organisation, logo)
            _queue(organisation, "confirm_organisation")
            return
        organisation = _find(campaign, wish.rep_email)
    if organisation is None:
        return
    if organisation.status is OrganisationStatus.PENDING:
        _queue(organisation, "confirm_organisation")
    else:
        _queue_manage_link(organisation, wish.rep_email)


def _find(campaign: Campaign, address: str) -> Organisation | None:
    """The organisation `address` represents: by the keyed hash, or, for a row signed on
    before the hashes were kept (and not sealed since), by the readable normalised address."""
    legacy = and_(
        Organisation.rep_email_hash.is_(None),
        Organisation.rep_email_normalised == normalise_email(address),
    )
    query = (
        select(Organisation)
        .where(
            Organisation.campaign_id == campaign.id,
            or_(Organisation.rep_email_hash == email_hash(address), legacy),
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(query)


def _insert(campaign: Campaign, wish: Membership) -> Organisation | None:
    organisation = Organisation(
        campaign=campaign,
        rep_email_normalised=normalise_email(wish.rep_email),
        **hashed_columns(wish.rep_email),
        country=wish.country,
        kind=wish.kind,
        rep_name=wish.rep_name,
        rep_role=wish.rep_role,
        rep_email=wish.rep_email,
        lang=wish.lang,
        statement_sha256=wish.statement_sha256,
    )
    apply_public_details(organisation, wish.details)
    try:
        with db.session.begin_nested():
            db.session.add(organisation)
    except IntegrityError:
        return None
    return organisation


def apply_public_details(organisation: Organisation, details: PublicDetails) -> None:
    organisation.name = details.name
    organisation.name_original = details.name_original or None
    organisation.website = details.website or None
    organisation.website_domain = website_domain(details.website)
    organisation.statement = details.statement or None
    organisation.listing = details.listing


def _replace_logo(organisation: Organisation, logo: bytes | None) -> None:
    """Store a new logo under a new name; the old file stays until no row refers to it,
    so a rolled-back change never leaves a row pointing at a deleted file."""
    if logo is not None:
        organisation.logo = store_logo(logo)


def _queue(organisation: Organisation, kind: str, recipient: str | None = None) -> None:
    """Queue a mail to the representative, at most `CONFIRM_LINKS_PER_SIGNATURE` of them;
    to `recipient`, or else to the readable address."""
    if organisation.links_sent >= current_app.config["CONFIRM_LINKS_PER_SIGNATURE"]:
        return
    organisation.links_sent += 1
    enqueue(kind, lang=organisation.lang, recipient=recipient, organisation=organisation)


def _queue_manage_link(organisation: Organisation, address: str) -> None:
    """A manage link to the address just typed, only if it reaches the mailbox that signed
    on (`a+b@` is not `a@` at every provider), as with signatures' "already signed": the
    stored address may be sealed by now, and is never needed."""
    if same_mailbox(organisation, address):
        _queue(organisation, "organisation_manage_link", recipient=address)


def request_manage_link(campaign: Campaign, email: str, lang: str) -> None:
    """Mail a self-service link, in `lang`, if this address represents a joined organisation;
    else nothing. The organisation keeps the language it joined in."""
    organisation = _find(campaign, email)
    if organisation is None or organisation.status not in (
        OrganisationStatus.AWAITING_REVIEW,
        OrganisationStatus.APPROVED,
        OrganisationStatus.REJECTED,
    ):
        return
    if same_mailbox(organisation, email):  # as `_queue_manage_link`, but uncapped
        enqueue("organisation_manage_link", lang=lang, recipient=email, organisation=organisation)


def confirmable_organisation(raw_token: str) -> Organisation:
    return _organisation_behind(find_token(raw_token, TokenPurpose.CONFIRM_ORGANISATION))


def confirm_membership(raw_token: str) -> Organisation:
    """The representative confirms their address; the organisation now awaits review."""
    token = find_token(raw_token, TokenPurpose.CONFIRM_ORGANISATION, for_update=True)
    organisation = _organisation_behind(token)
    if token is not None and organisation.status is OrganisationStatus.PENDING:
        now = utcnow()
        token.used_at = now
        organisation.status = OrganisationStatus.AWAITING_REVIEW
        organisation.confirmed_at = now
    return organisation


def _organisation_behind(token: LinkToken | None) -> Organisation:
    if token is None or token.organisation is None:
        raise LinkInvalid
    organisation = token.organisation
    if organisation.status is not OrganisationStatus.PENDING:
        return organisation  # confirming again is harmless: the page says where it stands
    if token.used_at is not None:
        raise LinkInvalid
    if token.expires_at <= utcnow():
        raise LinkExpired(organisation.campaign)
    return organisation


def manageable_organisation(
    raw_token: str, *, for_update: bool = False
) -> tuple[LinkToken, Organisation]:
    """The organisation a self-service link is for, while the link is unused and fresh."""
    token = find_token(raw_token, TokenPurpose.MANAGE_ORGANISATION, for_update=for_update)
    if token is None or token.organisation is None or token.used_at is not None:
        raise LinkInvalid
    organisation = token.organisation
    if organisation.status in (OrganisationStatus.WITHDRAWN, OrganisationStatus.MERGED):
        raise LinkInvalid
    if token.expires_at <= utcnow():
        raise LinkExpired(organisation.campaign)
    return token, organisation


def update_public_details(
    raw_token: str, details: PublicDetails, logo: bytes | None
) -> Organisation:
    """The representative changes what the public sees; the link is then used up."""
    token, organisation = manageable_organisation(raw_token, for_update=True)
    token.used_at = utcnow()
    apply_public_details(organisation, details)
    _replace_logo(organisation, logo)
    counts_changed(organisation.campaign_id)
    return organisation


def withdraw(raw_token: str) -> Organisation:
    """Leave the coalition: off the list, out of the counts and of every later package.
    Nothing more will be mailed to the representative, so they are sealed now (or once a
    mail to them still waiting has gone)."""
    token, organisation = manageable_organisation(raw_token, for_update=True)
    now = utcnow()
    token.used_at = now
    organisation.status = OrganisationStatus.WITHDRAWN
    organisation.withdrawn_at = now
    seal_if_nothing_waits(organisation)
    counts_changed(organisation.campaign_id)
    return organisation


@dataclass(frozen=True)
class Coalition:
    founding: list[Organisation]
    by_country: dict[str, list[Organisation]]
    unnamed: int

    @property
    def named(self) -> int:
        return len(self.founding) + sum(len(group) for group in self.by_country.values())


def public_organisations(campaign_id: int, limit: int | None = None) -> list[Organisation]:
    """Approved organisations that chose to be named: founding first, then by name."""
    query = (
        select(Organisation)
        .where(
            Organisation.campaign_id == campaign_id,
            Organisation.status.in_(JOINED),
            Organisation.listing == Listing.PUBLIC,
        )
        .order_by(Organisation.founding.desc(), func.lower(Organisation.name))
        .limit(limit)
    )
    return list(db.session.scalars(query))


def unnamed_count(campaign_id: int) -> int:
    query = select(func.count()).where(
        Organisation.campaign_id == campaign_id,
        Organisation.status.in_(JOINED),
        Organisation.listing == Listing.COUNTED,
    )
    return db.session.scalar(query) or 0


def coalition(campaign_id: int, country_order: list[str]) -> Coalition:
    """The public list: founding organisations first, the rest grouped by country."""
    founding, by_country = [], defaultdict(list)
    for organisation in public_organisations(campaign_id):
        if organisation.founding:
            founding.append(organisation)
        else:
            by_country[organisation.country].append(organisation)
    ordered = {code: by_country[code] for code in country_order if code in by_country}
    return Coalition(founding, ordered, unnamed_count(campaign_id))
