"""A campaign's whole life: creating it, its settings and status, its texts, and finding it.

Plain functions that take what they need, change the session (they flush, never commit),
record what staff did in the audit trail, and raise domain errors for the views to show.
The negotiating parties a campaign addresses are in `petition/campaigns/targets.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, timedelta
from functools import lru_cache

import markdown
import nh3
from flask import abort
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import Gone

from petition import audit
from petition.campaigns.custodians import recipients
from petition.extensions import db
from petition.i18n import LETTER_LANGUAGES
from petition.models import (
    Campaign,
    CampaignStatus,
    CampaignText,
    CampaignTextVersion,
    StaffUser,
)
from petition.models.types import utc_midnight, utcnow

ALLOWED_TAGS = {"p", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h2", "h3", "br"}

SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
SLUG_MIN, SLUG_MAX = 3, 80
# Words a public URL already uses right after the language: /<lang>/confirm/<token>.
RESERVED_SLUGS = frozenset({"confirm", "static", "api", "staff", "signature", "privacy"})

# Where a campaign may go from each status. Reopening a closed campaign is allowed (a
# deadline extended, or closed by mistake); going back to draft is not, because that would
# hide a public page and the signatures already on it.
TRANSITIONS: dict[CampaignStatus, tuple[CampaignStatus, ...]] = {
    CampaignStatus.DRAFT: (CampaignStatus.DRAFT, CampaignStatus.OPEN),
    CampaignStatus.OPEN: (CampaignStatus.OPEN, CampaignStatus.CLOSED),
    CampaignStatus.CLOSED: (CampaignStatus.CLOSED, CampaignStatus.OPEN),
}
# The public pages fall back to this language, so a campaign cannot open without it.
REQUIRED_LANG = "en"


class SettingsRefused(Exception):
    """The campaign's settings cannot be saved as asked; the subclass says why."""


class SlugInvalid(SettingsRefused):
    """The slug is not 3–80 lowercase letters, digits and inner hyphens, or is reserved."""


class SlugTaken(SettingsRefused):
    """Another campaign already uses this slug."""


class SlugLocked(SettingsRefused):
    """The slug is part of public links once a campaign has left draft."""


class StatusChangeNotAllowed(SettingsRefused):
    """The campaign cannot go from its status to the one asked for."""


class CampaignNotReady(SettingsRefused):
    """The campaign cannot open before it has its English text."""


class CampaignHasNoCustodian(SettingsRefused):
    """The campaign cannot open before it has a custodian key to seal signers' data to."""


@dataclass(frozen=True)
class Schedule:
    """A campaign's optional dates and goal, as staff enter them."""

    opens_on: date | None
    last_day: date | None
    goal: int | None


@dataclass(frozen=True)
class Settings:
    """What staff set on a campaign: its slug (only while a draft), status and schedule."""

    slug: str
    status: CampaignStatus
    schedule: Schedule


@dataclass(frozen=True)
class TextFields:
    title: str
    summary: str
    statement: str
    demands: str


# The public side


def get_public(slug: str) -> Campaign:
    """A campaign the public may see (open or closed) with its texts, or 404. A name no
    campaign can have (a NUL, a slash, too long) is a 404 before it reaches the database."""
    if len(slug) > SLUG_MAX or not SLUG_PATTERN.fullmatch(slug):
        abort(404)
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


# Settings and status


def list_campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc())))


def get_campaign(campaign_id: int) -> Campaign:
    campaign: Campaign = db.get_or_404(Campaign, campaign_id)
    return campaign


def check_slug(slug: str, *, campaign: Campaign | None = None) -> None:
    """Raise SlugInvalid or SlugTaken unless `slug` may name `campaign` (or a new one)."""
    if (
        not SLUG_MIN <= len(slug) <= SLUG_MAX
        or not SLUG_PATTERN.fullmatch(slug)
        or slug in RESERVED_SLUGS
    ):
        raise SlugInvalid(slug)
    query = select(Campaign.id).where(Campaign.slug == slug)
    if campaign is not None and campaign.id is not None:
        query = query.where(Campaign.id != campaign.id)
    if db.session.scalar(query) is not None:
        raise SlugTaken(slug)


def _flush_slug(campaign: Campaign) -> None:
    """Flush in a savepoint, so a slug taken by a concurrent request becomes SlugTaken."""
    try:
        with db.session.begin_nested():
            db.session.add(campaign)
    except IntegrityError as error:
        raise SlugTaken(campaign.slug) from error


def create_campaign(slug: str, schedule: Schedule, *, actor: StaffUser | None) -> Campaign:
    """A new draft campaign; its texts are written afterwards, one language at a time."""
    check_slug(slug)
    campaign = Campaign(slug=slug, status=CampaignStatus.DRAFT)
    _apply_schedule(campaign, schedule)
    _flush_slug(campaign)
    audit.record(
        "campaign.created",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"slug={campaign.slug}",
    )
    return campaign


def allowed_statuses(campaign: Campaign) -> tuple[CampaignStatus, ...]:
    return TRANSITIONS[campaign.status]


def update_campaign(campaign: Campaign, new: Settings, *, actor: StaffUser | None) -> list[str]:
    """Change the settings; returns what changed (as the audit trail says it), in a stable
    order. Raises a SettingsRefused if the slug or the status may not change so."""
    changed: list[str] = []
    if new.slug != campaign.slug:
        if campaign.status is not CampaignStatus.DRAFT:
            raise SlugLocked(campaign.slug)
        check_slug(new.slug, campaign=campaign)
        campaign.slug = new.slug
        changed.append("slug")
    if new.status is not campaign.status:
        _check_status_change(campaign, new.status)
        changed.append(f"status {campaign.status.value}→{new.status.value}")
        _set_status(campaign, new.status)
    before = schedule_of(campaign)
    _apply_schedule(campaign, new.schedule)
    after = schedule_of(campaign)
    changed.extend(
        f.name for f in fields(Schedule) if getattr(before, f.name) != getattr(after, f.name)
    )
    if "slug" in changed:
        _flush_slug(campaign)
    if changed:
        audit.record(
            "campaign.updated",
            actor=actor,
            object_type="campaign",
            object_id=campaign.id,
            detail="; ".join(changed),
        )
    return changed


def _check_status_change(campaign: Campaign, status: CampaignStatus) -> None:
    if status not in TRANSITIONS[campaign.status]:
        raise StatusChangeNotAllowed(f"{campaign.status} → {status}")
    if status is CampaignStatus.OPEN and REQUIRED_LANG not in campaign.texts:
        raise CampaignNotReady(campaign.slug)
    if status is CampaignStatus.OPEN and not recipients(campaign):
        raise CampaignHasNoCustodian(campaign.slug)


def _set_status(campaign: Campaign, status: CampaignStatus) -> None:
    """Retention counts from `closed_at`: it is the moment of the last closing, or None."""
    campaign.status = status
    campaign.closed_at = utcnow() if status is CampaignStatus.CLOSED else None


def schedule_of(campaign: Campaign) -> Schedule:
    """The campaign's dates as staff see them: the opening day and the last day to sign."""
    return Schedule(
        opens_on=campaign.opens_at.date() if campaign.opens_at else None,
        last_day=(campaign.closes_at - timedelta(days=1)).date() if campaign.closes_at else None,
        goal=campaign.goal,
    )


def _apply_schedule(campaign: Campaign, schedule: Schedule) -> None:
    """Dates are whole UTC days: open from the start of the first, through the end of the last."""
    opens, last = schedule.opens_on, schedule.last_day
    campaign.opens_at = utc_midnight(opens) if opens else None
    campaign.closes_at = utc_midnight(last + timedelta(days=1)) if last else None
    campaign.goal = schedule.goal


# Texts


def check_lang(lang: str) -> str:
    """A language a campaign can have a text in: the site's, and the letters' (a text in a
    language the site does not offer is used only in letters to parties that read it)."""
    if lang not in LETTER_LANGUAGES:
        abort(404)
    return lang


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


def text_fields(campaign: Campaign, lang: str) -> TextFields | None:
    text = campaign.texts.get(lang)
    if text is None:
        return None
    return TextFields(text.title, text.summary, text.statement, text.demands)


def update_text(
    campaign: Campaign, lang: str, new: TextFields, *, actor: StaffUser | None
) -> list[str]:
    """Save the text in `lang` as a new version; returns the names of the fields that changed.

    The text being replaced is versioned first if it never was (texts written before
    versioning, or straight into the table), so every signature's hash stays verifiable.
    """
    old = text_fields(campaign, lang)
    if old == new:
        return []
    if old is not None:
        save_text(campaign, lang, **_as_dict(old), actor=None)
    save_text(campaign, lang, **_as_dict(new), actor=actor)
    db.session.flush()
    if old is None:
        changed = [f.name for f in fields(TextFields)]
    else:
        changed = [
            f.name for f in fields(TextFields) if getattr(old, f.name) != getattr(new, f.name)
        ]
    audit.record(
        "campaign.text_updated",
        actor=actor,
        object_type="campaign",
        object_id=campaign.id,
        detail=f"lang={lang}; {', '.join(changed)}",
    )
    return changed


def _as_dict(text: TextFields) -> dict[str, str]:
    return {f.name: getattr(text, f.name) for f in fields(TextFields)}


def text_versions(campaign: Campaign, lang: str) -> list[CampaignTextVersion]:
    """Every version of the text in `lang` kept for signers, newest first."""
    query = (
        select(CampaignTextVersion)
        .where(CampaignTextVersion.campaign_id == campaign.id, CampaignTextVersion.lang == lang)
        .order_by(CampaignTextVersion.created_at.desc(), CampaignTextVersion.id.desc())
    )
    return list(db.session.scalars(query))


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
