"""Forms of the signature review: the filters (a GET form), bulk and single-row changes."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
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
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from petition.campaigns.statistics import StatusCounts
from petition.extensions import db
from petition.forms import Form, country_options, plain_text, plausible_day
from petition.labels import SIGNATURE_STATUS_LABELS
from petition.models import Campaign, SignatureStatus
from petition.staff.review import (
    REASON_MAX_LENGTH,
    InvalidDomain,
    ReviewAction,
    SignatureFilter,
    TimeWindow,
    normalise_domain,
)

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
        campaigns = db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc()))
        self.campaign.choices = [
            SelectChoice(str(campaign.id), f"{campaign.title_in(lang)} ({campaign.slug})")
            for campaign in campaigns
        ]
        self.country.choices = [SelectChoice("", _l("Any country")), *country_options(lang)]

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


class FilterForm(WindowedFilterForm):
    """Read from the query string: no CSRF token, since it changes nothing."""

    class Meta:
        csrf = False

    email = EmailField(
        _l("Email address (exact)"),
        description=_l("Matches however the signer wrote it: case, +tags and Gmail dots."),
        validators=[
            Optional(),
            Length(max=254),
            plain_text,
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Please enter a whole email address.")),
        ],
    )
    domain = StringField(
        _l("Email domain"),
        description=_l("For example example.org: addresses ending in @example.org."),
        validators=[Optional(), Length(max=254), plain_text],
    )
    status = ChoiceField(
        _l("Status"),
        default="",
        choices=[
            SelectChoice("", _l("Any status")),
            *(SelectChoice(s.value, label) for s, label in SIGNATURE_STATUS_LABELS.items()),
        ],
        invalid_choice_message=_l("There is no such status. Please choose one from the list."),
    )

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fill_choices(lang)

    def validate_domain(self, field: StringField) -> None:
        if field.data:
            try:
                normalise_domain(field.data)
            except InvalidDomain as error:
                raise ValidationError(
                    _l("Please enter a domain such as example.org, without the part before @.")
                ) from error

    def signature_filter(self) -> SignatureFilter:
        """The validated filter (call after `validate()`)."""
        return SignatureFilter.build(
            self.campaign.data,
            email=self.email.data or None,
            domain=self.domain.data or None,
            window=TimeWindow(self.window.data),
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            country=self.country.data or None,
            status=SignatureStatus(self.status.data) if self.status.data else None,
        )


def _reason_field() -> TextAreaField:
    return TextAreaField(
        _l("Reason"),
        description=lazy_ngettext(
            "Recorded in the audit trail. At most %(num)d character.",
            "Recorded in the audit trail. At most %(num)d characters.",
            REASON_MAX_LENGTH,
        ),
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(
                max=REASON_MAX_LENGTH,
                message=lazy_ngettext(
                    "Please keep the reason to %(num)d character or fewer.",
                    "Please keep the reason to %(num)d characters or fewer.",
                    REASON_MAX_LENGTH,
                ),
            ),
        ],
    )


class ApplyForm(Form):
    """Invalidate or restore every signature the filters match, as counted in the preview."""

    action = RadioField(
        _l("What to do"),
        choices=[
            SelectChoice(ReviewAction.INVALIDATE.value, _l("Invalidate")),
            SelectChoice(ReviewAction.RESTORE.value, _l("Restore")),
        ],
        validators=[InputRequired(_l("Please choose what to do."))],
        invalid_choice_message=_l("Please choose invalidate or restore."),
    )
    reason = _reason_field()
    expected = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("The preview's count is missing.")), NumberRange(min=0)],
    )
    expected_invalidated = IntegerField(
        widget=HiddenInput(),
        validators=[InputRequired(_l("The preview's count is missing.")), NumberRange(min=0)],
    )

    def show_counts(self, counts: StatusCounts) -> None:
        """Carry `counts` as the preview's, and say in each choice how many it changes."""
        self.expected.data = counts.total
        self.expected.raw_data = None
        self.expected_invalidated.data = counts.invalidated
        self.expected_invalidated.raw_data = None
        self.action.choices = [
            SelectChoice(
                ReviewAction.INVALIDATE.value,
                lazy_ngettext(
                    "Invalidate the %(num)d that is pending or confirmed",
                    "Invalidate the %(num)d that are pending or confirmed",
                    counts.confirmed + counts.pending,
                ),
            ),
            SelectChoice(
                ReviewAction.RESTORE.value,
                lazy_ngettext(
                    "Restore the %(num)d that is invalidated",
                    "Restore the %(num)d that are invalidated",
                    counts.invalidated,
                ),
            ),
        ]


class SignatureActionForm(Form):
    """Invalidate or restore one signature."""

    action = HiddenField(
        validators=[
            AnyOf(
                [action.value for action in ReviewAction],
                message=_l("Please choose invalidate or restore."),
            )
        ]
    )
    reason = _reason_field()
