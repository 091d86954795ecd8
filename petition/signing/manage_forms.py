"""The signer's self-service form: how their signature appears."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from petition.forms import Form
from petition.models import Display


class DisplayForm(Form):
    """The same choices, in the same words, as on the signing form."""

    display = RadioField(
        _l("Show my signature as"),
        choices=[
            SelectChoice(Display.ANONYMOUS.value, _l("Anonymous: counted, never named")),
            SelectChoice(Display.INITIALS.value, _l("Initials only")),
            SelectChoice(Display.FULL.value, _l("Full name")),
        ],
        validators=[InputRequired(_l("Please choose how your signature appears."))],
    )
