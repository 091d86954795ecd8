"""The organisation sign-on form and the representative's self-service form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from petition.coalition.logos import LogoRejected, process_logo
from petition.coalition.services import PublicDetails
from petition.forms import (
    Form,
    StatementForm,
    at_most,
    clean_text,
    country_choices,
    known_country,
    plain_paragraphs,
    plain_text,
    strip,
)
from petition.labels import KIND_LABELS
from petition.models import Listing, OrganisationKind
from petition.signing.forms import email_field


def short_text(label: object, limit: int, *, required: bool) -> StringField:
    first = DataRequired(_l("Please fill in this field.")) if required else Optional()
    return StringField(
        label,
        filters=[clean_text],
        validators=[
            first,
            at_most(limit),
            plain_text,
        ],
    )


def web_address(form: Form, field: Any) -> None:
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in {"http", "https"} or not parts.hostname or "." not in parts.hostname:
        raise ValidationError(_l("Please give a full address starting with https://"))


class PublicDetailsForm(Form):
    """What the public list shows; the representative may change it later."""

    name = short_text(_l("Organisation name"), 200, required=True)
    name_original = short_text(_l("Name in the original script (optional)"), 200, required=False)
    website = StringField(
        _l("Website (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=300), plain_text, web_address],
    )
    statement = TextAreaField(
        _l("Short public statement (optional)"),
        filters=[clean_text],
        description=_l("Plain text, at most 500 characters."),
        validators=[
            Optional(),
            at_most(500),
            plain_paragraphs,
        ],
    )
    logo = FileField(
        _l("Logo (optional)"),
        description=_l("PNG, JPEG or WebP, at most 2 MB."),
    )
    listing = RadioField(
        _l("How your organisation appears"),
        choices=[
            SelectChoice(Listing.PUBLIC.value, _l("Listed publicly, with name and logo")),
            SelectChoice(
                Listing.COUNTED.value, _l("Counted only: never named on this site or in letters")
            ),
        ],
        validators=[InputRequired(_l("Please choose how your organisation appears."))],
    )

    processed_logo: bytes | None = None

    def validate_logo(self, field: Any) -> None:
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            return
        try:
            self.processed_logo = process_logo(upload.read())
        except LogoRejected as rejected:
            raise ValidationError(str(rejected.message)) from rejected

    def public_details(self) -> PublicDetails:
        """The details given, once the form is valid."""
        return PublicDetails(
            name=self.name.data,
            name_original=self.name_original.data,
            website=self.website.data,
            statement=self.statement.data,
            listing=Listing(self.listing.data),
        )


class JoinForm(StatementForm, PublicDetailsForm):
    country = SelectField(
        _l("Country"),
        validators=[InputRequired(_l("Please choose the country.")), known_country],
        validate_choice=False,
    )
    kind = SelectField(
        _l("Type of organisation"),
        choices=[SelectChoice("", _l("Choose…"))]
        + [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[InputRequired(_l("Please choose the type of organisation."))],
    )
    rep_name = short_text(_l("Your name"), 120, required=True)
    rep_role = short_text(_l("Your role in the organisation"), 120, required=True)
    rep_email = email_field(
        _l("Your work email address"),
        _l("We send a link to confirm. It is never shown publicly."),
    )
    authorised = BooleanField(
        _l("I am authorised to sign on behalf of this organisation"),
        validators=[DataRequired(_l("Only someone authorised by the organisation may sign."))],
    )

    def __init__(self, lang: str, statement_sha256: str, **kwargs: Any) -> None:
        super().__init__(statement_sha256, **kwargs)
        self.country.choices = country_choices(lang)

    def validate_kind(self, field: Any) -> None:
        if field.data not in {kind.value for kind in OrganisationKind}:
            raise ValidationError(_l("Please choose the type of organisation."))
