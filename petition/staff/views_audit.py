"""The audit trail (admins only): read, filter and page through; never change or delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.orm import selectinload

from petition.database import MAX_ROW_ID
from petition.extensions import db
from petition.models import AuditEvent, StaffUser
from petition.staff.auth import normalise_staff_email
from petition.staff.blueprint import bp
from petition.staff.forms_accounts import AuditFilterForm
from petition.staff.permissions import Permission, require

PAGE_SIZE = 50
FILTERS = ("action", "actor", "object_type", "object_id", "since", "until")


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


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


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
        query = query.where(AuditEvent.at >= _midnight(wanted.since))
    if wanted.until:
        query = query.where(AuditEvent.at < _midnight(wanted.until + timedelta(days=1)))
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


def _event_id(raw: str) -> int:
    """A paging cursor: an event's id. Anything else raises ValueError, which `args.get`
    takes as no cursor at all."""
    number = int(raw)
    if not 0 < number <= MAX_ROW_ID:
        raise ValueError(raw)
    return number


@bp.get("/audit")
@require(Permission.VIEW_AUDIT)
def audit_trail() -> ResponseReturnValue:
    form = AuditFilterForm(recorded_actions(), formdata=request.args)
    if not form.validate():
        page = AuditPage(events=[], newer_than=None, older_than=None)
        return render_template("staff/audit/list.html", form=form, page=page), 422
    wanted = AuditFilter(
        action=form.action.data or None,
        actor_email=form.actor.data or None,
        object_type=form.object_type.data or None,
        object_id=form.object_id.data or None,
        since=form.since.data,
        until=form.until.data,
    )
    page = find_events(
        wanted,
        before=request.args.get("before", type=_event_id),
        after=request.args.get("after", type=_event_id),
    )
    kept = {name: request.args[name] for name in FILTERS if request.args.get(name)}

    def page_url(**cursor: int) -> str:
        values: dict[str, Any] = {**kept, **cursor}
        return url_for("staff.audit_trail", **values)

    return render_template(
        "staff/audit/list.html", form=form, page=page, page_url=page_url, filtered=bool(kept)
    )
