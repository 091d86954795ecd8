"""The append-only audit trail of staff actions: recording them, and reading them back page by
page (nothing changes or deletes an entry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import selectinload

from petition.extensions import db
from petition.models import AuditEvent, StaffUser
from petition.models.staff import normalise_staff_email
from petition.models.types import utc_midnight

PAGE_SIZE = 50


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


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    actor_email: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: date | None = None
    until: date | None = None  # included


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEvent]
    newer_than: int | None  # the id to page back from, when newer events exist
    older_than: int | None  # the id to page on from, when older events exist


def recorded_actions() -> list[str]:
    """Every action the trail holds, for the filter's choices."""
    query = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(query))


def _filtered(wanted: AuditFilter) -> Select[AuditEvent]:
    query = select(AuditEvent).options(selectinload(AuditEvent.actor))
    if wanted.action:
        query = query.where(AuditEvent.action == wanted.action)
    if wanted.actor_email:
        query = query.join(AuditEvent.actor).where(
            StaffUser.email == normalise_staff_email(wanted.actor_email)
        )
    if wanted.object_type:
        query = query.where(AuditEvent.object_type == wanted.object_type.strip())
    if wanted.object_id:
        query = query.where(AuditEvent.object_id == wanted.object_id.strip())
    if wanted.since:
        query = query.where(AuditEvent.at >= utc_midnight(wanted.since))
    if wanted.until:
        query = query.where(AuditEvent.at < utc_midnight(wanted.until + timedelta(days=1)))
    return query


def _beyond(anchor: AuditEvent, *, older: bool) -> ColumnElement[bool]:
    """Events strictly older (or newer) than `anchor` in (time, id) order."""
    if older:
        return or_(
            AuditEvent.at < anchor.at, and_(AuditEvent.at == anchor.at, AuditEvent.id < anchor.id)
        )
    return or_(
        AuditEvent.at > anchor.at, and_(AuditEvent.at == anchor.at, AuditEvent.id > anchor.id)
    )


def find_events(
    wanted: AuditFilter, *, before: int | None = None, after: int | None = None
) -> AuditPage:
    """One page, newest first, by keyset: no OFFSET scan and no COUNT over the table."""
    query = _filtered(wanted)
    anchor_id = before or after
    anchor = db.session.get(AuditEvent, anchor_id) if anchor_id else None
    if anchor is not None and after and not before:
        newer_first = query.where(_beyond(anchor, older=False))
        rows = list(
            db.session.scalars(
                newer_first.order_by(AuditEvent.at, AuditEvent.id).limit(PAGE_SIZE + 1)
            )
        )
        more = len(rows) > PAGE_SIZE
        events = list(reversed(rows[:PAGE_SIZE]))
        return AuditPage(
            events=events,
            newer_than=events[0].id if more and events else None,
            older_than=events[-1].id if events else None,
        )
    if anchor is not None:
        query = query.where(_beyond(anchor, older=True))
    rows = list(
        db.session.scalars(
            query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(PAGE_SIZE + 1)
        )
    )
    events = rows[:PAGE_SIZE]
    return AuditPage(
        events=events,
        newer_than=events[0].id if anchor is not None and events else None,
        older_than=events[-1].id if len(rows) > PAGE_SIZE else None,
    )
