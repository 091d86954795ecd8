"""Invented test data, built through the models."""

from __future__ import annotations

from petition.extensions import db
from petition.models import Campaign, CampaignStatus, CampaignText


def make_campaign(
    slug: str = "free-them", status: CampaignStatus = CampaignStatus.OPEN
) -> Campaign:
    campaign = Campaign(slug=slug, status=status)
    titles = {"en": "Free them all", "uk": "Звільніть усіх", "ru": "Освободите всех"}
    for lang, title in titles.items():
        campaign.texts[lang] = CampaignText(
            lang=lang,
            title=title,
            summary=f"{title}: a test campaign.",
            statement=f"We ask for **{title.lower()}**.",
            demands="1. Release the detainees.\n2. Return the children.",
        )
    db.session.add(campaign)
    db.session.commit()
    return campaign
