"""Signing in and out, second-factor enrolment, and setting a password."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from petition.extensions import db, limiter
from petition.models import StaffUser
from petition.ratelimit import rate_limit_key
from petition.staff import auth
from petition.staff.blueprint import bp
from petition.staff.permissions import Permission, View, require
from petition.staff.sign_in.forms import CodeForm, PasswordForm, SignInForm

PENDING_SECONDS = 300
# Where sign-in may return to: a path of the console made of plain segments. Nothing a
# browser could read as another site (//, a backslash), no dot segments, no control
# characters, no percent-escapes that could hide any of them.
RETURN_PATH = re.compile(r"/staff/(?:[\w-]+/)*[\w-]*", re.ASCII)


def load_signed_in_staff(session_id: str) -> StaffUser | None:
    """Flask-Login's user loader: check the server-side session and record activity."""
    user = auth.session_user(session_id)
    db.session.commit()  # keeps last-seen times and ends expired sessions
    return user


def _account_key(email: str) -> str:
    """Rate-limit key for the account being tried (a hash, not the address)."""
    digest = hashlib.sha256(auth.normalise_staff_email(email).encode()).hexdigest()
    return "staff-account:" + digest[:32]


def _typed_account() -> str:
    """At the password step: the address typed, known or not, so both are throttled alike."""
    return _account_key(request.form.get("email", ""))


def _pending_account() -> str:
    """At the code steps: the account whose password was checked, never a posted field."""
    user = _pending_user()
    return _account_key(user.email if user is not None else "")


def _failed(response: Response) -> bool:
    """Only a wrong password or code counts: a sign-in, an enrolment or a form error doesn't."""
    return response.status_code == 401


def _limits(account: Callable[[], str]) -> Callable[[View], View]:
    """Count failed sign-in steps per client address and per account."""
    by_client = limiter.limit(
        lambda: current_app.config["RATELIMIT_STAFF_SIGN_IN_CLIENT"],
        key_func=rate_limit_key,
        methods=["POST"],
        deduct_when=_failed,
        scope="staff-sign-in-client",
    )
    by_account = limiter.limit(
        lambda: current_app.config["RATELIMIT_STAFF_SIGN_IN_ACCOUNT"],
        key_func=account,
        methods=["POST"],
        deduct_when=_failed,
        scope="staff-sign-in-account",
    )

    def decorate(view: View) -> View:
        return by_client(by_account(view))  # type: ignore[return-value]

    return decorate


def _pending_user() -> StaffUser | None:
    """The account whose password was just checked, for the few minutes step two may take."""
    pending = session.get("staff_pending") or {}
    if time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(StaffUser, pending.get("user"))
    return user if user is not None and user.is_active else None


def _finish_sign_in(user: StaffUser) -> Response:
    session.clear()  # a fresh session at sign-in
    login_user(_with_session(user))
    db.session.commit()
    return redirect(_return_path() or url_for("staff.home"))


def _return_path() -> str | None:
    """The staff page sign-in was asked to return to, if it is one."""
    target = request.args.get("next", "")
    return target if RETURN_PATH.fullmatch(target) else None


def _with_session(user: StaffUser) -> StaffUser:
    user.bind_session(auth.start_session(user))
    return user


@bp.route("/sign-in", methods=["GET", "POST"])
@_limits(_typed_account)
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("staff.home"))
    form = SignInForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("staff/sign_in/sign_in.html", form=form), status
    user = auth.check_password(form.email.data, form.password.data)
    if user is None:
        db.session.commit()
        form.password.errors = [_("The email address or password is not right.")]
        return render_template("staff/sign_in/sign_in.html", form=form), 401
    return _second_step(user)


def _second_step(user: StaffUser) -> Response:
    """The password was right: remember whose it was, for the code (or enrolment) step."""
    session.clear()
    session["staff_pending"] = {"user": user.id, "at": time.time()}
    db.session.commit()
    step = "staff.second_factor" if user.totp_enrolled_at else "staff.enrol"
    return redirect(url_for(step, next=_return_path()))


@bp.route("/sign-in/code", methods=["GET", "POST"])
@_limits(_pending_account)
def second_factor() -> ResponseReturnValue:
    user = _pending_user()
    if user is None or user.totp_enrolled_at is None:
        return redirect(url_for("staff.sign_in"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template(
            "staff/sign_in/code.html", form=form
        ), 422 if form.is_submitted() else 200
    if not auth.check_second_factor(user, form.code.data):
        db.session.commit()
        form.code.errors = [_("That code is not right. Codes change every 30 seconds.")]
        return render_template("staff/sign_in/code.html", form=form), 401
    return _finish_sign_in(user)


def _qr_code(uri: str) -> Markup:
    svg = segno.make(uri, error="m").svg_inline(scale=5, title=_("QR code to scan"))
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - segno made it from our URI


@bp.route("/sign-in/enrol", methods=["GET", "POST"])
@_limits(_pending_account)
def enrol() -> ResponseReturnValue:
    user = _pending_user()
    if user is None or user.totp_enrolled_at is not None:
        return redirect(url_for("staff.sign_in"))
    form = CodeForm()
    page = {"form": form, "qr": _qr_code(auth.totp_uri(user)), "secret": user.totp_secret}
    if not form.validate_on_submit():
        return render_template(
            "staff/sign_in/enrol.html", **page
        ), 422 if form.is_submitted() else 200
    codes = auth.enrol_second_factor(user, form.code.data)
    if codes is None:
        form.code.errors = [_("That code is not right. Codes change every 30 seconds.")]
        return render_template("staff/sign_in/enrol.html", **page), 401
    response = _finish_sign_in(user)
    return render_template("staff/sign_in/recovery_codes.html", codes=codes, next=response.location)


@bp.post("/sign-out")
@require(Permission.SIGNED_IN)
def sign_out() -> ResponseReturnValue:
    auth.sign_out(current_user, current_user.get_id())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("staff.sign_in"))


@bp.post("/sign-out-everywhere")
@require(Permission.SIGNED_IN)
def sign_out_everywhere() -> ResponseReturnValue:
    auth.sign_out_everywhere(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out on every device."), "success")
    return redirect(url_for("staff.sign_in"))


@bp.route("/password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> ResponseReturnValue:
    if auth.password_token_user(token) is None:
        return render_template("staff/sign_in/password_link_invalid.html"), 404
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template(
            "staff/sign_in/password.html", form=form
        ), 422 if form.is_submitted() else 200
    user = auth.set_password(token, form.password.data)
    if user is None:
        return render_template("staff/sign_in/password_link_invalid.html"), 404
    db.session.commit()
    flash(_("Your password is set. Please sign in."), "success")
    return redirect(url_for("staff.sign_in"))
