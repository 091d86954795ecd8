"""Forms of the staff pages that send a campaign update."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from pyrage import x25519
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from petition.forms import Form, at_most, plain_paragraphs, plain_text, strip, unix_newlines
from petition.sealing import NotAnIdentity, parse_identity
from petition.signing.updates import BODY_MAX, SUBJECT_MAX, UpdateDraft
from petition.staff.forms import language_choices


class UpdateForm(Form):
    lang = RadioField(
        _l("Language of the signers to send to"),
        description=_l("Each signer gets updates only in the language they signed in."),
        validators=[InputRequired(_l("Please choose a language."))],
    )
    subject = StringField(
        _l("Subject"),
        filters=[strip],
        # Subjects show in inbox lists and phone notifications, over a signer's shoulder too.
        description=_l(
            "Shown in inbox lists and notifications: keep it neutral, e.g. News from the campaign."
        ),
        validators=[
            DataRequired(_l("Please enter a subject.")),
            at_most(SUBJECT_MAX),
            plain_text,
        ],
    )
    body = TextAreaField(
        _l("Message"),
        description=_l("Plain text. Leave an empty line between paragraphs."),
        render_kw={"rows": 12},
        filters=[strip, unix_newlines],
        validators=[
            DataRequired(_l("Please write the message.")),
            at_most(BODY_MAX),
            plain_paragraphs,
        ],
    )

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lang.choices = language_choices()

    def draft(self) -> UpdateDraft:
        return UpdateDraft(lang=self.lang.data, subject=self.subject.data, body=self.body.data)


# An age identity file is one key line and two comment lines, under 200 bytes.
KEY_FILE_MAX_BYTES = 4096


class ConfirmUpdateForm(UpdateForm):
    """The update as previewed, sent back with the key issued for it on the preview page,
    and a custodian's key file to open the signers' sealed addresses with."""

    key = HiddenField(
        validators=[DataRequired(_l("Please preview the update again before sending it."))]
    )
    identity_file = FileField(
        _l("Custodian key file"),
        description=_l(
            "The private key file of one of the campaign's custodians (AGE-SECRET-KEY-1…). "
            "It opens the signers' addresses for this one send and is never stored."
        ),
    )

    # The identity read from the file, set once the form is valid; it lives only as long as
    # this request.
    identity: x25519.Identity | None = None

    def validate_identity_file(self, field: Any) -> None:
        """Read the upload in memory; it is never saved, and no error message quotes it."""
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            raise ValidationError(_l("Please choose the custodian key file."))
        data = upload.read(KEY_FILE_MAX_BYTES + 1)
        if len(data) > KEY_FILE_MAX_BYTES:
            raise ValidationError(_l("This file is too large to be a custodian key file."))
        try:
            self.identity = parse_identity(data.decode("utf-8"))
        except (UnicodeDecodeError, NotAnIdentity) as error:
            raise ValidationError(
                _l("This file holds no custodian key (a line starting AGE-SECRET-KEY-1).")
            ) from error
