"""What every public form shares: safe text fields, country choices and quiet bot checks."""

from __future__ import annotations

import time
import unicodedata
from datetime import date
from functools import cache
from typing import Any

from babel import support
from flask import current_app, request
from flask_babel import get_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.form import SUBMIT_METHODS, _Auto
from itsdangerous import BadSignature, TimestampSigner
from werkzeug.datastructures import CombinedMultiDict, FileStorage, MultiDict
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import Email, Length, Optional, ValidationError

from petition.countries import country_names

# Characters no name, city or address legitimately contains: controls (including NUL)
# and U+FFFD, which stands in for bytes that were not valid UTF-8.
FORBIDDEN = {chr(c) for c in range(32)} | {chr(127), "\ufffd"}
# Text areas may hold line breaks and tabs, nothing else from the control range.
FORBIDDEN_IN_PARAGRAPHS = FORBIDDEN - {"\n", "\r", "\t"}
# Invisible characters that typed text loses on the way in: direction embeddings, overrides
# and isolates (U+202A-202E, U+2066-2069) and marks (U+200E, U+200F), which can make a name
# display as another or reorder the page around it; zero-width spaces and joiners
# (U+200B-200D), the word joiner (U+2060) and the byte-order mark (U+FEFF), which make two
# names that look the same differ. The page isolates each name instead (`dir="auto"`).
DIRECTION_CONTROLS = (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F)
ZERO_WIDTH = (*range(0x200B, 0x200E), 0x2060, 0xFEFF)
INVISIBLE = dict.fromkeys((*DIRECTION_CONTROLS, *ZERO_WIDTH))


class Form(FlaskForm):
    """Every form of the site. WTForms' own messages (a choice that is not offered, say) come
    in the page's language from a catalogue read once per process, not once per request."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> support.NullTranslations:
            return _wtforms_catalogue(str(get_locale()))

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            """What a submitted form reads: its posted fields, and an uploaded file only in
            one of its file fields. Flask-WTF would also let a file, or a JSON body's numbers
            and lists, stand for a text field, where the validators expect text."""
            if formdata is not _Auto or request.method not in SUBMIT_METHODS:
                return super().wrap_formdata(form, formdata)
            uploads = _uploads_for(form)
            if uploads:
                return CombinedMultiDict((uploads, request.form))
            return request.form or None


def _uploads_for(form: Any) -> MultiDict[str, FileStorage]:
    """The request's uploaded files that `form` has a file field for."""
    names = {name for name, field in form._fields.items() if isinstance(field, FileField)}
    if not names:
        return MultiDict()
    return MultiDict([(key, file) for key, file in request.files.items(multi=True) if key in names])


@cache
def _wtforms_catalogue(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


def is_plain(text: str) -> bool:
    """Whether `text` holds none of the FORBIDDEN characters."""
    return FORBIDDEN.isdisjoint(text)


def plain_text(form: FlaskForm, field: Any) -> None:
    if field.data and not is_plain(field.data):
        raise ValidationError(_l("This contains characters we cannot accept."))


def plain_paragraphs(form: FlaskForm, field: Any) -> None:
    if field.data and any(ch in FORBIDDEN_IN_PARAGRAPHS for ch in field.data):
        raise ValidationError(_l("This contains characters we cannot accept."))


# The days a date filter may name: wider than any campaign, and narrow enough that the day
# after, or midnight at either end in any time zone, is still a date.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def plausible_day(form: FlaskForm, field: Any) -> None:
    if field.data and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(
            _l(
                "Please enter a date between %(first)s and %(last)s.",
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            )
        )


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def clean_text(value: Any) -> Any:
    """The filter of every field a person types a name, role, city or statement into:
    invisible controls dropped, composed (NFC: "и" + breve is stored as "й"), trimmed."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", value.translate(INVISIBLE)).strip()


def country_choices(lang: str) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…")), *country_options(lang)]


@cache
def country_options(lang: str) -> tuple[SelectChoice, ...]:
    return tuple(SelectChoice(code, name) for code, name in country_names(lang).items())


def known_country(form: FlaskForm, field: Any) -> None:
    if field.data not in country_names("en"):
        raise ValidationError(_l("Please choose the country."))


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.config["SECRET_KEY"], salt="form-opened")


class StatementForm(Form):
    """A form by which someone endorses a campaign's statement.

    It records which text was shown, refuses forms sent faster than a person can read
    (`SIGN_MIN_SECONDS`), and carries a honeypot field that only bots fill in.
    """

    class Meta(Form.Meta):
        # CSRFProtect checks every POST already; the form's own token field would sign a
        # fresh token on each POST for nothing. The page renders `csrf_token()` instead.
        csrf = False

    statement_sha256 = HiddenField()
    opened = HiddenField()
    website_url = StringField(_l("Leave this field empty"))

    def __init__(self, statement_sha256: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.shown_statement = statement_sha256
        if not self.is_submitted():
            self.opened.data = _signer().sign(str(time.time())).decode()
            self.statement_sha256.data = statement_sha256

    def validate_statement_sha256(self, field: Any) -> None:
        if field.data != self.shown_statement:
            field.data = self.shown_statement
            raise ValidationError(
                _l("The statement was updated while you were reading. Please read it again.")
            )

    def validate_opened(self, field: Any) -> None:
        seconds = seconds_open(field.data)
        if seconds is None:
            raise ValidationError(_l("Please reload the page and try again."))
        if seconds < current_app.config["SIGN_MIN_SECONDS"]:
            raise ValidationError(
                _l("That was very quick. Please check your details and send the form again.")
            )

    @property
    def is_bot(self) -> bool:
        return bool(self.website_url.data)


def seconds_open(opened: str | None) -> float | None:
    """How long ago the form with this `opened` field was made; None if this site did not
    sign it, or if it is older than a CSRF token (refused as one would be: the embedded
    form has only this to bound how long one copy of it can be sent again)."""
    max_age = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    try:
        opened_at = float(_signer().unsign(opened or "", max_age=max_age).decode())
    except (BadSignature, ValueError):
        return None
    return time.time() - opened_at


def unix_newlines(value: Any) -> Any:
    """Browsers send CRLF from text areas; keep texts (and their hashes) to plain LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def at_most(count: int) -> Length:
    return Length(
        max=count,
        message=lazy_ngettext(
            "Please use at most %(num)d character.", "Please use at most %(num)d characters.", count
        ),
    )


def optional_email_field(label: object) -> EmailField:
    """An email address a staff member may leave empty (a party's, the letterhead's)."""
    return EmailField(
        label,
        filters=[strip],
        validators=[
            Optional(),
            at_most(254),
            plain_text,
            Email(_l("This does not look like an email address."), check_deliverability=False),
        ],
    )


def postal_address_field() -> TextAreaField:
    """An optional postal address of a few lines, as a letter prints it."""
    return TextAreaField(
        _l("Postal address (optional)"),
        render_kw={"rows": 4},
        filters=[strip, unix_newlines],
        validators=[Optional(), at_most(1000), plain_paragraphs],
    )
