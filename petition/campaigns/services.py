"""Finding campaigns and rendering their staff-written text."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3
from flask import abort
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import Gone

from petition.extensions import db
from petition.models import (
    Campaign,
    CampaignStatus,
    CampaignText,
    CampaignTextVersion,
    StaffUser,
)

ALLOWED_TAGS = {"p", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h2", "h3", "br"}


def get_public(slug: str) -> Campaign:
    """A campaign the public may see (open or closed) with its texts, or 404."""
    query = (
        select(Campaign)
        .where(Campaign.slug == slug, Campaign.status != CampaignStatus.DRAFT)
        .options(joinedload(Campaign.texts))  # every public page shows one: a single query
    )
    campaign = db.session.execute(query).unique().scalar_one_or_none()
    if campaign is None:
        abort(404)
    return campaign


def get_open(slug: str) -> Campaign:
    """A campaign taking signatures; a closed one answers 410 Gone with a clear page."""
    campaign = get_public(slug)
    if not campaign.is_open:
        raise Gone
    return campaign


def list_public() -> list[Campaign]:
    query = (
        select(Campaign)
        .where(Campaign.status != CampaignStatus.DRAFT)
        .order_by(Campaign.status.desc(), Campaign.created_at.desc())
    )
    return list(db.session.scalars(query))


def save_text(
    campaign: Campaign,
    lang: str,
    *,
    title: str,
    summary: str,
    statement: str,
    demands: str,
    actor: StaffUser | None = None,
) -> CampaignText:
    """Set the campaign's text in `lang`, keeping every version signers may have seen."""
    text = campaign.texts.get(lang) or CampaignText(lang=lang)
    text.title, text.summary, text.statement, text.demands = title, summary, statement, demands
    campaign.texts[lang] = text
    sha256 = text.sha256
    known = db.session.scalar(
        select(CampaignTextVersion.id).where(
            CampaignTextVersion.campaign == campaign,
            CampaignTextVersion.lang == lang,
            CampaignTextVersion.sha256 == sha256,
        )
    )
    if known is None:
        db.session.add(
            CampaignTextVersion(
                campaign=campaign,
                lang=lang,
                sha256=sha256,
                title=title,
                summary=summary,
                statement=statement,
                demands=demands,
                created_by_id=actor.id if actor else None,
            )
        )
    return text


@lru_cache(maxsize=256)
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
