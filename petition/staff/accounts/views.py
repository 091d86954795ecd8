"""Staff accounts (admins only), and the password reset request anyone may make."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from petition.extensions import db, limiter
from petition.i18n import select_locale
from petition.models import Role, StaffUser
from petition.ratelimit import rate_limit_key
from petition.staff.accounts import service as account_service
from petition.staff.accounts.forms import (
    ROLE_NAMES,
    AccountActionForm,
    ForgotPasswordForm,
    NewAccountForm,
    RoleForm,
)
from petition.staff.auth import AccountExists
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, require

DONE = {
    "disable": _l("The account is disabled and signed out everywhere."),
    "enable": _l("The account can sign in again."),
    "reset_second_factor": _l(
        "The second factor is reset. The account is signed out and sets up a new "
        "authenticator app at its next sign-in."
    ),
    "send_password_link": _l("A new link to set the password is on its way by email."),
}


@bp.get("/accounts")
@require(Permission.MANAGE_STAFF)
def accounts() -> ResponseReturnValue:
    users = account_service.list_accounts()
    return render_template("staff/accounts/list.html", users=users, role_names=ROLE_NAMES)


@bp.route("/accounts/new", methods=["GET", "POST"])
@require(Permission.MANAGE_STAFF)
def account_new() -> ResponseReturnValue:
    form = NewAccountForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/accounts/new.html", form=form), status
    try:
        user = account_service.create_account(
            form.email.data, Role(form.role.data), actor=current_user, lang=select_locale()
        )
    except AccountExists:
        form.email.errors = [_("There is already a staff account with this email address.")]
        return render_template("staff/accounts/new.html", form=form), 422
    db.session.commit()
    flash(_ready(user), "success")
    return redirect(url_for("staff.account_edit", user_id=user.id))


def _ready(user: StaffUser) -> str:
    return _(
        "The account for %(email)s is ready. A link to set a password is on its way to "
        "them; at their first sign-in they set up an authenticator app.",
        email=user.email,
    )


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@require(Permission.MANAGE_STAFF)
def account_edit(user_id: int) -> ResponseReturnValue:
    user = account_service.get_account(user_id)
    role_form = RoleForm(data={"role": user.role.value})
    action_form = AccountActionForm()
    if not action_form.is_submitted():
        return _account_page(user, role_form)
    try:
        done = _apply(user, role_form, action_form)
    except account_service.AccountChangeRefused as refused:
        db.session.rollback()
        return _account_page(user, role_form, refused=refused.message), 409
    if done is None:
        return _account_page(user, role_form, action_form), 422
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("staff.account_edit", user_id=user.id))


def _apply(user: StaffUser, role_form: RoleForm, action_form: AccountActionForm) -> str | None:
    """Do what the pressed button asks; the message to show, or None if the form is wrong."""
    if action_form.action.data == "role":
        if not role_form.validate():
            return None
        changed = account_service.change_role(user, Role(role_form.role.data), actor=current_user)
        return (
            _("The role is now %(role)s.", role=ROLE_NAMES[user.role])
            if changed
            else _("The role is unchanged.")
        )
    if not action_form.validate():
        return None
    action = action_form.action.data
    if action == "disable":
        account_service.disable_account(user, actor=current_user)
    elif action == "enable":
        account_service.enable_account(user, actor=current_user)
    elif action == "reset_second_factor":
        account_service.reset_second_factor(user, actor=current_user, lang=select_locale())
    else:
        account_service.send_password_link(user, actor=current_user, lang=select_locale())
    return str(DONE[action])


def _account_page(
    user: StaffUser,
    role_form: RoleForm,
    action_form: AccountActionForm | None = None,
    *,
    refused: object = None,
) -> str:
    return render_template(
        "staff/accounts/edit.html",
        user=user,
        role_form=role_form,
        action_form=action_form,
        refused=refused,
        role_names=ROLE_NAMES,
        is_self=user.id == current_user.id,
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["RATELIMIT_STAFF_PASSWORD_RESET"],
    key_func=rate_limit_key,
    methods=["POST"],
    scope="staff-password-reset",
)
def forgot_password() -> ResponseReturnValue:
    """Open to anyone; the answer is the same whether or not the address has an account."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/accounts/forgot_password.html", form=form), status
    account_service.request_password_reset(form.email.data, lang=select_locale())
    db.session.commit()
    return render_template("staff/accounts/forgot_password_sent.html")
