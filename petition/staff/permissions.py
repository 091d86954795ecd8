"""Who may do what: the one place that maps roles to permissions."""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from petition.models import Role


class Permission(enum.StrEnum):
    SIGNED_IN = "signed_in"  # any active staff member: their own account, sign-out
    VIEW_DASHBOARD = "view_dashboard"
    EDIT_CAMPAIGNS = "edit_campaigns"
    MANAGE_TARGETS = "manage_targets"
    REVIEW_SIGNATURES = "review_signatures"
    REVIEW_ORGANISATIONS = "review_organisations"
    EXPORT = "export"
    MANAGE_STAFF = "manage_staff"
    VIEW_AUDIT = "view_audit"
    # Admins only. An update is mass mail to people who may be at risk for having signed:
    # it cannot be recalled, and what it says reaches every consenting signer's inbox. A
    # moderator edits pages that can be corrected a minute later; this cannot.
    SEND_UPDATES = "send_updates"
    # Admins only. A paper batch adds to the public count and to every delivery package on
    # the word of whoever enters it; there is no signer behind it to confirm by mail.
    RECORD_PAPER = "record_paper"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.MODERATOR: frozenset(
        {
            Permission.SIGNED_IN,
            Permission.VIEW_DASHBOARD,
            Permission.EDIT_CAMPAIGNS,
            Permission.MANAGE_TARGETS,
            Permission.REVIEW_SIGNATURES,
            Permission.REVIEW_ORGANISATIONS,
        }
    ),
    Role.EXPORTER: frozenset({Permission.SIGNED_IN, Permission.VIEW_DASHBOARD, Permission.EXPORT}),
}

# endpoint → the permission its view requires; filled in by @require, read by the tests.
ENDPOINT_PERMISSIONS: dict[str, Permission] = {}

View = TypeVar("View", bound=Callable[..., Any])


def can(permission: Permission) -> bool:
    """Whether the signed-in staff member holds `permission` (templates use this too)."""
    if not current_user.is_authenticated:
        return False
    return permission in ROLE_PERMISSIONS[current_user.role]


def require(permission: Permission) -> Callable[[View], View]:
    """Guard a staff view: sign-in for visitors, 403 for staff without the permission."""

    def decorate(view: View) -> View:
        ENDPOINT_PERMISSIONS[f"staff.{view.__name__}"] = permission

        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return redirect(url_for("staff.sign_in", next=request.path))
            if not can(permission):
                abort(403)
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate
