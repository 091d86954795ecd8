"""The signer's self-service form: how their signature appears."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from petition.forms import Form, clean_text, plain_text
from petition.labels import DISPLAY_LABELS


class DisplayForm(Form):
    """The same choices, in the same words, as on the signing form."""

    display = RadioField(
        _l("Show my signature as"),
        choices=[SelectChoice(display.value, label) for display, label in DISPLAY_LABELS.items()],
        validators=[InputRequired(_l("Please choose how your signature appears."))],
    )
    # The typed name is sealed: showing more than now needs it typed again.
    name = StringField(
        _l("Your name, to be shown by name or initials"),
        description=_l(
            "Needed only to show more than now. We keep the name you signed with sealed, "
            "where even we cannot read it."
        ),
        filters=[clean_text],
        validators=[
            Optional(),
            Length(max=120, message=_l("Please use at most 120 characters.")),
            plain_text,
        ],
    )

    def name_needed(self) -> None:
        """Show the error of a change that needs the name typed again."""
        self.name.errors = [_l("Please type your name to be shown by name or initials.")]
