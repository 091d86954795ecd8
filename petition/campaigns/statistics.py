"""The numbers staff watch: signatures by status, by day of confirmation and by country.

Every figure is a SQL aggregate; no signature row is loaded into Python, so a campaign
with a million signatures costs a few index scans, not a million objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from petition.countries import country_name
from petition.database import as_date, utc_day
from petition.extensions import db
from petition.models import Campaign, Signature, SignatureStatus


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
            title=campaign.title_in(lang),
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
    counts = {as_date(found): count for found, count in rows if found is not None}
    if not counts:
        return []
    first, last = min(counts), max(counts)
    return [
        DayCount(first + timedelta(days=offset), counts.get(first + timedelta(days=offset), 0))
        for offset in range((last - first).days + 1)
    ]


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
