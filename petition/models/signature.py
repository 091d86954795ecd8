"""A person's signature on a campaign."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from petition.extensions import db
from petition.models.campaign import Campaign
from petition.models.organisation import Organisation
from petition.models.types import UTCDateTime, str_enum, utcnow


class Display(enum.StrEnum):
    """How a signer appears in any list: by name, by initials, or only in counts."""

    FULL = "full"
    INITIALS = "initials"
    ANONYMOUS = "anonymous"


class SignatureStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    INVALIDATED = "invalidated"
    WITHDRAWN = "withdrawn"  # taken back by the signer: personal data erased, not counted


# What belongs to the person rather than to the count: emptied on withdrawal and erasure.
PERSONAL_COLUMNS = (
    "sealed",
    "public_name",
    "email_hash",
    "mailbox_hash",
    "email_domain",
    "client_hash",
    "partner_id",
    "legacy_name",
    "legacy_email",
    "legacy_email_normalised",
    "legacy_city",
)


class Signature(db.Model):  # type: ignore[name-defined]
    __tablename__ = "signature"
    __table_args__ = (
        # One signature per person and campaign, whatever its status: concurrent
        # submissions of one address collide here and make a single record.
        Index("uq_signature_campaign_id_email_hash", "campaign_id", "email_hash", unique=True),
        UniqueConstraint("campaign_id", "email_normalised"),
        Index("ix_signature_counts", "campaign_id", "status", "country"),
        Index("ix_signature_partner_id_status", "partner_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    # The typed name, address and city, sealed to the campaign's custodians
    # (petition/personal.py); None once withdrawn or purged.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    public_name: Mapped[str | None] = mapped_column(String(120))  # as `display` shows it
    email_hash: Mapped[str | None] = mapped_column(String(64))
    mailbox_hash: Mapped[str | None] = mapped_column(String(64))
    email_domain: Mapped[str | None] = mapped_column(String(253))
    country: Mapped[str] = mapped_column(String(2))
    display: Mapped[Display] = mapped_column(str_enum(Display, "signature_display"))
    wants_updates: Mapped[bool] = mapped_column(default=False)
    lang: Mapped[str] = mapped_column(String(2))
    statement_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[SignatureStatus] = mapped_column(
        str_enum(SignatureStatus, "signature_status"), default=SignatureStatus.PENDING
    )
    client_hash: Mapped[str | None] = mapped_column(String(64))
    # The organisation whose share link the signer came through and kept (signing.partners).
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    links_sent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    # Signatures made before sealing kept these in the clear: `keys seal-existing` seals
    # them and empties the columns; a later migration drops them.
    legacy_name: Mapped[str | None] = mapped_column("name", String(120))
    legacy_email: Mapped[str | None] = mapped_column("email", String(254))
    legacy_email_normalised: Mapped[str | None] = mapped_column("email_normalised", String(254))
    legacy_city: Mapped[str | None] = mapped_column("city", String(80))

    campaign: Mapped[Campaign] = relationship()
    partner: Mapped[Organisation | None] = relationship()
