"""Recording staff actions in the append-only audit trail."""

from __future__ import annotations

from petition.extensions import db
from petition.models import AuditEvent, StaffUser


def record(
    action: str,
    *,
    actor: StaffUser | None,
    object_type: str | None = None,
    object_id: object = None,
    detail: str = "",
) -> AuditEvent:
    """Add an audit event to the current transaction: it commits with the action itself."""
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=detail[:500],
    )
    db.session.add(event)
    return event
