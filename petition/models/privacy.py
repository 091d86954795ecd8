"""Keys for hashing client addresses; a key lives one day, then is deleted."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from petition.extensions import db
from petition.models.types import UTCDateTime, utcnow


class ClientHashKey(db.Model):  # type: ignore[name-defined]
    __tablename__ = "client_hash_key"

    day: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
