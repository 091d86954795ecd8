"""Demo data: the People First campaign, loaded by `flask demo load`."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from petition.campaigns.custodians import add_custodian_key, custodian_keys
from petition.campaigns.services import save_text
from petition.demo.letterhead import load_letterhead
from petition.demo.organisations import load_organisations
from petition.demo.people_first import TEXTS
from petition.demo.targets import load_targets
from petition.extensions import db
from petition.models import Campaign, CampaignStatus
from petition.sealing import new_identity, recipient_of, write_identity

SLUG = "people-first"
# The demo campaign's custodian identity, in the instance folder: for development only.
DEMO_IDENTITY = "demo-custodian.key"


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
    load_letterhead(campaign)
    load_targets(campaign)
    db.session.flush()
    load_organisations(campaign)
    db.session.flush()
    return campaign


def ensure_demo_custodian(campaign: Campaign, instance: Path) -> Path | None:
    """Give the demo campaign a custodian key whose identity is written to the instance
    folder, so the demo works at once; None when it has a key already. A real campaign's
    custodians make their keys on their own machines (`flask keys new`, or `age-keygen`)."""
    if custodian_keys(campaign):
        return None
    path = instance / DEMO_IDENTITY
    path.unlink(missing_ok=True)  # a key left from an earlier database opens nothing here
    identity = new_identity()
    add_custodian_key(campaign, recipient_of(identity), actor=None)
    write_identity(identity, path)
    return path
