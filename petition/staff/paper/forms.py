"""Forms of the staff page for paper and offline signatures: a batch, and voiding one."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Regexp, ValidationError

from petition.campaigns.paper import (
    IDEMPOTENCY_KEY_PATTERN,
    SHA256_PATTERN,
    BatchEntry,
    new_idempotency_key,
)
from petition.forms import (
    Form,
    at_most,
    clean_text,
    country_choices,
    known_country,
    plain_paragraphs,
    plain_text,
    plausible_day,
    strip,
    unix_newlines,
)
from petition.models.paper import PAPER_COUNT_MAX, SOURCE_MAX, VOID_REASON_MAX
from petition.models.types import utcnow


def digest_as_typed(value: Any) -> Any:
    """A pasted digest in lower case; from a whole `sha256sum` line, its first word; spaces
    between the bytes (as older `certutil` prints them) dropped."""
    if not isinstance(value, str):
        return value
    words = value.lower().split()
    if words and SHA256_PATTERN.fullmatch(words[0]):
        return words[0]
    return "".join(words)


class PaperBatchForm(Form):
    country = SelectField(
        _l("Country"),
        validators=[InputRequired(_l("Please choose the country.")), known_country],
        validate_choice=False,
    )
    count = IntegerField(
        _l("Number of signatures"),
        validators=[
            InputRequired(_l("Please enter the number of signatures.")),
            NumberRange(
                min=1,
                max=PAPER_COUNT_MAX,
                message=_l("Please enter a whole number from 1 to %(max)d.", max=PAPER_COUNT_MAX),
            ),
        ],
    )
    source = StringField(
        _l("Where they were gathered"),
        description=_l(
            "For example: street stall, Kharkiv, 14 November. Seen by staff only, never on "
            "the public pages or in a package."
        ),
        filters=[clean_text],
        validators=[
            DataRequired(_l("Please say where the signatures were gathered.")),
            at_most(SOURCE_MAX),
            plain_text,
        ],
    )
    gathered_on = DateField(
        _l("Day they were gathered"),
        description=_l("The last day, if it took several."),
        validators=[InputRequired(_l("Please enter the day they were gathered.")), plausible_day],
    )
    scan_sha256 = StringField(
        _l("SHA-256 of the scan of the forms"),
        description=_l(
            "The scan itself is never uploaded: it shows the signers' names. Paste what "
            "“sha256sum FILE” (Linux), “shasum -a 256 FILE” (macOS) or “certutil -hashfile "
            "FILE SHA256” (Windows) prints, or choose the file below to work it out in "
            "your browser."
        ),
        filters=[digest_as_typed],
        validators=[DataRequired(_l("Please enter the SHA-256 of the scan."))],
    )
    idempotency_key = HiddenField(
        validators=[
            Regexp(
                IDEMPOTENCY_KEY_PATTERN.pattern + r"\Z",
                message=_l("Please reload the page and try again."),
            )
        ]
    )

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(lang)
        if not self.is_submitted():
            # Sent back with the batch: the same form sent twice records one batch.
            self.idempotency_key.data = new_idempotency_key()

    def validate_gathered_on(self, field: Any) -> None:
        if field.data and field.data > utcnow().date():
            raise ValidationError(_l("The day cannot be in the future."))

    def validate_scan_sha256(self, field: Any) -> None:
        if field.data and not SHA256_PATTERN.fullmatch(field.data):
            raise ValidationError(
                _l("This is not a SHA-256: it has 64 characters, each 0–9 or a–f.")
            )

    def entry(self) -> BatchEntry:
        """The batch as typed, once the form is valid."""
        return BatchEntry(
            country=self.country.data,
            count=self.count.data,
            source=self.source.data,
            gathered_on=self.gathered_on.data,
            scan_sha256=self.scan_sha256.data,
            idempotency_key=self.idempotency_key.data,
        )


class VoidBatchForm(Form):
    reason = TextAreaField(
        _l("Why is this batch void?"),
        description=_l(
            "For example: entered twice, or the forms turned out not to be valid. Kept with "
            "the batch and in the audit trail."
        ),
        render_kw={"rows": 3},
        filters=[strip, unix_newlines],
        validators=[
            DataRequired(_l("Please give the reason.")),
            at_most(VOID_REASON_MAX),
            plain_paragraphs,
        ],
    )
