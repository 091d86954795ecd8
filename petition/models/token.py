"""Single-use links: only a hash of each token is stored."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from petition.extensions import db
from petition.models.organisation import Organisation
from petition.models.signature import Signature
from petition.models.staff import StaffUser
from petition.models.types import UTCDateTime, str_enum, utcnow


class TokenPurpose(enum.StrEnum):
    CONFIRM_SIGNATURE = "confirm_sig"
    SET_PASSWORD = "set_password"  # noqa: S105 - a purpose name, not a secret
    MANAGE_SIGNATURE = "manage_sig"
    CONFIRM_ORGANISATION = "confirm_org"
    MANAGE_ORGANISATION = "manage_org"
    # A campaign update's List-Unsubscribe link: mail systems log and forward headers, so
    # this token can do nothing but stop updates.
    STOP_UPDATES = "stop_updates"


class LinkToken(db.Model):  # type: ignore[name-defined]
    __tablename__ = "link_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[TokenPurpose] = mapped_column(str_enum(TokenPurpose, "token_purpose"))
    signature_id: Mapped[int | None] = mapped_column(
        ForeignKey("signature.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    signature: Mapped[Signature | None] = relationship()
    staff_user: Mapped[StaffUser | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
