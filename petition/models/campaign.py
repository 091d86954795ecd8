"""A campaign and its texts in each language."""

from __future__ import annotations

import enum
import hashlib
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.collections import attribute_keyed_dict

from petition.extensions import db
from petition.models.target import Target, campaign_target
from petition.models.types import UTCDateTime, str_enum, utcnow


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class Campaign(db.Model):  # type: ignore[name-defined]
    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[CampaignStatus] = mapped_column(
        str_enum(CampaignStatus, "campaign_status"), default=CampaignStatus.DRAFT
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When staff last closed it (None while it is a draft or open): retention counts from it.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    goal: Mapped[int | None]
    # The letterhead of the campaign's letters to negotiating parties: who writes, and how
    # an office answers them.
    letterhead_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    letterhead_address: Mapped[str] = mapped_column(Text, default="", server_default="")
    letterhead_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    letterhead_phone: Mapped[str] = mapped_column(String(50), default="", server_default="")
    letterhead_website: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The partners' sites that may frame the signing form, one origin per line
    # (campaigns/embedding.py); none by default.
    embed_origins: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    texts: Mapped[dict[str, CampaignText]] = relationship(
        collection_class=attribute_keyed_dict("lang"),
        back_populates="campaign",
        cascade="all, delete-orphan",
    )
    targets: Mapped[list[Target]] = relationship(secondary=campaign_target, order_by="Target.name")
    signatories: Mapped[list[Signatory]] = relationship(
        order_by="Signatory.position", cascade="all, delete-orphan"
    )

    @property
    def is_open(self) -> bool:
        return self.status is CampaignStatus.OPEN

    def text(self, lang: str) -> CampaignText:
        """The text in `lang`, falling back to English, then to any language it has."""
        for candidate in (lang, "en", *self.texts):
            if candidate in self.texts:
                return self.texts[candidate]
        raise LookupError(f"campaign {self.slug!r} has no text")

    def title_in(self, lang: str) -> str:
        """The title in `lang` (or its fallback); the slug if it has no text yet."""
        try:
            return self.text(lang).title
        except LookupError:
            return self.slug


class Signatory(db.Model):  # type: ignore[name-defined]
    """A person who signs the campaign's letters, in the order the letters list them."""

    __tablename__ = "campaign_signatory"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")


class CampaignText(db.Model):  # type: ignore[name-defined]
    __tablename__ = "campaign_text"
    __table_args__ = (UniqueConstraint("campaign_id", "lang"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    statement: Mapped[str] = mapped_column(Text)
    demands: Mapped[str] = mapped_column(Text)

    campaign: Mapped[Campaign] = relationship(back_populates="texts")

    @property
    def sha256(self) -> str:
        return text_sha256(self.title, self.statement, self.demands)


def text_sha256(title: str, statement: str, demands: str) -> str:
    """The hash of the exact text a signer is shown: title, statement and demands."""
    shown = "\n\n".join((title, statement, demands))
    return hashlib.sha256(shown.encode()).hexdigest()


class CampaignTextVersion(db.Model):  # type: ignore[name-defined]
    """Every text ever shown to signers, kept so each signature's hash stays verifiable."""

    __tablename__ = "campaign_text_version"
    __table_args__ = (UniqueConstraint("campaign_id", "lang", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    lang: Mapped[str] = mapped_column(String(2))
    sha256: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    statement: Mapped[str] = mapped_column(Text)
    demands: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    campaign: Mapped[Campaign] = relationship()
