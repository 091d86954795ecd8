"""The audit trail: an append-only record of every staff action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from petition.extensions import db
from petition.models.staff import StaffUser
from petition.models.types import UTCDateTime, utcnow


class AuditEvent(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_action_at", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str | None] = mapped_column(String(30))
    object_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(500), default="")

    actor: Mapped[StaffUser | None] = relationship()


class AuditTrailIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit row."""


def _refuse_audit_changes(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditTrailIsAppendOnly(f"audit event {obj.id} cannot be changed")


event.listen(Session, "before_flush", _refuse_audit_changes)
