"""Invented test data, built through the models."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import Integer, String, column, insert, table

from petition.campaigns.custodians import add_custodian_key, recipients
from petition.extensions import db
from petition.models import (
    Campaign,
    CampaignStatus,
    CampaignText,
    Display,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
    Signature,
    SignatureStatus,
)
from petition.models.types import UTCDateTime, utcnow
from petition.personal import Details, Representative, address_columns, person_columns, seal_details
from petition.sealing import new_identity, recipient_of
from petition.staff.auth import add_staff, hash_password

# Every test campaign seals to this custodian; tests open what was sealed with it.
CUSTODIAN = new_identity()


def make_campaign(
    slug: str = "free-them", status: CampaignStatus = CampaignStatus.OPEN
) -> Campaign:
    campaign = Campaign(slug=slug, status=status)
    db.session.add(campaign)
    return complete_campaign(campaign)


def campaign_texts() -> list[CampaignText]:
    """The test campaign's texts, in en, uk and ru."""
    titles = {"en": "Free them all", "uk": "Звільніть усіх", "ru": "Освободите всех"}
    return [
        CampaignText(
            lang=lang,
            title=title,
            summary=f"{title}: a test campaign.",
            statement=f"We ask for **{title.lower()}**.",
            demands="1. Release the detainees.\n2. Return the children.",
        )
        for lang, title in titles.items()
    ]


def complete_campaign(campaign: Campaign) -> Campaign:
    """Give a campaign the test texts in en, uk and ru and a custodian key, and commit."""
    for text in campaign_texts():
        campaign.texts[text.lang] = text
    db.session.flush()
    add_custodian_key(campaign, recipient_of(CUSTODIAN), actor=None)
    db.session.commit()
    return campaign


# The campaign table as migrations before 0011 left it (the model has more columns since).
CAMPAIGN_BEFORE_0011 = table(
    "campaign",
    column("id", Integer),
    column("slug", String),
    column("status", String),
    column("created_at", UTCDateTime()),
)


def add_campaign_before_0011(campaign_id: int = 1, slug: str = "free-them") -> int:
    """An open campaign row, inserted as a schema before 0011 takes it."""
    row = {"id": campaign_id, "slug": slug, "status": "open", "created_at": utcnow()}
    with db.engine.begin() as connection:
        connection.execute(insert(CAMPAIGN_BEFORE_0011), [row])
    return campaign_id


STAFF_PASSWORD = "correct horse battery staple"


def make_staff(role: Role = Role.ADMIN, email: str | None = None, *, enrolled: bool = True):
    """An active staff account with a password and (unless told otherwise) TOTP enrolled,
    set up before the test begins: the audit trail holds none of its set-up."""
    account = add_staff(email or f"{role.value}@staff.example.org", role)
    account.user.password_hash = hash_password(STAFF_PASSWORD)
    if enrolled:
        account.user.totp_enrolled_at = utcnow()
    db.session.commit()
    return account.user


_signers = itertools.count(1)


def make_signature(campaign: Campaign, **fields: Any) -> Signature:
    """A committed signature row with invented details, sealed as signing seals them;
    `name`, `email` and `city` are what the signer typed, and `fields` override any column."""
    number = next(_signers)
    email = fields.pop("email", None) or f"person{number}@example.org"
    name = fields.pop("name", None) or f"Person {number}"
    details = Details(name=name, email=email, city=fields.pop("city", None))
    display = fields.pop("display", None) or Display.FULL
    values: dict[str, Any] = {
        "campaign_id": campaign.id,
        **person_columns(details, display, recipients(campaign)),
        "country": "UA",
        "display": display,
        "lang": "en",
        "statement_sha256": "0" * 64,
        "status": SignatureStatus.CONFIRMED,
        **{key: value for key, value in fields.items() if value is not None},
    }
    signature = Signature(**values)
    db.session.add(signature)
    db.session.commit()
    return signature


_organisations = itertools.count(1)


def make_organisation(campaign: Campaign, *, sealed: bool = True, **fields: Any) -> Organisation:
    """A committed organisation with an invented representative (`rep_name`, `rep_role`,
    `rep_email`): sealed to the campaign's keys as once its decision mail has gone, or
    readable (`sealed=False`) as before; `fields` override any column."""
    number = next(_organisations)
    representative = Representative(
        name=fields.pop("rep_name", f"Representative {number}"),
        role=fields.pop("rep_role", "Director"),
        email=fields.pop("rep_email", f"rep{number}@org{number}.example.org"),
    )
    hashes = {f"rep_{name}": value for name, value in address_columns(representative.email).items()}
    if sealed:
        person = {"rep_sealed": seal_details(representative, recipients(campaign))}
    else:
        person = {
            "rep_name": representative.name,
            "rep_role": representative.role,
            "rep_email": representative.email,
        }
    values: dict[str, Any] = {
        "campaign_id": campaign.id,
        "name": f"Invented Group {number}",
        "country": "UA",
        "kind": OrganisationKind.HUMAN_RIGHTS,
        "listing": Listing.PUBLIC,
        "status": OrganisationStatus.APPROVED,
        "lang": "en",
        "statement_sha256": "0" * 64,
        **hashes,
        **person,
        **fields,
    }
    organisation = Organisation(**values)
    db.session.add(organisation)
    db.session.commit()
    return organisation
