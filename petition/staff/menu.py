"""The staff navigation: each entry shows only to those who may open it."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from petition.staff.permissions import Permission, can

MENU = (
    ("staff.home", _l("Dashboard"), Permission.VIEW_DASHBOARD),
    ("staff.campaigns", _l("Campaigns"), Permission.EDIT_CAMPAIGNS),
    ("staff.targets", _l("Negotiating parties"), Permission.MANAGE_TARGETS),
    ("staff.signatures", _l("Signatures"), Permission.REVIEW_SIGNATURES),
    ("staff.organisations", _l("Organisations"), Permission.REVIEW_ORGANISATIONS),
    ("staff.exports", _l("Exports"), Permission.EXPORT),
    ("staff.deliveries", _l("Delivery"), Permission.EXPORT),
    ("staff.accounts", _l("Staff accounts"), Permission.MANAGE_STAFF),
    ("staff.audit_trail", _l("Audit trail"), Permission.VIEW_AUDIT),
)


def staff_menu() -> list[tuple[str, object, Permission]]:
    return [entry for entry in MENU if entry[0] in current_app.view_functions and can(entry[2])]
