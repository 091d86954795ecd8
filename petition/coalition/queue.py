"""What a moderator reads: the review queue, a page at a time, and one organisation with
the trust signals and duplicates its review page shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import UnaryExpression, func, select

from petition.coalition.matching import (
    TrustSignals,
    campaign_candidates,
    duplicates_among,
    find_duplicates,
    trust_signals,
)
from petition.extensions import db
from petition.models import Organisation, OrganisationStatus, StaffUser

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilter:
    campaign_id: int | None = None
    status: OrganisationStatus = OrganisationStatus.AWAITING_REVIEW

    def as_args(self) -> dict[str, str]:
        args = {"status": self.status.value}
        if self.campaign_id is not None:
            args["campaign"] = str(self.campaign_id)
        return args


@dataclass(frozen=True)
class QueueRow:
    organisation: Organisation
    signals: TrustSignals


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    page: int
    pages: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1


def _ordering(status: OrganisationStatus) -> tuple[UnaryExpression[Any], ...]:
    """The queue: oldest confirmation first. Decided ones: latest decision first."""
    if status is OrganisationStatus.AWAITING_REVIEW:
        return (Organisation.confirmed_at.asc(), Organisation.id.asc())
    if status is OrganisationStatus.PENDING:
        return (Organisation.created_at.desc(), Organisation.id.desc())
    latest = func.coalesce(
        Organisation.withdrawn_at,
        Organisation.reviewed_at,
        Organisation.confirmed_at,
        Organisation.created_at,
    )
    return (latest.desc(), Organisation.id.desc())


def queue_page(wanted: QueueFilter, page: int = 1) -> QueuePage:
    conditions = [Organisation.status == wanted.status]
    if wanted.campaign_id is not None:
        conditions.append(Organisation.campaign_id == wanted.campaign_id)
    total = db.session.scalar(select(func.count()).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    organisations = list(
        db.session.scalars(
            select(Organisation)
            .where(*conditions)
            .order_by(*_ordering(wanted.status))
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    duplicates = find_duplicates(organisations)
    rows = [QueueRow(o, trust_signals(o, duplicates[o.id])) for o in organisations]
    return QueuePage(rows=rows, total=total, page=page, pages=pages)


# --- one organisation ---------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewPage:
    """Everything the review page shows of one organisation."""

    organisation: Organisation
    signals: TrustSignals
    reviewed_by: str | None
    merged_into: Organisation | None


def review_page(organisation_id: int) -> ReviewPage | None:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        return None
    duplicates = duplicates_among(organisation, campaign_candidates(organisation.campaign_id))
    reviewer = (
        db.session.scalar(
            select(StaffUser.email).where(StaffUser.id == organisation.reviewed_by_id)
        )
        if organisation.reviewed_by_id
        else None
    )
    return ReviewPage(
        organisation=organisation,
        signals=trust_signals(organisation, duplicates),
        reviewed_by=reviewer,
        merged_into=organisation.merged_into,
    )
