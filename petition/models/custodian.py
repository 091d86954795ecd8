"""A campaign's custodian keys: the public halves of the keys that can read sealed signer data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from petition.extensions import db
from petition.models.types import UTCDateTime, utcnow


class CustodianKey(db.Model):  # type: ignore[name-defined]
    """An age recipient (`age1…`) that the campaign's signer data is sealed to. The matching
    identity is never on the server; any one of a campaign's custodians can read its data."""

    __tablename__ = "custodian_key"
    __table_args__ = (UniqueConstraint("campaign_id", "recipient"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    recipient: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
