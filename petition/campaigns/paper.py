"""Paper and offline signatures: staff enter them as batches, one count per country.

A batch says how many people in one country signed on paper or at an event, where ("street
stall, Kharkiv, 14 November") and on which day, and ties the count to its evidence by the
SHA-256 of the forms' scan. The scan itself never reaches the server (staff paste its digest,
or the console's script works it out in their browser): scanned forms carry the names and
handwriting of people who may be at risk for having signed. Nobody on paper is ever named.

Batches count in the public counts and in delivery packages as a line of their own ("signed
on paper: N"), never inside the number of confirmed online signatures. Recording and voiding
are audited here; a voided batch keeps its row, marked, and counts nowhere again.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from petition import audit
from petition.campaigns.counts import counts_changed
from petition.countries import country_names
from petition.extensions import db
from petition.models import Campaign, PaperBatch, StaffUser
from petition.models.paper import PAPER_COUNT_MAX, SOURCE_MAX, VOID_REASON_MAX
from petition.models.types import utcnow

SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
IDEMPOTENCY_KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_idempotency_key() -> str:
    """The key a new batch form carries, to record the batch once however often it is sent."""
    return secrets.token_urlsafe(24)


class BatchInvalid(ValueError):
    """The entry breaks a rule the form should have caught (a count out of range, ...)."""


class BatchAlreadyRecorded(Exception):
    """A batch with this idempotency key exists: the same form was sent again."""


class BatchAlreadyVoided(Exception):
    """The batch was voided before (perhaps a moment ago, by a colleague)."""


@dataclass(frozen=True)
class BatchEntry:
    """A batch as staff typed it."""

    country: str
    count: int
    source: str
    gathered_on: date
    scan_sha256: str
    idempotency_key: str


def check_entry(entry: BatchEntry) -> None:
    """BatchInvalid unless `entry` may be recorded."""
    checks = {
        "country": entry.country in country_names("en"),
        "count": 1 <= entry.count <= PAPER_COUNT_MAX,
        "source": bool(entry.source.strip()) and len(entry.source) <= SOURCE_MAX,
        "gathered_on": entry.gathered_on <= utcnow().date(),
        "scan_sha256": SHA256_PATTERN.fullmatch(entry.scan_sha256) is not None,
        "idempotency_key": IDEMPOTENCY_KEY_PATTERN.fullmatch(entry.idempotency_key) is not None,
    }
    wrong = [name for name, ok in checks.items() if not ok]
    if wrong:
        raise BatchInvalid(", ".join(wrong))


def record_batch(campaign: Campaign, entry: BatchEntry, *, actor: StaffUser) -> PaperBatch:
    """Record the batch and audit it, once per idempotency key: a second request with the
    same key, even one running at this very moment, fails on the unique key (it waits for
    the first to commit) and raises BatchAlreadyRecorded, with nothing recorded or audited."""
    check_entry(entry)
    batch = PaperBatch(
        campaign_id=campaign.id,
        country=entry.country,
        count=entry.count,
        source=entry.source,
        gathered_on=entry.gathered_on,
        scan_sha256=entry.scan_sha256,
        idempotency_key=entry.idempotency_key,
        recorded_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(batch)
    except IntegrityError as error:
        raise BatchAlreadyRecorded(entry.idempotency_key) from error
    audit.record(
        "paper.batch_recorded",
        actor=actor,
        object_type="paper_batch",
        object_id=batch.id,
        detail=(
            f"campaign={campaign.id} country={batch.country} count={batch.count} "
            f"gathered_on={batch.gathered_on.isoformat()} scan_sha256={batch.scan_sha256} "
            f"source={batch.source}"
        ),
    )
    counts_changed(campaign.id)
    return batch


def void_batch(batch: PaperBatch, reason: str, *, actor: StaffUser) -> PaperBatch:
    """Void the batch and audit it; BatchAlreadyVoided if it was voided before. One
    conditional UPDATE decides, so two staff voiding at once void (and audit) it once."""
    reason = reason.strip()
    if not reason or len(reason) > VOID_REASON_MAX:
        raise BatchInvalid("reason")
    voided = db.session.execute(
        update(PaperBatch)
        .where(PaperBatch.id == batch.id, PaperBatch.voided_at.is_(None))
        .values(voided_at=utcnow(), voided_by_id=actor.id, void_reason=reason)
        .execution_options(synchronize_session=False)
    )
    if voided.rowcount != 1:  # type: ignore[attr-defined]
        raise BatchAlreadyVoided(batch.id)
    db.session.refresh(batch)
    audit.record(
        "paper.batch_voided",
        actor=actor,
        object_type="paper_batch",
        object_id=batch.id,
        detail=(
            f"campaign={batch.campaign_id} country={batch.country} count={batch.count} "
            f"reason={reason}"
        ),
    )
    counts_changed(batch.campaign_id)
    return batch


def get_batch(campaign: Campaign, batch_id: int) -> PaperBatch | None:
    batch = db.session.get(PaperBatch, batch_id)
    return batch if batch is not None and batch.campaign_id == campaign.id else None


def campaign_batches(campaign: Campaign) -> list[PaperBatch]:
    """Every batch of the campaign, voided ones too, newest first."""
    query = (
        select(PaperBatch)
        .where(PaperBatch.campaign_id == campaign.id)
        .order_by(PaperBatch.recorded_at.desc(), PaperBatch.id.desc())
    )
    return list(db.session.scalars(query))
