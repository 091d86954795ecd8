"""Forms of the staff pages that send a campaign update."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired

from petition.forms import Form, at_most, plain_paragraphs, plain_text, strip, unix_newlines
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


class ConfirmUpdateForm(UpdateForm):
    """The update as previewed, sent back with the key issued for it on the preview page."""

    key = HiddenField(
        validators=[DataRequired(_l("Please preview the update again before sending it."))]
    )
