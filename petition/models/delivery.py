"""Delivery packages: what was put in front of each negotiating party, and when."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from petition.extensions import db
from petition.models.campaign import Campaign
from petition.models.target import NamesPolicy, Target
from petition.models.types import UTCDateTime, str_enum, utcnow

RESPONSE_TEXT_MAX = 2000
DOCUMENT_URL_MAX = 500


class PackageStatus(enum.StrEnum):
    QUEUED = "queued"
    BUILDING = "building"
    READY = "ready"
    FAILED = "failed"


class DeliveryPackage(db.Model):  # type: ignore[name-defined]
    """One package for one target; its record (counts, hashes) outlives personal data."""

    __tablename__ = "delivery_package"
    __table_args__ = (Index("ix_delivery_package_campaign_target", "campaign_id", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id"))
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[PackageStatus] = mapped_column(
        str_enum(PackageStatus, "package_status"), default=PackageStatus.QUEUED
    )
    progress: Mapped[int] = mapped_column(default=0)  # percent
    # A worker's hold on a BUILDING package (petition/delivery/background.py): `attempt`
    # counts the claims, so the latest tells itself apart from a worker it took over from
    # (the server default numbers the rows that existed before leases); `lease_until` is
    # when the package goes back to the queue unless its worker renews the lease.
    attempt: Mapped[int] = mapped_column(default=0, server_default="0")
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The target's policy the package was (or is to be) built with; set again at build time.
    names_policy: Mapped[NamesPolicy] = mapped_column(
        str_enum(NamesPolicy, "delivery_package_names_policy"),
        default=NamesPolicy.NAMED,
        server_default=NamesPolicy.NAMED.value,
    )
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # name → SHA-256
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))
    folder: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str | None] = mapped_column(String(1000))  # for colleagues, never public
    # The party's answer, public in the delivery log once the package is marked sent: a
    # short text and the address of a document it published (https only).
    response_text: Mapped[str | None] = mapped_column(String(RESPONSE_TEXT_MAX))
    response_document_url: Mapped[str | None] = mapped_column(String(DOCUMENT_URL_MAX))

    campaign: Mapped[Campaign] = relationship()
    target: Mapped[Target] = relationship()

    @property
    def lease_ran_out(self) -> bool:
        """BUILDING, but its worker stopped renewing the lease: the next worker takes it over
        and starts again (the rule of `_waiting_for_worker` in petition/delivery/background)."""
        if self.status is not PackageStatus.BUILDING:
            return False
        return self.lease_until is None or self.lease_until <= utcnow()


class LetterTemplate(db.Model):  # type: ignore[name-defined]
    """The cover letter's body per campaign and language, with placeholders staff edit."""

    __tablename__ = "letter_template"
    __table_args__ = (UniqueConstraint("campaign_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    campaign: Mapped[Campaign] = relationship()
