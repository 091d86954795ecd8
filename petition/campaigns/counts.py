"""Public counts, aggregated from signatures and cached briefly per process.

Signing never touches a shared counter row: the counts are a GROUP BY over an index,
recomputed at most once per `COUNTS_TTL_SECONDS` in each process.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_app_context
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from petition.extensions import db
from petition.models import (
    Organisation,
    OrganisationStatus,
    PaperBatch,
    Signature,
    SignatureStatus,
)
from petition.models.types import utcnow
from petition.page_cache import fresh_until


@dataclass(frozen=True)
class Counts:
    """`individuals` and `by_country` are confirmed online signatures; signatures gathered
    on paper are a number of their own (`paper`, `paper_by_country`), never added in."""

    individuals: int
    organisations: int
    by_country: dict[str, int]
    updated_at: datetime
    paper: int = 0
    paper_by_country: dict[str, int] = field(default_factory=dict)
    # Confirmed signatures per partner organisation's id (signing.partners); never public.
    by_partner: dict[int, int] = field(default_factory=dict)

    def country_rows(self) -> list[tuple[str, int, int]]:
        """(country, online, on paper) for every country with either, most first."""
        codes = {*self.by_country, *self.paper_by_country}
        rows = [
            (code, self.by_country.get(code, 0), self.paper_by_country.get(code, 0))
            for code in codes
        ]
        return sorted(rows, key=lambda row: (-(row[1] + row[2]), row[0]))


@dataclass
class CountsCache:
    entries: dict[int, tuple[float, Counts]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _cache() -> CountsCache:
    cache: CountsCache = current_app.extensions.setdefault("petition.counts", CountsCache())
    return cache


def campaign_counts(campaign_id: int) -> Counts:
    """The campaign's counts, at most `COUNTS_TTL_SECONDS` old."""
    cache = _cache()
    now = time.monotonic()
    with cache.lock:
        entry = cache.entries.get(campaign_id)
    if entry is None or entry[0] <= now:
        entry = (now + current_app.config["COUNTS_TTL_SECONDS"], count_campaign(campaign_id))
        with cache.lock:
            cache.entries[campaign_id] = entry
    fresh_until(entry[0])  # a page showing these counts is kept no longer than they are
    return entry[1]


def counts_changed(campaign_id: int) -> None:
    """Mark the campaign's counts stale; this process forgets them when the change commits,
    so a signer sees their own confirmation counted (other processes within the TTL)."""
    db.session.info.setdefault(STALE, set()).add(campaign_id)


def _forget_after_commit(session: Session) -> None:
    stale = session.info.pop(STALE, ())
    if stale and has_app_context():
        cache = _cache()
        with cache.lock:
            for campaign_id in stale:
                cache.entries.pop(campaign_id, None)


def _keep_after_rollback(session: Session) -> None:
    session.info.pop(STALE, None)


STALE = "petition.stale_counts"
event.listen(Session, "after_commit", _forget_after_commit)
event.listen(Session, "after_rollback", _keep_after_rollback)


def count_campaign(campaign_id: int) -> Counts:
    query = (
        select(Signature.country, func.count())
        .where(
            Signature.campaign_id == campaign_id,
            Signature.status == SignatureStatus.CONFIRMED,
        )
        .group_by(Signature.country)
        .order_by(func.count().desc(), Signature.country)
    )
    by_country: dict[str, int] = dict(db.session.execute(query).all())
    organisations = select(func.count()).where(
        Organisation.campaign_id == campaign_id,
        Organisation.status == OrganisationStatus.APPROVED,
    )
    paper = paper_by_country(campaign_id)
    return Counts(
        individuals=sum(by_country.values()),
        organisations=db.session.scalar(organisations) or 0,
        by_country=by_country,
        updated_at=utcnow(),
        paper=sum(paper.values()),
        paper_by_country=paper,
        by_partner=_by_partner(campaign_id),
    )


def paper_by_country(campaign_id: int, *, before: datetime | None = None) -> dict[str, int]:
    """Signatures gathered on paper by country, from the batches not voided; with `before`,
    only batches recorded before that moment (a delivery package's cut-off)."""
    query = select(PaperBatch.country, func.sum(PaperBatch.count)).where(
        PaperBatch.campaign_id == campaign_id, PaperBatch.voided_at.is_(None)
    )
    if before is not None:
        query = query.where(PaperBatch.recorded_at < before)
    query = query.group_by(PaperBatch.country).order_by(PaperBatch.country)
    return {country: int(total) for country, total in db.session.execute(query).all()}


def _by_partner(campaign_id: int) -> dict[int, int]:
    """Over the partner index: only signatures that came through a partner's link."""
    members = select(Organisation.id).where(Organisation.campaign_id == campaign_id)
    query = (
        select(Signature.partner_id, func.count())
        .where(
            Signature.partner_id.in_(members),
            Signature.status == SignatureStatus.CONFIRMED,
        )
        .group_by(Signature.partner_id)
    )
    return {
        partner_id: count for partner_id, count in db.session.execute(query).all() if partner_id
    }
