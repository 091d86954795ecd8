"""The numbers staff watch: signatures by status, by day of confirmation and by country.

Every figure is a SQL aggregate; no signature row is loaded into Python, so a campaign
with a million signatures costs a few index scans, not a million objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from babel.dates import format_skeleton
from flask_babel import format_date, format_number, get_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from petition.countries import country_name
from petition.extensions import db
from petition.models import Campaign, CampaignStatus, Signature, SignatureStatus
from petition.staff.charts import BarChart, daily_bar_chart

CAMPAIGN_STATUS_LABELS = {
    CampaignStatus.DRAFT: _l("Draft"),
    CampaignStatus.OPEN: _l("Open"),
    CampaignStatus.CLOSED: _l("Closed"),
}
SIGNATURE_STATUS_LABELS = {
    SignatureStatus.PENDING: lazy_pgettext("signature status", "Pending"),
    SignatureStatus.CONFIRMED: lazy_pgettext("signature status", "Confirmed"),
    SignatureStatus.INVALIDATED: lazy_pgettext("signature status", "Invalidated"),
    SignatureStatus.WITHDRAWN: lazy_pgettext("signature status", "Withdrawn"),
}


class utc_day(FunctionElement[date]):
    """The UTC calendar day of a timestamp column, on PostgreSQL and on SQLite."""

    type = Date()
    name = "utc_day"
    inherit_cache = True


@compiles(utc_day)
def _utc_day_sqlite(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite keeps our timestamps as UTC text: date() takes the day part.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_postgresql(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # A timestamptz's day depends on the session's zone unless we say which zone.
    return f"date(timezone('UTC', {compiler.process(element.clauses, **kw)}))"


@dataclass(frozen=True)
class StatusCounts:
    confirmed: int = 0
    pending: int = 0
    invalidated: int = 0

    @property
    def total(self) -> int:
        return self.confirmed + self.pending + self.invalidated

    @property
    def confirmation_rate(self) -> float | None:
        """Confirmed signatures as a share of all signatures; None when there are none."""
        return self.confirmed / self.total if self.total else None

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[SignatureStatus, int]]) -> StatusCounts:
        by_status = {SignatureStatus(status): count for status, count in rows}
        return cls(
            confirmed=by_status.get(SignatureStatus.CONFIRMED, 0),
            pending=by_status.get(SignatureStatus.PENDING, 0),
            invalidated=by_status.get(SignatureStatus.INVALIDATED, 0),
        )


@dataclass(frozen=True)
class CampaignSummary:
    campaign: Campaign
    title: str
    counts: StatusCounts


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True)
class CountryCounts:
    code: str
    name: str
    counts: StatusCounts


def campaign_title(campaign: Campaign, lang: str) -> str:
    """The campaign's title in `lang` (or its fallback); the slug if it has no text yet."""
    try:
        return campaign.text(lang).title
    except LookupError:
        return campaign.slug


def campaign_summaries(lang: str) -> list[CampaignSummary]:
    """Every campaign, newest first, with its signatures counted by status."""
    campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc()))
    rows = db.session.execute(
        select(Signature.campaign_id, Signature.status, func.count()).group_by(
            Signature.campaign_id, Signature.status
        )
    ).all()
    grouped: dict[int, list[tuple[SignatureStatus, int]]] = {}
    for campaign_id, status, count in rows:
        grouped.setdefault(campaign_id, []).append((status, count))
    return [
        CampaignSummary(
            campaign=campaign,
            title=campaign_title(campaign, lang),
            counts=StatusCounts.from_rows(grouped.get(campaign.id, [])),
        )
        for campaign in campaigns
    ]


def status_counts(campaign_id: int) -> StatusCounts:
    rows = db.session.execute(
        select(Signature.status, func.count())
        .where(Signature.campaign_id == campaign_id)
        .group_by(Signature.status)
    ).all()
    return StatusCounts.from_rows((status, count) for status, count in rows)


def confirmed_per_day(campaign_id: int) -> list[DayCount]:
    """Currently confirmed signatures by UTC day of confirmation, from the first such day
    to the last, with the quiet days in between as zeros (so the days add up to the
    confirmed count; signatures invalidated since are not in it)."""
    day = utc_day(Signature.confirmed_at)
    rows = db.session.execute(
        select(day, func.count())
        .where(
            Signature.campaign_id == campaign_id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.confirmed_at.is_not(None),
        )
        .group_by(day)
        .order_by(day)
    ).all()
    counts = {_as_date(found): count for found, count in rows if found is not None}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [
        DayCount(first + timedelta(days=offset), counts.get(first + timedelta(days=offset), 0))
        for offset in range((last - first).days + 1)
    ]


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def counts_by_country(campaign_id: int, lang: str) -> list[CountryCounts]:
    """Signatures by country and status, most confirmed first, with names in `lang`."""
    rows = db.session.execute(
        select(Signature.country, Signature.status, func.count())
        .where(Signature.campaign_id == campaign_id)
        .group_by(Signature.country, Signature.status)
    ).all()
    grouped: dict[str, list[tuple[SignatureStatus, int]]] = {}
    for country, status, count in rows:
        grouped.setdefault(country, []).append((status, count))
    result = [
        CountryCounts(code, country_name(code, lang), StatusCounts.from_rows(found))
        for code, found in grouped.items()
    ]
    result.sort(key=lambda row: (-row.counts.confirmed, -row.counts.total, row.name))
    return result


def current_language() -> str:
    """The language of the page being built, for country names and dates."""
    locale = get_locale()
    return locale.language if locale else "en"


def confirmations_chart(days: list[DayCount]) -> BarChart | None:
    """The confirmed-per-day bar chart, with a text description of what it shows."""
    if not days:
        return None
    locale = get_locale() or "en"
    total = sum(day.count for day in days)
    peak = max(days, key=lambda day: day.count)
    description = _(
        "Signatures confirmed per day (UTC), from %(first)s to %(last)s: %(total)s in total. "
        "The most in one day: %(peak)s, on %(peak_day)s.",
        first=format_date(days[0].day, "long"),
        last=format_date(days[-1].day, "long"),
        total=format_number(total),
        peak=format_number(peak.count),
        peak_day=format_date(peak.day, "long"),
    )
    return daily_bar_chart(
        [(day.day, day.count) for day in days],
        title=_("Signatures confirmed per day"),
        description=description,
        x_label=_("Day of confirmation (UTC)"),
        y_label=_("Signatures confirmed"),
        day_label=lambda day: format_skeleton("MMMd", day, locale=locale),
        full_date=lambda day: format_date(day, "medium"),
        month_label=lambda day: format_skeleton("yMMM", day, locale=locale),
        number=format_number,
    )
