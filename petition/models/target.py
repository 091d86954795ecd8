"""Negotiating parties a campaign addresses, and which campaigns address them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from petition.extensions import db
from petition.models.types import UTCDateTime, str_enum, utcnow

campaign_target = Table(
    "campaign_target",
    db.metadata,
    Column("campaign_id", ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True),
    Column("target_id", ForeignKey("target.id", ondelete="CASCADE"), primary_key=True),
)


class NamesPolicy(enum.StrEnum):
    """What a party's delivery package says of who signed."""

    NAMED = "named"  # each signer as they chose to be shown, each listed organisation
    COUNTED = "counted"  # totals and the count by country only: for a party that would
    # endanger the people it received names of


class Target(db.Model):  # type: ignore[name-defined]
    __tablename__ = "target"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    lang: Mapped[str] = mapped_column(String(2))
    # The letter's addressee block: the office as the letter's grammar needs it (the dative
    # in Ukrainian and Russian: "Президентові України"), then the person holding it.
    addressee: Mapped[str] = mapped_column(String(300), default="", server_default="")
    person: Mapped[str] = mapped_column(String(200), default="", server_default="")
    salutation: Mapped[str] = mapped_column(String(200), default="")
    closing: Mapped[str] = mapped_column(String(200), default="", server_default="")
    postal_address: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    names_policy: Mapped[NamesPolicy] = mapped_column(
        str_enum(NamesPolicy, "target_names_policy"),
        default=NamesPolicy.NAMED,
        server_default=NamesPolicy.NAMED.value,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
