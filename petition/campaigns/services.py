"""Finding campaigns and rendering their staff-written text."""

from __future__ import annotations

import markdown
import nh3
from flask import abort
from markupsafe import Markup
from sqlalchemy import select

from petition.extensions import db
from petition.models import Campaign, CampaignStatus

ALLOWED_TAGS = {"p", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h2", "h3", "br"}


def get_public(slug: str) -> Campaign:
    """A campaign the public may see (open or closed), or 404."""
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.slug == slug, Campaign.status != CampaignStatus.DRAFT)
    )
    if campaign is None:
        abort(404)
    return campaign


def list_public() -> list[Campaign]:
    query = (
        select(Campaign)
        .where(Campaign.status != CampaignStatus.DRAFT)
        .order_by(Campaign.status.desc(), Campaign.created_at.desc())
    )
    return list(db.session.scalars(query))


def render_markdown(source: str) -> Markup:
    """Staff-authored Markdown as HTML with only harmless tags and links."""
    html = markdown.markdown(source, output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
