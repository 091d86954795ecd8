"""Managing staff accounts: create, change role, disable, reset, send password links.

Every change is recorded in the audit trail in the same transaction; services only flush,
the view commits. Password links go out through the outbox; its builder issues the token
at sending time, so no raw token is ever stored.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from petition import audit
from petition.extensions import db
from petition.mail.outbox import enqueue
from petition.models import Role, StaffUser
from petition.models.types import utcnow
from petition.staff import auth

PASSWORD_LINK_MAIL = "staff_password_link"  # noqa: S105 - a mail kind, not a secret


class AccountChangeRefused(Exception):
    """A change that is not allowed; the message says why, for the person who tried."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def list_accounts() -> list[StaffUser]:
    return list(db.session.scalars(select(StaffUser).order_by(StaffUser.email)))


def get_account(user_id: int) -> StaffUser:
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound
    return user


def create_account(email: str, role: Role, *, actor: StaffUser, lang: str) -> StaffUser:
    """A new account; its person gets a mail with a link to choose a password, then enrols
    an authenticator app at first sign-in. Raises auth.AccountExists."""
    user = _add(email, role, actor=actor).user  # its own token is never sent: the mail has one
    _queue_password_link(user, lang=lang, reason="new_account")
    audit.record(
        "staff.password_link_sent",
        actor=actor,
        object_type="staff",
        object_id=user.id,
        detail="new account",
    )
    return user


def create_from_command_line(email: str, role: Role) -> auth.NewAccount:
    """A new account made by the operator, whose set-up link and TOTP URI are printed rather
    than mailed. Raises auth.AccountExists."""
    return _add(email, role, actor=None, how=" (command line)")


def _add(email: str, role: Role, *, actor: StaffUser | None, how: str = "") -> auth.NewAccount:
    account = auth.add_staff(email, role)
    audit.record(
        "staff.account_created",
        actor=actor,
        object_type="staff",
        object_id=account.user.id,
        detail=f"role={role.value}{how}",
    )
    return account


def change_role(user: StaffUser, role: Role, *, actor: StaffUser) -> bool:
    """Give `user` another role; False when it already had it. An admin keeps their own."""
    if user.id == actor.id and role is not Role.ADMIN:
        raise AccountChangeRefused(
            _l("You cannot remove your own admin role. Another admin can do that.")
        )
    if user.role is role:
        return False
    old, user.role = user.role, role
    audit.record(
        "staff.role_changed",
        actor=actor,
        object_type="staff",
        object_id=user.id,
        detail=f"{old.value} → {role.value}",
    )
    return True


def disable_account(user: StaffUser, *, actor: StaffUser) -> None:
    """Stop an account from signing in, and sign it out everywhere now."""
    if user.id == actor.id:
        raise AccountChangeRefused(
            _l("You cannot disable your own account. Another admin can do that.")
        )
    if user.disabled_at is not None:
        return
    user.disabled_at = utcnow()
    auth.end_all_sessions(user)
    audit.record("staff.account_disabled", actor=actor, object_type="staff", object_id=user.id)


def enable_account(user: StaffUser, *, actor: StaffUser) -> None:
    """Let a disabled account sign in again (its old sessions stay ended)."""
    if user.disabled_at is None:
        return
    user.disabled_at = None
    audit.record("staff.account_enabled", actor=actor, object_type="staff", object_id=user.id)


def reset_second_factor(user: StaffUser, *, actor: StaffUser, lang: str) -> None:
    """Forget the authenticator, recovery codes and password; mail a link to choose a new
    password, after which a new authenticator is enrolled at sign-in."""
    auth.reset_second_factor(user)
    _queue_password_link(user, lang=lang, reason="second_factor_reset")
    audit.record("staff.second_factor_reset", actor=actor, object_type="staff", object_id=user.id)


def send_password_link(user: StaffUser, *, actor: StaffUser, lang: str) -> None:
    """Mail the account a new one-time link to set its password (earlier links stop working
    when this one is issued)."""
    if user.disabled_at is not None:
        raise AccountChangeRefused(
            _l("This account is disabled. Enable it before sending a password link.")
        )
    _queue_password_link(user, lang=lang, reason="admin")
    audit.record(
        "staff.password_link_sent",
        actor=actor,
        object_type="staff",
        object_id=user.id,
        detail="by an admin",
    )


def request_password_reset(email: str, *, lang: str) -> None:
    """Someone forgot a password: mail a link if the address is a staff account that is not
    disabled. The caller answers the same either way."""
    user = auth.find_staff(email)
    if user is None:
        # The typed address is not kept: it may be anyone's.
        audit.record("staff.password_reset_requested", actor=None, detail="unknown address")
        return
    if user.disabled_at is not None:
        audit.record(
            "staff.password_reset_requested",
            actor=None,
            object_type="staff",
            object_id=user.id,
            detail="account disabled: no mail",
        )
        return
    _queue_password_link(user, lang=lang, reason="reset")
    audit.record(
        "staff.password_reset_requested",
        actor=None,
        object_type="staff",
        object_id=user.id,
        detail="link mailed",
    )


def _queue_password_link(user: StaffUser, *, lang: str, reason: str) -> None:
    # Only the account's id: the token is issued by the mail builder when the mail is sent.
    enqueue(
        PASSWORD_LINK_MAIL,
        lang=lang,
        recipient=user.email,
        payload={"staff_user_id": user.id, "reason": reason},
    )
