"""Which partner organisation's share link a signature came through, and how many each
brought.

The link is the campaign page with `?via=<code>` (codes are made by `coalition.partners`);
the code travels from there only in the signing form's hidden field (no cookie), and a
signer who keeps the box ticked is recorded with the organisation's id, never the code: a
replaced code attributes nothing more, and loses no count. Anything that is not a live code
of an approved organisation of the same campaign is ignored, silently.

Staff see exact numbers per partner (`partner_totals`); the organisation only its own
figure, rounded down (`shown_figure`) from the cached counts, so that watching it does not
tell whether one particular person signed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from petition.extensions import db
from petition.models import Organisation, OrganisationStatus, Signature, SignatureStatus

# What a code may look like (`coalition.partners` makes 14 characters of token_urlsafe).
_CODE = re.compile(r"[A-Za-z0-9_-]{8,32}")
# Below this many, the organisation is told only "fewer than" (see `shown_figure`).
FEWER_THAN = 10


def partner_by_code(campaign_id: int, code: object) -> Organisation | None:
    """The approved organisation of this campaign whose live share code `code` is; None for
    anything else (unknown, replaced, another campaign's, malformed, oversized)."""
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        return None  # before any query: a NUL byte or a megabyte never reaches the database
    return db.session.scalar(
        select(Organisation).where(
            Organisation.partner_code == code,
            Organisation.campaign_id == campaign_id,
            Organisation.status == OrganisationStatus.APPROVED,
        )
    )


def shown_figure(exact: int) -> int:
    """What the organisation is shown of its count: 0 (shown as "fewer than 10") below
    `FEWER_THAN`, else rounded down to tens (47 → 40, 137 → 130), and from 1,000 on to two
    significant digits (1,234 → 1,200): one more signature rarely changes what it sees."""
    if exact < FEWER_THAN:
        return 0
    step = 10 ** max(1, len(str(exact)) - 2)
    return exact // step * step


@dataclass(frozen=True)
class PartnerTotal:
    organisation: Organisation
    confirmed: int


@dataclass(frozen=True)
class PartnerTotals:
    partners: list[PartnerTotal]
    without_partner: int  # confirmed signatures that came through no partner's link


def partner_totals(campaign_id: int) -> PartnerTotals:
    """For staff: exact confirmed signatures per partner, now (not cached). Every approved
    organisation, and any other that brought signatures while it was one."""
    confirmed = (
        select(Signature.partner_id, func.count().label("confirmed"))
        .where(Signature.campaign_id == campaign_id, Signature.status == SignatureStatus.CONFIRMED)
        .group_by(Signature.partner_id)
        .subquery()
    )
    count = func.coalesce(confirmed.c.confirmed, 0)
    query = (
        select(Organisation, count.label("confirmed"))
        .outerjoin(confirmed, confirmed.c.partner_id == Organisation.id)
        .where(
            Organisation.campaign_id == campaign_id,
            or_(Organisation.status == OrganisationStatus.APPROVED, count > 0),
        )
        .order_by(count.desc(), func.lower(Organisation.name), Organisation.id)
    )
    rows = db.session.execute(query).all()
    partners = [PartnerTotal(row.Organisation, row.confirmed) for row in rows]
    without = select(confirmed.c.confirmed).where(confirmed.c.partner_id.is_(None))
    return PartnerTotals(partners=partners, without_partner=db.session.scalar(without) or 0)
