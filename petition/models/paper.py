"""Signatures gathered on paper or at events, entered by staff as counted batches."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from petition.extensions import db
from petition.models.campaign import Campaign
from petition.models.staff import StaffUser
from petition.models.types import UTCDateTime, utcnow

PAPER_COUNT_MAX = 100_000  # one stall, one event, one box of forms: a larger pile is split
SOURCE_MAX = 200
VOID_REASON_MAX = 500


class PaperBatch(db.Model):  # type: ignore[name-defined]
    """How many people in one country signed on paper, where and when, and who entered it.

    Never a name: the forms stay with the campaign, the server holds only their count and
    the SHA-256 of their scan. A voided batch stays, marked, and no longer counts anywhere.
    `idempotency_key` comes from the form it was entered with and is unique, so the same
    form sent twice (a double click, two tabs, a retry) records one batch."""

    __tablename__ = "paper_batch"
    __table_args__ = (
        CheckConstraint(f"count >= 1 AND count <= {PAPER_COUNT_MAX}", name="count_in_range"),
        Index("ix_paper_batch_campaign_recorded", "campaign_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(String(2))
    count: Mapped[int]
    source: Mapped[str] = mapped_column(String(SOURCE_MAX))
    gathered_on: Mapped[date] = mapped_column(Date)
    scan_sha256: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    void_reason: Mapped[str | None] = mapped_column(String(VOID_REASON_MAX))

    campaign: Mapped[Campaign] = relationship()
    recorded_by: Mapped[StaffUser | None] = relationship(foreign_keys=[recorded_by_id])
    voided_by: Mapped[StaffUser | None] = relationship(foreign_keys=[voided_by_id])

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None
