"""Forms of the staff-account pages, the password reset request and the audit-trail filter."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional, ValidationError

from petition.forms import Form, plain_text, plausible_day, strip
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


class AuditFilterForm(Form):
    """Read from the query string: filtering changes nothing, so it needs no CSRF token."""

    class Meta:
        csrf = False

    action = SelectField(_l("Action"), choices=[], validators=[Optional()])
    actor = StringField(
        _l("Done by (email address)"),
        filters=[strip],
        validators=[Optional(), Length(max=254), plain_text],
    )
    object_type = StringField(
        _l("Object type"),
        description=_l("For example: staff, campaign, signature."),
        filters=[strip],
        validators=[Optional(), Length(max=30), plain_text],
    )
    object_id = StringField(
        _l("Object id"), filters=[strip], validators=[Optional(), Length(max=40), plain_text]
    )
    since = DateField(
        _l("From (date, UTC)"),
        validators=[Optional(), plausible_day],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )
    until = DateField(
        _l("To (date, UTC, included)"),
        validators=[Optional(), plausible_day],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )

    def __init__(self, actions: list[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("Any action"))]
        self.action.choices += [SelectChoice(action) for action in actions]

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date must not be before the start date."))
