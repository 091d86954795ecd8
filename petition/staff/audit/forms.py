"""The audit trail's filter."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from petition.forms import Form, plain_text, plausible_day, strip


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
