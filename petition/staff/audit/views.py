"""The audit trail (admins only): read, filter and page through; never change or delete."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from petition.audit import AuditFilter, AuditPage, find_events, recorded_actions
from petition.database import MAX_ROW_ID
from petition.staff.audit.forms import AuditFilterForm
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, require

FILTERS = ("action", "actor", "object_type", "object_id", "since", "until")


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
    page = find_events(_wanted(form), before=_cursor("before"), after=_cursor("after"))
    kept = {name: request.args[name] for name in FILTERS if request.args.get(name)}
    return render_template(
        "staff/audit/list.html",
        form=form,
        page=page,
        page_url=partial(_page_url, kept),
        filtered=bool(kept),
    )


def _cursor(name: str) -> int | None:
    return request.args.get(name, type=_event_id)


def _wanted(form: AuditFilterForm) -> AuditFilter:
    return AuditFilter(
        action=form.action.data or None,
        actor_email=form.actor.data or None,
        object_type=form.object_type.data or None,
        object_id=form.object_id.data or None,
        since=form.since.data,
        until=form.until.data,
    )


def _page_url(kept: dict[str, str], **cursor: int) -> str:
    """The same filtered trail from another page on."""
    values: dict[str, Any] = {**kept, **cursor}
    return url_for("staff.audit_trail", **values)
