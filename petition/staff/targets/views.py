"""Staff pages for negotiating parties: the people and bodies a campaign addresses."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from petition.campaigns import targets as parties
from petition.extensions import db
from petition.i18n import letter_language_names
from petition.labels import NAMES_POLICY_LABELS
from petition.models import Target
from petition.staff.blueprint import bp, commit_if_changed
from petition.staff.permissions import Permission, require
from petition.staff.targets.forms import TargetForm


def _fields(form: TargetForm) -> parties.TargetFields:
    return parties.TargetFields(
        name=form.name.data,
        office=form.office.data or "",
        organisation=form.organisation.data or "",
        lang=form.lang.data,
        salutation=form.salutation.data or "",
        addressee=form.addressee.data or "",
        person=form.person.data or "",
        closing=form.closing.data or "",
        postal_address=form.postal_address.data or "",
        email=form.email.data or "",
        names_policy=form.names_policy.data,
    )


def _form_page(form: TargetForm, target: Target | None, status: int) -> ResponseReturnValue:
    return render_template("staff/targets/form.html", form=form, target=target), status


def _name_taken(form: TargetForm, target: Target | None) -> ResponseReturnValue:
    form.name.errors = [_("Another negotiating party already has this name.")]
    return _form_page(form, target, 422)


@bp.get("/targets")
@require(Permission.MANAGE_TARGETS)
def targets() -> ResponseReturnValue:
    return render_template(
        "staff/targets/list.html",
        targets=parties.list_targets(),
        languages=letter_language_names(),
        policies=NAMES_POLICY_LABELS,
    )


@bp.route("/targets/new", methods=["GET", "POST"])
@require(Permission.MANAGE_TARGETS)
def target_new() -> ResponseReturnValue:
    form = TargetForm()
    if not form.validate_on_submit():
        return _form_page(form, None, 422 if form.is_submitted() else 200)
    try:
        target = parties.create_target(_fields(form), actor=current_user)
    except parties.TargetNameTaken:
        return _name_taken(form, None)
    db.session.commit()
    flash(_("%(name)s is added.", name=target.name), "success")
    return redirect(url_for("staff.targets"))


@bp.route("/targets/<int:target_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_TARGETS)
def target_edit(target_id: int) -> ResponseReturnValue:
    target = parties.get_target(target_id)
    form = TargetForm(obj=parties.target_fields(target))
    if not form.validate_on_submit():
        return _form_page(form, target, 422 if form.is_submitted() else 200)
    try:
        changed = parties.update_target(target, _fields(form), actor=current_user)
    except parties.TargetNameTaken:
        return _name_taken(form, target)
    if not commit_if_changed(changed, _("The details of %(name)s are saved.", name=target.name)):
        return redirect(url_for("staff.target_edit", target_id=target.id))
    return redirect(url_for("staff.targets"))
