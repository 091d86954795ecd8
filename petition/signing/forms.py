"""The signing form: labelled fields, clear translated errors, and quiet bot checks."""

from __future__ import annotations

import re
from typing import Any

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from petition.countries import country_names
from petition.forms import (
    Form,
    StatementForm,
    clean_text,
    country_choices,
    is_plain,
    known_country,
    plain_text,
    seconds_open,
    strip,
)
from petition.labels import DISPLAY_LABELS
from petition.models import Display
from petition.signing.services import SignatureRequest

NAME_MAX, EMAIL_MAX, CITY_MAX = 120, 254, 80
DISPLAYS = {display.value: display for display in Display}
# Most addresses, which email-validator accepts without a doubt (tests/signing/
# test_plainly_valid.py checks that it does): dot-separated ASCII words of at most 64
# characters before the @; after it, labels of letters, digits and inner hyphens, none
# with the hyphens of an IDNA label ("xn--") in third and fourth place, and a last label
# of letters. email-validator decides every other address, at ten times the cost.
PLAIN_ADDRESS = re.compile(
    r"(?=[^@]{1,64}@)[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
    r"@(?:(?![A-Za-z0-9]{2}--)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


def email_field(label: object, description: object = None) -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        description=description,
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=EMAIL_MAX, message=_l("Please use at most 254 characters.")),
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
            Length(max=NAME_MAX, message=_l("Please use at most 120 characters.")),
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
            Length(max=CITY_MAX, message=_l("Please use at most 80 characters.")),
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

    def request(self, lang: str) -> SignatureRequest:
        """What the (validated) form asks for, signed in `lang`."""
        return SignatureRequest(
            name=self.name.data,
            email=self.email.data,
            country=self.country.data,
            city=self.city.data,
            display=Display(self.display.data),
            wants_updates=self.wants_updates.data,
            lang=lang,
            statement_sha256=self.statement_sha256.data,
            partner_code=self.via.data if self.for_partner.data else None,
        )


def plainly_valid(
    formdata: MultiDict[str, str], lang: str, statement_sha256: str
) -> SignatureRequest | None:
    """The request a signing POST makes when it passes every check of SignatureForm, read
    without building the form (which costs more than the rest of the POST's own work);
    None when anything is missing, wrong, or filled in by a bot: SignatureForm then reads
    the POST and says what is wrong. tests/signing/test_plainly_valid.py holds the two to
    the same answers."""
    name, city = clean_text(formdata.get("name", "")), clean_text(formdata.get("city", ""))
    email, display = strip(formdata.get("email", "")), DISPLAYS.get(formdata.get("display", ""))
    if display is None or not (
        formdata.get("statement_sha256") == statement_sha256
        and not formdata.get("website_url")
        and _open_long_enough(formdata.get("opened"))
        and _plain_within(name, NAME_MAX)
        and _plain_within(email, EMAIL_MAX)
        and _is_email(email)
        and (not city or _plain_within(city, CITY_MAX))
        and formdata.get("country") in country_names("en")
    ):
        return None
    return SignatureRequest(
        name=name,
        email=email,
        country=formdata["country"],
        city=city,
        display=display,
        wants_updates=_ticked(formdata, "wants_updates"),
        lang=lang,
        statement_sha256=statement_sha256,
        partner_code=formdata.get("via") if _ticked(formdata, "for_partner") else None,
    )


def _open_long_enough(opened: str | None) -> bool:
    seconds = seconds_open(opened)
    return seconds is not None and seconds >= current_app.config["SIGN_MIN_SECONDS"]


def _plain_within(text: str, most: int) -> bool:
    """A text a person typed, after its filter: there, at most `most` characters, plain."""
    return 0 < len(text) <= most and is_plain(text)


def _is_email(address: str) -> bool:
    if PLAIN_ADDRESS.fullmatch(address) and not _special_use(address.rpartition("@")[2]):
        return True
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _special_use(domain: str) -> bool:
    """A domain that email-validator refuses as one no mail is delivered to (`localhost`,
    `*.test`, …)."""
    lowered = domain.lower()
    return any(lowered == name or lowered.endswith("." + name) for name in SPECIAL_USE_DOMAIN_NAMES)


def _ticked(formdata: MultiDict[str, str], name: str) -> bool:
    return formdata.get(name, "") not in BooleanField.false_values


class EmailForm(Form):
    """Asks only for an address, to send a fresh link."""

    email = email_field(_l("Email address"))
