"""Forms of the staff-account pages, the password reset request and the audit-trail filter."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length

from petition.forms import Form, strip
from petition.models import Role

ROLE_NAMES = {
    Role.ADMIN: _l("Admin"),
    Role.MODERATOR: _l("Moderator"),
    Role.EXPORTER: _l("Exporter"),
}
ROLE_CHOICES = [
    SelectChoice(
        Role.ADMIN.value, _l("Admin: everything, including staff accounts and the audit trail")
    ),
    SelectChoice(
        Role.MODERATOR.value,
        _l("Moderator: campaigns, negotiating parties, signatures and organisations"),
    ),
    SelectChoice(Role.EXPORTER.value, _l("Exporter: the dashboard and delivery exports")),
]

# What the buttons on an account's page do, besides changing its role.
ACCOUNT_ACTIONS = ("disable", "enable", "reset_second_factor", "send_password_link")


def _email_field(label: object) -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter an email address.")),
            Length(max=254),
            Email(_l("Please enter a valid email address, like name@example.org.")),
        ],
    )


def _role_field() -> RadioField:
    return RadioField(
        _l("Role"),
        choices=ROLE_CHOICES,
        validators=[DataRequired(_l("Please choose a role."))],
    )


class NewAccountForm(Form):
    email = _email_field(_l("Email address"))
    role = _role_field()


class RoleForm(Form):
    role = _role_field()


class AccountActionForm(Form):
    action = HiddenField(
        validators=[AnyOf(ACCOUNT_ACTIONS, message=_l("That is not something this page does."))]
    )


class ForgotPasswordForm(Form):
    email = _email_field(_l("Your staff email address"))
