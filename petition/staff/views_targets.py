"""Staff pages for negotiating parties: the people and bodies a campaign addresses."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from petition import audit
from petition.extensions import db
from petition.staff import campaigns as service
from petition.staff.blueprint import bp
from petition.staff.forms_campaigns import TargetForm, language_names
from petition.staff.permissions import Permission, require


def _fields(form: TargetForm) -> service.TargetFields:
    return service.TargetFields(
        name=form.name.data,
        office=form.office.data or "",
        organisation=form.organisation.data or "",
        lang=form.lang.data,
        salutation=form.salutation.data or "",
        postal_address=form.postal_address.data or "",
        email=form.email.data or "",
    )


def _name_taken(form: TargetForm) -> None:
    form.name.errors = [_("Another negotiating party already has this name.")]


@bp.get("/targets")
@require(Permission.MANAGE_TARGETS)
def targets() -> ResponseReturnValue:
    return render_template(
        "staff/targets/list.html", targets=service.list_targets(), languages=language_names()
    )


@bp.route("/targets/new", methods=["GET", "POST"])
@require(Permission.MANAGE_TARGETS)
def target_new() -> ResponseReturnValue:
    form = TargetForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/targets/form.html", form=form, target=None), status
    try:
        target = service.create_target(_fields(form))
    except service.TargetNameTaken:
        _name_taken(form)
        return render_template("staff/targets/form.html", form=form, target=None), 422
    audit.record(
        "target.created",
        actor=current_user,
        object_type="target",
        object_id=target.id,
        detail=f"lang={target.lang}",
    )
    db.session.commit()
    flash(_("%(name)s is added.", name=target.name), "success")
    return redirect(url_for("staff.targets"))


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_TARGETS)
def target_edit(target_id: int) -> ResponseReturnValue:
    target = service.get_target(target_id)
    form = TargetForm(obj=service.target_fields(target))
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/targets/form.html", form=form, target=target), status
    try:
        changed = service.update_target(target, _fields(form))
    except service.TargetNameTaken:
        _name_taken(form)
        return render_template("staff/targets/form.html", form=form, target=target), 422
    if not changed:
        flash(_("Nothing was changed."), "info")
        return redirect(url_for("staff.target_edit", target_id=target.id))
    audit.record(
        "target.updated",
        actor=current_user,
        object_type="target",
        object_id=target.id,
        detail=", ".join(changed),
    )
    db.session.commit()
    flash(_("The details of %(name)s are saved.", name=target.name), "success")
    return redirect(url_for("staff.targets"))
