"""Forms of the staff pages for campaigns: settings, texts and the parties they address."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from petition.campaigns.embedding import (
    MAX_ORIGIN_LENGTH,
    MAX_ORIGINS,
    OriginInvalid,
    TooManyOrigins,
    parse_origins,
)
from petition.campaigns.services import SLUG_MAX, SLUG_MIN, SLUG_PATTERN, allowed_statuses
from petition.forms import (
    Form,
    at_most,
    plain_paragraphs,
    plain_text,
    plausible_day,
    strip,
    unix_newlines,
)
from petition.models import Campaign, CampaignStatus

STATUS_LABELS = {
    CampaignStatus.DRAFT: _l("Draft: only staff can see it"),
    CampaignStatus.OPEN: _l("Open: public, accepting signatures"),
    CampaignStatus.CLOSED: _l("Closed: public, no new signatures"),
}
MAX_GOAL = 1_000_000_000


def _slug_field() -> StringField:
    return StringField(
        _l("Web address name (slug)"),
        filters=[strip],
        description=lazy_ngettext(
            "%(min)d to %(num)d lowercase letter, digit or hyphen, e.g. people-first. "
            "It becomes part of the public address and cannot change once the campaign opens.",
            "%(min)d to %(num)d lowercase letters, digits and hyphens, e.g. people-first. "
            "It becomes part of the public address and cannot change once the campaign opens.",
            SLUG_MAX,
            min=SLUG_MIN,
        ),
        validators=[
            DataRequired(_l("Please enter a web address name.")),
            Length(
                min=SLUG_MIN,
                max=SLUG_MAX,
                message=lazy_ngettext(
                    "Please use %(min)d to %(num)d character.",
                    "Please use %(min)d to %(num)d characters.",
                    SLUG_MAX,
                    min=SLUG_MIN,
                ),
            ),
            plain_text,
        ],
    )


def _check_slug_shape(form: Form, field: Any) -> None:
    if field.data and not field.errors and not SLUG_PATTERN.fullmatch(field.data):
        raise ValidationError(
            _l(
                "Please use only lowercase letters (a–z), digits and hyphens, "
                "starting and ending with a letter or digit."
            )
        )


class ScheduleForm(Form):
    """Dates and goal, shared by the new-campaign and settings forms."""

    opens_on = DateField(
        _l("Opening day (optional)"),
        description=_l("In UTC, from the start of the day."),
        validators=[Optional(), plausible_day],
    )
    last_day = DateField(
        _l("Last day to sign (optional)"),
        description=_l("In UTC, to the end of the day."),
        validators=[Optional(), plausible_day],
    )
    goal = IntegerField(
        _l("Goal: number of signatures (optional)"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_GOAL,
                message=_l("Please enter a whole number from 1 to %(max)d.", max=MAX_GOAL),
            ),
        ],
    )

    def validate_last_day(self, field: Any) -> None:
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The last day cannot be before the opening day."))


class NewCampaignForm(ScheduleForm):
    slug = _slug_field()

    def validate_slug(self, field: Any) -> None:
        _check_slug_shape(self, field)


class CampaignSettingsForm(ScheduleForm):
    slug = _slug_field()
    status = RadioField(
        _l("Status"),
        validators=[InputRequired(_l("Please choose a status."))],
    )

    def __init__(self, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.status.choices = [
            SelectChoice(status.value, STATUS_LABELS[status])
            for status in allowed_statuses(campaign)
        ]
        if campaign.status is not CampaignStatus.DRAFT:
            del self.slug  # part of public links now: shown, not editable

    def validate_slug(self, field: Any) -> None:
        _check_slug_shape(self, field)


class CampaignTextForm(Form):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter a title.")),
            at_most(200),
            plain_text,
        ],
    )
    summary = TextAreaField(
        _l("Summary"),
        description=_l("One or two sentences, shown under the title. Plain text."),
        render_kw={"rows": 3},
        filters=[strip, unix_newlines],
        validators=[
            DataRequired(_l("Please enter a summary.")),
            at_most(1000),
            plain_paragraphs,
        ],
    )
    statement = TextAreaField(
        _l("Statement"),
        description=_l("Markdown: **bold**, *italic*, lists, links, headings with ##."),
        render_kw={"rows": 14},
        filters=[strip, unix_newlines],
        validators=[
            DataRequired(_l("Please enter the statement.")),
            at_most(20000),
            plain_paragraphs,
        ],
    )
    demands = TextAreaField(
        _l("Demands"),
        description=_l("Markdown, usually a numbered list: 1. …"),
        render_kw={"rows": 8},
        filters=[strip, unix_newlines],
        validators=[
            DataRequired(_l("Please enter the demands.")),
            at_most(10000),
            plain_paragraphs,
        ],
    )
    # First in the form, so pressing Enter in the title previews rather than publishes.
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))

    def __init__(self, text_lang: str, *, rtl: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        direction = {"dir": "rtl"} if rtl else {}
        for field in (self.title, self.summary, self.statement, self.demands):
            field.render_kw = {**(field.render_kw or {}), "lang": text_lang, **direction}


class TargetLinkForm(Form):
    """Attach a party to a campaign, or detach it (the detach buttons post the same form)."""

    target_id = SelectField(
        _l("Negotiating party"),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(_l("Please choose a negotiating party."))],
    )
    action = HiddenField(
        validators=[AnyOf(("attach", "detach"), message=_l("Please use the buttons."))]
    )


class EmbeddingForm(Form):
    """The partners' sites that may frame the campaign's signing form."""

    origins = TextAreaField(
        _l("Sites that may show the signing form (one per line)"),
        description=_l(
            "Each as https:// and the site's address, without a path: "
            "https://partner.example. Leave empty to let no site show it."
        ),
        render_kw={"rows": 6},
        filters=[unix_newlines],
        validators=[at_most(MAX_ORIGINS * (MAX_ORIGIN_LENGTH + 1)), plain_paragraphs],
    )

    def validate_origins(self, field: Any) -> None:
        try:
            self.parsed = parse_origins(field.data or "")
        except OriginInvalid as error:
            raise ValidationError(
                _l(
                    "“%(line)s” is not a site address like https://partner.example.",
                    line=error.line,
                )
            ) from error
        except TooManyOrigins as error:
            raise ValidationError(
                lazy_ngettext(
                    "Please list at most %(num)d site.",
                    "Please list at most %(num)d sites.",
                    MAX_ORIGINS,
                )
            ) from error
