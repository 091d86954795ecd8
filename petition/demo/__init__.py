"""Demo data: the People First campaign, loaded by `flask demo load`."""

from __future__ import annotations

from sqlalchemy import select

from petition.demo.people_first import TEXTS
from petition.extensions import db
from petition.models import Campaign, CampaignStatus, CampaignText

SLUG = "people-first"


def load_demo() -> Campaign:
    """Create or refresh the People First campaign; running it twice changes nothing."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
    if campaign is None:
        campaign = Campaign(slug=SLUG, status=CampaignStatus.OPEN)
        db.session.add(campaign)
    for lang, fields in TEXTS.items():
        text = campaign.texts.get(lang) or CampaignText(lang=lang)
        for name, value in fields.items():
            setattr(text, name, value)
        campaign.texts[lang] = text
    db.session.flush()
    return campaign
