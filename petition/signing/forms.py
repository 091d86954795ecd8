"""The signing form: labelled fields, clear translated errors, and quiet bot checks."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, TimestampSigner
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from petition.countries import country_names
from petition.models import Display

# Characters no name, city or address legitimately contains: controls (including NUL)
# and U+FFFD, which stands in for bytes that were not valid UTF-8.
FORBIDDEN = {chr(c) for c in range(32)} | {chr(127), "\ufffd"}


def plain_text(form: FlaskForm, field: Any) -> None:
    if field.data and any(ch in FORBIDDEN for ch in field.data):
        raise ValidationError(_l("This contains characters we cannot accept."))


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="form-opened")


class SignatureForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your name.")),
            Length(max=120, message=_l("Please use at most 120 characters.")),
            plain_text,
        ],
    )
    email = EmailField(
        _l("Email address"),
        filters=[strip],
        description=_l("We send you a link to confirm. Your address is never shown."),
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=254, message=_l("Please use at most 254 characters.")),
            plain_text,
            Email(_l("This does not look like an email address."), check_deliverability=False),
        ],
    )
    country = SelectField(
        _l("Country"),
        validators=[InputRequired(_l("Please choose your country."))],
        validate_choice=False,
    )
    city = StringField(
        _l("City (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=80, message=_l("Please use at most 80 characters.")),
            plain_text,
        ],
    )
    display = RadioField(
        _l("How your signature appears"),
        choices=[
            SelectChoice(Display.ANONYMOUS.value, _l("Anonymous: counted, never named")),
            SelectChoice(Display.INITIALS.value, _l("Initials only")),
            SelectChoice(Display.FULL.value, _l("Full name")),
        ],
        default=Display.ANONYMOUS.value,
        validators=[InputRequired(_l("Please choose how your signature appears."))],
    )
    wants_updates = BooleanField(_l("Send me occasional updates about this campaign"))
    statement_sha256 = HiddenField()
    opened = HiddenField()
    # A honeypot: hidden from people, filled in by naive bots.
    website = StringField(_l("Leave this field empty"))

    def __init__(self, lang: str, statement_sha256: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown_statement = statement_sha256
        self.country.choices = [
            SelectChoice("", _l("Choose…")),
            *(SelectChoice(code, name) for code, name in country_names(lang).items()),
        ]
        if not self.is_submitted():
            self.opened.data = _signer().sign(str(time.time())).decode()
            self.statement_sha256.data = statement_sha256

    def validate_statement_sha256(self, field: Any) -> None:
        if field.data != self.shown_statement:
            field.data = self.shown_statement
            raise ValidationError(
                _l("The statement was updated while you were reading. Please read it again.")
            )

    def validate_country(self, field: Any) -> None:
        if field.data not in country_names("en"):
            raise ValidationError(_l("Please choose your country."))

    def validate_opened(self, field: Any) -> None:
        minimum = current_app.config["SIGN_MIN_SECONDS"]
        try:
            opened_at = float(_signer().unsign(field.data or "").decode())
        except (BadSignature, ValueError) as error:
            raise ValidationError(_l("Please reload the page and try again.")) from error
        if time.time() - opened_at < minimum:
            raise ValidationError(
                _l("That was very quick. Please check your details and send the form again.")
            )

    @property
    def is_bot(self) -> bool:
        return bool(self.website.data)


class EmailForm(FlaskForm):
    """Asks only for an address, to send a fresh confirmation link."""

    email = SignatureForm.email
