"""Invented example organisations for the demo coalition (no real group's details)."""

from __future__ import annotations

from sqlalchemy import select

from petition.coalition.partners import new_partner_code
from petition.coalition.representatives import hashed_columns
from petition.coalition.services import website_domain
from petition.extensions import db
from petition.models import (
    Campaign,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
)
from petition.models.types import utcnow
from petition.personal import normalise_email

# (name, original-script name, country, kind, listing, founding, representative's language)
ORGANISATIONS = (
    (
        "Open Doors Legal Aid",
        "Відкриті двері — правова допомога",
        "UA",
        OrganisationKind.HUMAN_RIGHTS,
        Listing.PUBLIC,
        True,
        "uk",
    ),
    (
        "Baltic Solidarity Network",
        None,
        "LT",
        OrganisationKind.HUMANITARIAN,
        Listing.PUBLIC,
        True,
        "en",
    ),
    (
        "Free Word Circle",
        "Круг свободного слова",
        "DE",
        OrganisationKind.MEDIA,
        Listing.PUBLIC,
        False,
        "ru",
    ),
    (
        "Vistula Human Rights Clinic",
        None,
        "PL",
        OrganisationKind.ACADEMIC,
        Listing.PUBLIC,
        False,
        "en",
    ),
    ("Fjord Journalists' Union", None, "NO", OrganisationKind.UNION, Listing.PUBLIC, False, "en"),
    (
        "Quiet Harbour Initiative",
        "Тихая гавань",
        "RU",
        OrganisationKind.HUMAN_RIGHTS,
        Listing.COUNTED,
        False,
        "ru",
    ),
)


def load_organisations(campaign: Campaign) -> None:
    """Approved example members, one counted only; matched by their invented address."""
    for name, original, country, kind, listing, founding, lang in ORGANISATIONS:
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        email = f"contact@{slug}.example.org"
        key = normalise_email(email)
        known = db.session.scalar(
            select(Organisation.id).where(
                Organisation.campaign_id == campaign.id,
                Organisation.rep_email_normalised == key,
            )
        )
        if known is not None:
            continue
        website = f"https://{slug}.example.org"
        db.session.add(
            Organisation(
                campaign=campaign,
                name=name,
                name_original=original,
                country=country,
                kind=kind,
                website=website,
                website_domain=website_domain(website),
                rep_name="Demo Representative",
                rep_role="Coordinator",
                rep_email=email,
                rep_email_normalised=key,
                **hashed_columns(email),
                listing=listing,
                status=OrganisationStatus.APPROVED,
                partner_code=new_partner_code(),
                founding=founding,
                lang=lang,
                statement_sha256=campaign.text(lang).sha256,
                confirmed_at=utcnow(),
                reviewed_at=utcnow(),
            )
        )
