"""Demo data: the People First campaign, loaded by `flask demo load`."""

from __future__ import annotations

from sqlalchemy import select

from petition.campaigns.services import save_text
from petition.demo.organisations import load_organisations
from petition.demo.people_first import TEXTS
from petition.demo.targets import load_targets
from petition.extensions import db
from petition.models import Campaign, CampaignStatus

SLUG = "people-first"


def load_demo() -> Campaign:
    """Create or refresh People First, its negotiating parties and example members; idempotent."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
    if campaign is None:
        campaign = Campaign(slug=SLUG, status=CampaignStatus.OPEN)
        db.session.add(campaign)
    for lang, fields in TEXTS.items():
        save_text(
            campaign,
            lang,
            title=fields["title"],
            summary=fields["summary"],
            statement=fields["statement"],
            demands=fields["demands"],
        )
    load_targets(campaign)
    db.session.flush()
    load_organisations(campaign)
    db.session.flush()
    return campaign
