"""An organisation that joins a campaign's coalition through an authorised representative."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from petition.extensions import db
from petition.models.campaign import Campaign
from petition.models.types import UTCDateTime, str_enum, utcnow


class OrganisationKind(enum.StrEnum):
    HUMAN_RIGHTS = "human_rights"
    HUMANITARIAN = "humanitarian"
    UNION = "union"
    FAITH = "faith"
    ACADEMIC = "academic"
    MEDIA = "media"
    PROFESSIONAL = "professional"
    OTHER = "other"


class Listing(enum.StrEnum):
    """Named on the public list, or only counted (for groups at risk at home)."""

    PUBLIC = "public"
    COUNTED = "counted"


class OrganisationStatus(enum.StrEnum):
    PENDING = "pending"  # the representative has not confirmed their email yet
    AWAITING_REVIEW = "awaiting_review"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"  # a duplicate, folded into `merged_into`


# The representative as typed: readable until the review decision has been mailed to them.
READABLE_REPRESENTATIVE = ("rep_name", "rep_role", "rep_email", "rep_email_normalised")
# Everything that stands for the representative: emptied by retention erasure.
REPRESENTATIVE_COLUMNS = (
    *READABLE_REPRESENTATIVE,
    "rep_sealed",
    "rep_email_hash",
    "rep_mailbox_hash",
    "rep_email_domain",
)


class Organisation(db.Model):  # type: ignore[name-defined]
    __tablename__ = "organisation"
    __table_args__ = (
        UniqueConstraint("campaign_id", "rep_email_normalised"),
        # One organisation per representative and campaign (a unique index: see 0009).
        Index(
            "uq_organisation_campaign_id_rep_email_hash",
            "campaign_id",
            "rep_email_hash",
            unique=True,
        ),
        Index("ix_organisation_campaign_status", "campaign_id", "status", "listing"),
        Index("ix_organisation_website_domain", "website_domain"),
        Index("uq_organisation_partner_code", "partner_code", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    name_original: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    kind: Mapped[OrganisationKind] = mapped_column(str_enum(OrganisationKind, "organisation_kind"))
    website: Mapped[str | None] = mapped_column(String(300))
    website_domain: Mapped[str | None] = mapped_column(String(253))
    rep_name: Mapped[str | None] = mapped_column(String(120))
    rep_role: Mapped[str | None] = mapped_column(String(120))
    rep_email: Mapped[str | None] = mapped_column(String(254))
    rep_email_normalised: Mapped[str | None] = mapped_column(String(254))
    # The representative, sealed to the campaign's custodians once the review decision has
    # been mailed (`coalition.representatives`); the four columns above are then emptied.
    # The hashes and the domain are written at sign-on: one organisation per representative
    # by `rep_email_hash`, later mail only to the same mailbox, trust signals by domain.
    rep_sealed: Mapped[bytes | None] = mapped_column(LargeBinary())
    rep_email_hash: Mapped[str | None] = mapped_column(String(64))
    rep_mailbox_hash: Mapped[str | None] = mapped_column(String(64))
    rep_email_domain: Mapped[str | None] = mapped_column(String(253))
    statement: Mapped[str | None] = mapped_column(String(500))
    logo: Mapped[str | None] = mapped_column(String(64))
    listing: Mapped[Listing] = mapped_column(str_enum(Listing, "organisation_listing"))
    status: Mapped[OrganisationStatus] = mapped_column(
        str_enum(OrganisationStatus, "organisation_status"), default=OrganisationStatus.PENDING
    )
    founding: Mapped[bool] = mapped_column(default=False)
    lang: Mapped[str] = mapped_column(String(2))
    statement_sha256: Mapped[str] = mapped_column(String(64))
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    links_sent: Mapped[int] = mapped_column(default=0)
    # The code in the organisation's share link (`coalition.partners`): public, random,
    # replaced on request; signatures keep the organisation's id, not the code.
    partner_code: Mapped[str | None] = mapped_column(String(32))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship()
    merged_into: Mapped[Organisation | None] = relationship(remote_side=[id])
