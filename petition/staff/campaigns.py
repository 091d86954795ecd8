"""Staff work on campaigns and negotiating parties: settings, texts, targets.

Plain functions that take what they need, change the session (they flush, never commit)
and raise domain errors; the views turn those into pages and audit rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from petition.campaigns.services import save_text
from petition.extensions import db
from petition.i18n import LANGUAGES
from petition.models import Campaign, CampaignStatus, CampaignTextVersion, StaffUser, Target

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


class SlugInvalid(Exception):
    """The slug is not 3–80 lowercase letters, digits and inner hyphens, or is reserved."""


class SlugTaken(Exception):
    """Another campaign already uses this slug."""


class SlugLocked(Exception):
    """The slug is part of public links once a campaign has left draft."""


class StatusChangeNotAllowed(Exception):
    """The campaign cannot go from its status to the one asked for."""


class CampaignNotReady(Exception):
    """The campaign cannot open before it has its English text."""


class TargetNameTaken(Exception):
    """Another negotiating party already has this name."""


@dataclass(frozen=True)
class Schedule:
    """A campaign's optional dates and goal, as staff enter them."""

    opens_on: date | None
    last_day: date | None
    goal: int | None


@dataclass(frozen=True)
class TextFields:
    title: str
    summary: str
    statement: str
    demands: str


@dataclass(frozen=True)
class TargetFields:
    name: str
    office: str
    organisation: str
    lang: str
    salutation: str
    postal_address: str
    email: str


# Campaigns


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


def create_campaign(slug: str, schedule: Schedule) -> Campaign:
    """A new draft campaign; its texts are written afterwards, one language at a time."""
    check_slug(slug)
    campaign = Campaign(slug=slug, status=CampaignStatus.DRAFT)
    _apply_schedule(campaign, schedule)
    _flush_slug(campaign)
    return campaign


def allowed_statuses(campaign: Campaign) -> tuple[CampaignStatus, ...]:
    return TRANSITIONS[campaign.status]


def update_campaign(
    campaign: Campaign, *, slug: str, status: CampaignStatus, schedule: Schedule
) -> list[str]:
    """Change the settings; returns what changed (for the audit trail), in a stable order."""
    changed: list[str] = []
    if slug != campaign.slug:
        if campaign.status is not CampaignStatus.DRAFT:
            raise SlugLocked(campaign.slug)
        check_slug(slug, campaign=campaign)
        campaign.slug = slug
        changed.append("slug")
    if status is not campaign.status:
        if status not in TRANSITIONS[campaign.status]:
            raise StatusChangeNotAllowed(f"{campaign.status} → {status}")
        if status is CampaignStatus.OPEN and REQUIRED_LANG not in campaign.texts:
            raise CampaignNotReady(campaign.slug)
        changed.append(f"status {campaign.status.value}→{status.value}")
        campaign.status = status
    before = schedule_of(campaign)
    _apply_schedule(campaign, schedule)
    after = schedule_of(campaign)
    changed.extend(
        f.name for f in fields(Schedule) if getattr(before, f.name) != getattr(after, f.name)
    )
    if "slug" in changed:
        _flush_slug(campaign)
    return changed


def schedule_of(campaign: Campaign) -> Schedule:
    """The campaign's dates as staff see them: the opening day and the last day to sign."""
    return Schedule(
        opens_on=campaign.opens_at.date() if campaign.opens_at else None,
        last_day=(campaign.closes_at - timedelta(days=1)).date() if campaign.closes_at else None,
        goal=campaign.goal,
    )


def _apply_schedule(campaign: Campaign, schedule: Schedule) -> None:
    """Dates are whole UTC days: open from the start of the first, through the end of the last."""
    campaign.opens_at = _start_of(schedule.opens_on)
    campaign.closes_at = _start_of(
        schedule.last_day + timedelta(days=1) if schedule.last_day else None
    )
    campaign.goal = schedule.goal


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, time.min, tzinfo=UTC)


# Texts


def check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        abort(404)
    return lang


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
        return [f.name for f in fields(TextFields)]
    return [f.name for f in fields(TextFields) if getattr(old, f.name) != getattr(new, f.name)]


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


# Negotiating parties


def list_targets() -> list[Target]:
    return list(db.session.scalars(select(Target).order_by(Target.name)))


def get_target(target_id: int) -> Target:
    target: Target = db.get_or_404(Target, target_id)
    return target


def find_target_by_name(name: str) -> Target | None:
    return db.session.scalar(select(Target).where(func.lower(Target.name) == name.lower()))


def create_target(new: TargetFields) -> Target:
    if find_target_by_name(new.name) is not None:
        raise TargetNameTaken(new.name)
    target = Target(**{f.name: getattr(new, f.name) for f in fields(TargetFields)})
    db.session.add(target)
    db.session.flush()
    return target


def update_target(target: Target, new: TargetFields) -> list[str]:
    """Change the party's details; returns the names of the fields that changed."""
    same_name = find_target_by_name(new.name)
    if same_name is not None and same_name.id != target.id:
        raise TargetNameTaken(new.name)
    changed = [
        f.name for f in fields(TargetFields) if getattr(target, f.name) != getattr(new, f.name)
    ]
    for name in changed:
        setattr(target, name, getattr(new, name))
    db.session.flush()
    return changed


def target_fields(target: Target) -> TargetFields:
    return TargetFields(**{f.name: getattr(target, f.name) for f in fields(TargetFields)})


def attachable_targets(campaign: Campaign) -> list[Target]:
    """The parties the campaign does not address yet."""
    attached = {target.id for target in campaign.targets}
    return [target for target in list_targets() if target.id not in attached]


def attach_target(campaign: Campaign, target: Target) -> bool:
    """Address `target` in the campaign; False if it already was."""
    if target in campaign.targets:
        return False
    campaign.targets.append(target)
    db.session.flush()
    return True


def detach_target(campaign: Campaign, target: Target) -> bool:
    """Stop addressing `target`; False if the campaign did not address it."""
    if target not in campaign.targets:
        return False
    campaign.targets.remove(target)
    db.session.flush()
    return True
