"""Form parts several console screens share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import DateField, RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from petition.campaigns.services import list_campaigns
from petition.forms import Form, country_options, plausible_day
from petition.i18n import LANGUAGES, language_names
from petition.signing.review import TimeWindow

DATE_MESSAGE = _l("Please enter a date as YYYY-MM-DD.")


class ChoiceField(SelectField):
    """A select whose missing value is left to the validators, so one message says it."""

    def pre_validate(self, form: Any) -> None:
        if self.data is None and not self.raw_data:
            return
        super().pre_validate(form)


class WindowedFilterForm(Form):
    """Filters shared by signature review and exports: campaign, country, a window of days."""

    campaign = ChoiceField(
        _l("Campaign"),
        coerce=int,
        validators=[InputRequired(_l("Please choose a campaign."))],
        invalid_value_message=_l("Please choose a campaign from the list."),
        invalid_choice_message=_l("There is no such campaign. Please choose one from the list."),
    )
    country = ChoiceField(
        _l("Country"),
        default="",
        invalid_choice_message=_l("There is no such country. Please choose one from the list."),
    )
    window = RadioField(
        _l("Dates apply to"),
        choices=[
            SelectChoice(TimeWindow.CREATED.value, _l("When it was submitted")),
            SelectChoice(TimeWindow.CONFIRMED.value, _l("When it was confirmed")),
        ],
        default=TimeWindow.CREATED.value,
        invalid_choice_message=_l("Please choose when the dates apply to."),
    )
    date_from = DateField(
        _l("From (UTC, inclusive)"),
        validators=[Optional(), plausible_day],
        invalid_value_message=DATE_MESSAGE,
    )
    date_to = DateField(
        _l("To (UTC, inclusive)"),
        validators=[Optional(), plausible_day],
        invalid_value_message=DATE_MESSAGE,
    )

    def fill_choices(self, lang: str) -> None:
        """Campaigns (newest first) and countries, named in the staff member's language."""
        self.campaign.choices = campaign_options(lang)
        self.country.choices = [SelectChoice("", _l("Any country")), *country_options(lang)]

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


def reason_length(limit: int) -> Length:
    """A staff member's reason (for an export, an invalidation, a rejection) has a limit."""
    return Length(
        max=limit,
        message=lazy_ngettext(
            "Please keep the reason to %(num)d character or fewer.",
            "Please keep the reason to %(num)d characters or fewer.",
            limit,
        ),
    )


def campaign_options(lang: str) -> list[SelectChoice]:
    """Every campaign, newest first, as "title (slug)" with the title in `lang`."""
    return [
        SelectChoice(str(campaign.id), f"{campaign.title_in(lang)} ({campaign.slug})")
        for campaign in list_campaigns()
    ]


def language_choices(codes: Sequence[str] = LANGUAGES) -> list[SelectChoice]:
    """The site's languages (or `codes`) as radio choices, each name starting with a capital."""
    return [
        SelectChoice(code, name[:1].upper() + name[1:])
        for code, name in language_names(codes).items()
    ]
