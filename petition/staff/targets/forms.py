"""The form of the staff pages for negotiating parties."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Optional

from petition.forms import (
    Form,
    at_most,
    optional_email_field,
    plain_text,
    postal_address_field,
    strip,
)
from petition.i18n import LETTER_LANGUAGES
from petition.labels import NAMES_POLICY_LABELS
from petition.models import NamesPolicy
from petition.staff.forms import language_choices


class TargetForm(Form):
    name = StringField(
        lazy_pgettext("negotiating party", "Name"),
        filters=[strip],
        description=_l("How staff recognise this party, e.g. UN Secretary-General."),
        validators=[DataRequired(_l("Please enter a name.")), at_most(200), plain_text],
    )
    office = StringField(
        _l("Office or title of the addressee (optional)"),
        filters=[strip],
        validators=[Optional(), at_most(200), plain_text],
    )
    addressee = StringField(
        _l("Addressee line of the letter (optional)"),
        filters=[strip],
        description=_l(
            "The office as the letter's address block needs it, in the correspondence "
            "language: in Ukrainian and Russian in the dative, e.g. Президентові України, "
            "Президенту Российской Федерации. Empty: the office as written above."
        ),
        validators=[Optional(), at_most(300), plain_text],
    )
    person = StringField(
        _l("Person holding the office (optional)"),
        filters=[strip],
        description=_l("As the address block names them, in the same case as the line above."),
        validators=[Optional(), at_most(200), plain_text],
    )
    organisation = StringField(
        _l("Organisation (optional)"),
        filters=[strip],
        validators=[Optional(), at_most(200), plain_text],
    )
    lang = RadioField(
        _l("Correspondence language"),
        validators=[InputRequired(_l("Please choose a language."))],
    )
    names_policy = RadioField(
        _l("What its delivery packages say of who signed"),
        choices=[
            SelectChoice(policy.value, label) for policy, label in NAMES_POLICY_LABELS.items()
        ],
        coerce=NamesPolicy,
        default=NamesPolicy.NAMED,
        description=_l(
            "Choose “Counted only” for a party that could endanger people whose names it "
            "receives, e.g. the state of a country where signing is prosecuted. Signers are "
            "told which parties receive names."
        ),
        validators=[InputRequired(_l("Please choose what the packages say of who signed."))],
    )
    salutation = StringField(
        _l("Salutation (optional)"),
        filters=[strip],
        description=_l(
            "In the correspondence language, e.g. Dear Mr President, or Шановний пане "
            "Президенте! Empty: a courteous one for a named office, else Dear Sir or Madam."
        ),
        validators=[Optional(), at_most(200), plain_text],
    )
    closing = StringField(
        _l("Closing (optional)"),
        filters=[strip],
        description=_l(
            "Empty: “Yours sincerely,” after a named salutation, “Yours faithfully,” after "
            "“Dear Sir or Madam,” (and the same in the other languages)."
        ),
        validators=[Optional(), at_most(200), plain_text],
    )
    postal_address = postal_address_field()
    email = optional_email_field(_l("Email address (optional)"))

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang.choices = language_choices(LETTER_LANGUAGES)
