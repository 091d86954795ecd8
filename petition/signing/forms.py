"""The signing form: labelled fields, clear translated errors, and quiet bot checks."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from petition.forms import (
    Form,
    StatementForm,
    clean_text,
    country_choices,
    known_country,
    plain_text,
    strip,
)
from petition.labels import DISPLAY_LABELS
from petition.models import Display


def email_field(label: object, description: object = None) -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        description=description,
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=254, message=_l("Please use at most 254 characters.")),
            plain_text,
            Email(_l("This does not look like an email address."), check_deliverability=False),
        ],
    )


class SignatureForm(StatementForm):
    name = StringField(
        _l("Your name"),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(max=120, message=_l("Please use at most 120 characters.")),
            plain_text,
        ],
    )
    email = email_field(
        _l("Email address"), _l("We send you a link to confirm. Your address is never shown.")
    )
    country = SelectField(
        _l("Country"),
        validators=[InputRequired(_l("Please choose your country.")), known_country],
        validate_choice=False,
    )
    city = StringField(
        _l("City (optional)"),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=80, message=_l("Please use at most 80 characters.")),
            plain_text,
        ],
    )
    display = RadioField(
        _l("How your signature appears"),
        choices=[SelectChoice(display.value, label) for display, label in DISPLAY_LABELS.items()],
        default=Display.ANONYMOUS.value,
        validators=[InputRequired(_l("Please choose how your signature appears."))],
    )
    wants_updates = BooleanField(_l("Send me occasional updates about this campaign"))
    # A partner's share code (`?via=`), carried only here; no validator: whatever it holds,
    # the service ignores it unless it is live (signing.partners), and never says so.
    via = HiddenField()
    for_partner = BooleanField(_l("Count my signature for this organisation"), default=True)

    def __init__(self, lang: str, statement_sha256: str, **kwargs: Any) -> None:
        super().__init__(statement_sha256, **kwargs)
        self.country.choices = country_choices(lang)


class EmailForm(Form):
    """Asks only for an address, to send a fresh link."""

    email = email_field(_l("Email address"))
