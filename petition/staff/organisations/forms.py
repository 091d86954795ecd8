"""Forms of organisation review: the queue's filters and one form per decision."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import BooleanField, HiddenField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    DataRequired,
    InputRequired,
    NumberRange,
    Optional,
    ValidationError,
)

from petition.coalition.forms import PublicDetailsForm
from petition.coalition.matching import Duplicate
from petition.coalition.queue import QueueFilter
from petition.coalition.review import KEEPABLE, REASON_MAX_LENGTH, DetailsEdit
from petition.database import MAX_ROW_ID
from petition.forms import Form, country_choices, known_country, plain_paragraphs, strip
from petition.labels import KIND_LABELS, ORGANISATION_STATUS_LABELS
from petition.models import OrganisationKind, OrganisationStatus
from petition.staff.forms import ChoiceField, campaign_options, reason_length


class QueueFilterForm(Form):
    """Read from the query string: no CSRF token, since it changes nothing."""

    class Meta:
        csrf = False

    campaign = ChoiceField(
        _l("Campaign"),
        default="",
        invalid_choice_message=_l("There is no such campaign. Please choose one from the list."),
    )
    status = ChoiceField(
        _l("Status"),
        default=OrganisationStatus.AWAITING_REVIEW.value,
        choices=[SelectChoice(s.value, label) for s, label in ORGANISATION_STATUS_LABELS.items()],
        invalid_choice_message=_l("There is no such status. Please choose one from the list."),
    )

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign.choices = [SelectChoice("", _l("All campaigns")), *campaign_options(lang)]

    def queue_filter(self) -> QueueFilter:
        """The chosen filter; the defaults where the form is not valid."""
        try:
            campaign_id = int(self.campaign.data) if self.campaign.data else None
            status = OrganisationStatus(self.status.data or OrganisationStatus.AWAITING_REVIEW)
        except ValueError:
            return QueueFilter()
        return QueueFilter(campaign_id=campaign_id, status=status)


class DecisionForm(Form):
    """What every decision carries: the status the moderator saw, so a decision taken on
    an out-of-date page is refused rather than applied to something else."""

    seen_status = HiddenField(
        validators=[
            AnyOf(
                [status.value for status in OrganisationStatus],
                message=_l("Please reload the page and try again."),
            )
        ]
    )


class ApproveForm(DecisionForm):
    pass


class RejectForm(DecisionForm):
    reason = TextAreaField(
        _l("Reason for rejecting"),
        description=lazy_ngettext(
            "Mailed to the representative and recorded in the audit trail. "
            "At most %(num)d character.",
            "Mailed to the representative and recorded in the audit trail. "
            "At most %(num)d characters.",
            REASON_MAX_LENGTH,
        ),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give a reason.")),
            reason_length(REASON_MAX_LENGTH),
            plain_paragraphs,
        ],
    )


class FoundingForm(DecisionForm):
    founding = HiddenField(validators=[AnyOf(["yes", "no"])])


class DetailsForm(PublicDetailsForm, DecisionForm):
    """The public details, as the representative gives them, plus country and type."""

    country = SelectField(
        _l("Country"),
        validators=[InputRequired(_l("Please choose the country.")), known_country],
        validate_choice=False,
    )
    kind = SelectField(
        _l("Type of organisation"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[InputRequired(_l("Please choose the type of organisation."))],
        validate_choice=False,
    )
    remove_logo = BooleanField(_l("Remove the logo"))

    def __init__(self, *args: Any, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country.choices = country_choices(lang)

    def validate_kind(self, field: Any) -> None:
        if field.data not in {kind.value for kind in OrganisationKind}:
            raise ValidationError(_l("Please choose the type of organisation."))

    def details_edit(self) -> DetailsEdit:
        """The change asked for, once the form is valid."""
        return DetailsEdit(
            details=self.public_details(),
            country=self.country.data,
            kind=OrganisationKind(self.kind.data),
            logo=self.processed_logo,
            remove_logo=bool(self.remove_logo.data),
        )


class MergeForm(DecisionForm):
    """Fold this organisation into another of the same campaign, usually a duplicate the
    page suggests; any other can be given by its number."""

    keep = RadioField(
        _l("Keep this organisation"),
        coerce=int,
        validators=[Optional()],
        validate_choice=True,
        invalid_choice_message=_l("Please choose one of the organisations listed."),
    )
    keep_other = IntegerField(
        _l("Or the number of another organisation of the same campaign"),
        validators=[
            Optional(),
            NumberRange(min=1, max=MAX_ROW_ID, message=_l("Please enter a number.")),
        ],
    )

    def offer(self, duplicates: list[Duplicate]) -> None:
        """Offer the suggested duplicates that can be kept."""
        self.keep.choices = [
            SelectChoice(duplicate.candidate.id, duplicate.candidate.name)
            for duplicate in duplicates
            if duplicate.candidate.status in KEEPABLE
        ]

    def validate(self, extra_validators: Any = None) -> bool:
        """Exactly one organisation to keep: a suggested one or one given by number."""
        if not super().validate(extra_validators):
            return False
        if self.keep.data and self.keep_other.data:
            self.keep_other.errors = [_l("Please choose one organisation to keep, not two.")]
            return False
        if not self.keep.data and not self.keep_other.data:
            target = self.keep if self.keep.choices else self.keep_other
            target.errors = [_l("Please choose the organisation to keep.")]
            return False
        return True

    @property
    def kept_id(self) -> int:
        return int(self.keep.data or self.keep_other.data)
