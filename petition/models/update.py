"""Campaign updates: a record of each piece of news mailed to a campaign's signers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from petition.extensions import db
from petition.models.campaign import Campaign
from petition.models.staff import StaffUser
from petition.models.types import UTCDateTime, utcnow


class CampaignUpdate(db.Model):  # type: ignore[name-defined]
    """One update as sent: what it said, in which language, and to how many signers.

    No recipient is named here; the outbox holds one row per mail until it is sent.
    `idempotency_key` is unique, so a confirmation sent twice (a double click, a reload,
    two staff members at once) records, and mails, one update."""

    __tablename__ = "campaign_update"
    __table_args__ = (Index("ix_campaign_update_campaign_created", "campaign_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(default=0)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    campaign: Mapped[Campaign] = relationship()
    created_by: Mapped[StaffUser | None] = relationship()
