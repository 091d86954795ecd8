"""Negotiating parties a campaign addresses, and which campaigns address them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from petition.extensions import db
from petition.models.types import UTCDateTime, utcnow

campaign_target = Table(
    "campaign_target",
    db.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", ForeignKey("target.id", ondelete="CASCADE"), primary_key=True),
)


class Target(db.Model):  # type: ignore[name-defined]
    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    lang: Mapped[str] = mapped_column(String(2))
    salutation: Mapped[str] = mapped_column(String(200), default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
