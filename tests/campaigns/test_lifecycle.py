"""A campaign's life through its service: each step records its audit entry, closing
stores the moment, reopening clears it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from petition.campaigns import services
from petition.campaigns.custodians import add_custodian_key
from petition.extensions import db
from petition.models import AuditEvent, Campaign, CampaignStatus, Role
from petition.models.types import utcnow
from petition.sealing import new_identity, recipient_of
from tests.factories import make_campaign, make_staff

NO_DATES = services.Schedule(opens_on=None, last_day=None, goal=None)
TEXT = services.TextFields(
    title="Bring them home", summary="A summary.", statement="We ask.", demands="1. Free them."
)


def events(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def change_status(campaign: Campaign, status: CampaignStatus, actor=None) -> list[str]:
    new = services.Settings(campaign.slug, status, services.schedule_of(campaign))
    changed = services.update_campaign(campaign, new, actor=actor)
    db.session.commit()
    return changed


def test_creating_writing_and_opening_each_record_who_did_it(app):
    moderator = make_staff(Role.MODERATOR)
    campaign = services.create_campaign("bring-them-home", NO_DATES, actor=moderator)
    assert services.update_text(campaign, "en", TEXT, actor=moderator) == [
        "title",
        "summary",
        "statement",
        "demands",
    ]
    add_custodian_key(campaign, recipient_of(new_identity()), actor=None)
    assert change_status(campaign, CampaignStatus.OPEN, moderator) == ["status draft→open"]

    (created,) = events("campaign.created")
    (written,) = events("campaign.text_updated")
    (opened,) = events("campaign.updated")
    assert (created.detail, written.detail, opened.detail) == (
        "slug=bring-them-home",
        "lang=en; title, summary, statement, demands",
        "status draft→open",
    )
    for event in (created, written, opened):
        assert (event.actor_id, event.object_type) == (moderator.id, "campaign")
        assert event.object_id == str(campaign.id)


def test_a_campaign_opens_only_once_it_has_a_custodian_to_seal_signers_data_to(app):
    campaign = services.create_campaign("bring-them-home", NO_DATES, actor=None)
    services.update_text(campaign, "en", TEXT, actor=None)
    db.session.commit()
    with pytest.raises(services.CampaignHasNoCustodian):
        change_status(campaign, CampaignStatus.OPEN)
    db.session.rollback()
    assert db.session.get(Campaign, campaign.id).status is CampaignStatus.DRAFT
    assert events("campaign.updated") == []

    add_custodian_key(campaign, recipient_of(new_identity()), actor=None)
    assert change_status(campaign, CampaignStatus.OPEN) == ["status draft→open"]


def test_nothing_changed_records_nothing(app):
    campaign = make_campaign()
    assert change_status(campaign, CampaignStatus.OPEN) == []
    assert (
        services.update_text(campaign, "en", services.text_fields(campaign, "en"), actor=None) == []
    )
    assert events("campaign.updated") == events("campaign.text_updated") == []


def test_closing_stores_the_moment_and_reopening_clears_it(app, clock):
    campaign = make_campaign()
    assert campaign.closed_at is None

    closed_at = utcnow()
    assert change_status(campaign, CampaignStatus.CLOSED) == ["status open→closed"]
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).closed_at == closed_at

    clock.advance(days=3)
    change_status(campaign, CampaignStatus.OPEN)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).closed_at is None

    clock.advance(days=4)
    closed_again = utcnow()
    change_status(campaign, CampaignStatus.CLOSED)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).closed_at == closed_again
    assert closed_again - closed_at == timedelta(days=7)


def test_a_refused_change_stores_no_closing(app):
    draft = make_campaign("a-draft", CampaignStatus.DRAFT)
    with pytest.raises(services.StatusChangeNotAllowed):
        change_status(draft, CampaignStatus.CLOSED)
    db.session.rollback()
    assert db.session.get(Campaign, draft.id).closed_at is None
    assert events("campaign.updated") == []
