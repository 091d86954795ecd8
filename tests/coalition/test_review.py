"""The review decisions called directly, as the CLI or any caller but the console would: each
brings its own audit entry and fresh counts. (Every decision through the console, with its
mail and pages, is in tests/staff/test_organisation_review.py.)"""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from petition.campaigns.counts import campaign_counts
from petition.coalition import review
from petition.coalition.logos import logo_folder, store_logo
from petition.coalition.services import PublicDetails
from petition.extensions import db
from petition.models import (
    AuditEvent,
    Campaign,
    Listing,
    Organisation,
    OrganisationKind,
    OrganisationStatus,
    Role,
)
from petition.models.types import utcnow
from tests.factories import make_campaign, make_staff


@pytest.fixture
def campaign(app, tmp_path):
    app.config["LOGO_FOLDER"] = str(tmp_path / "logos")
    return make_campaign()


@pytest.fixture
def moderator(app):
    return make_staff(Role.MODERATOR)


def awaiting(campaign: Campaign, name: str, **fields) -> Organisation:
    """A committed organisation that has confirmed and waits for review."""
    organisation = Organisation(
        campaign_id=campaign.id,
        name=name,
        country="UA",
        kind=OrganisationKind.HUMAN_RIGHTS,
        listing=Listing.PUBLIC,
        rep_email=f"rep@{name.lower().replace(' ', '-')}.example.org",
        rep_email_normalised=f"rep@{name.lower().replace(' ', '-')}.example.org",
        lang="en",
        statement_sha256="0" * 64,
        status=OrganisationStatus.AWAITING_REVIEW,
        confirmed_at=utcnow(),
        **fields,
    )
    db.session.add(organisation)
    db.session.commit()
    return organisation


def png_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), (160, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def audit_actions(organisation_id: int) -> list[str]:
    query = (
        select(AuditEvent.action)
        .where(AuditEvent.object_type == "organisation")
        .where(AuditEvent.object_id == str(organisation_id))
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(query))


def test_approving_outside_the_console_audits_and_refreshes_the_counts(campaign, moderator):
    organisation = awaiting(campaign, "Invented Rights Group")
    assert campaign_counts(campaign.id).organisations == 0  # now cached

    approved = review.approve(organisation.id, seen_status="awaiting_review", actor=moderator)
    db.session.commit()
    assert approved.status is OrganisationStatus.APPROVED
    assert audit_actions(organisation.id) == ["organisation.approved"]
    assert campaign_counts(campaign.id).organisations == 1


def test_a_refused_decision_changes_nothing(campaign, moderator):
    organisation = awaiting(campaign, "Invented Rights Group")
    with pytest.raises(review.StatusChanged):
        review.approve(organisation.id, seen_status="pending", actor=moderator)
    with pytest.raises(review.CannotKeep):
        review.merge(
            organisation.id, organisation.id, seen_status="awaiting_review", actor=moderator
        )
    with pytest.raises(LookupError):
        review.reject(10**9, seen_status="awaiting_review", reason="No.", actor=moderator)
    db.session.rollback()
    assert audit_actions(organisation.id) == []


def test_merging_returns_both_and_takes_the_duplicate_out_of_the_counts(campaign, moderator):
    kept = awaiting(campaign, "Center for Civil Liberties")
    duplicate = awaiting(campaign, "Center for Civil Liberties NGO")
    for organisation in (kept, duplicate):
        review.approve(organisation.id, seen_status="awaiting_review", actor=moderator)
    db.session.commit()
    assert campaign_counts(campaign.id).organisations == 2

    merged = review.merge(duplicate.id, kept.id, seen_status="approved", actor=moderator)
    db.session.commit()
    assert (merged.duplicate.id, merged.kept.id) == (duplicate.id, kept.id)
    assert merged.duplicate.status is OrganisationStatus.MERGED
    assert campaign_counts(campaign.id).organisations == 1
    assert audit_actions(duplicate.id)[-1] == "organisation.merged"


def test_a_removed_logo_is_deleted_once_the_change_commits_and_kept_if_it_rolls_back(
    campaign, moderator
):
    organisation = awaiting(campaign, "Invented Rights Group", logo=store_logo(png_logo()))
    old_logo = logo_folder() / str(organisation.logo)
    details = PublicDetails(
        name=organisation.name,
        name_original=None,
        website=None,
        statement=None,
        listing=Listing.PUBLIC,
    )
    edit = review.DetailsEdit(
        details=details, country="UA", kind=OrganisationKind.HUMAN_RIGHTS, remove_logo=True
    )

    review.edit_details(organisation.id, edit, seen_status="awaiting_review", actor=moderator)
    db.session.rollback()
    assert old_logo.exists()

    edited = review.edit_details(
        organisation.id, edit, seen_status="awaiting_review", actor=moderator
    )
    assert edited.changed == ["logo removed"]
    assert old_logo.exists()  # the row still names it until the change commits
    with db.session.begin_nested():  # a savepoint released later in the same transaction
        pass
    assert old_logo.exists()
    db.session.commit()
    assert not old_logo.exists()
    assert audit_actions(organisation.id) == ["organisation.details_edited"]
