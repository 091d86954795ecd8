"""Forms of the signatures screen: the filters (a GET form), bulk and single-row changes."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import (
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
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
from petition.forms import Form, plain_text
from petition.labels import SIGNATURE_STATUS_LABELS
from petition.models import SignatureStatus
from petition.signing.review import (
    REASON_MAX_LENGTH,
    InvalidDomain,
    InvalidEmailReference,
    ReviewAction,
    SignatureFilter,
    SoughtEmail,
    TimeWindow,
    normalise_domain,
)
from petition.staff.forms import ChoiceField, WindowedFilterForm, reason_length


class FilterForm(WindowedFilterForm):
    """Read from the query string: no CSRF token, since it changes nothing.

    An address typed in `email` is used once and never written back into a page: the
    search goes on by `email_ref`, which stands for it (`SoughtEmail.reference`)."""

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
    email_ref = HiddenField()
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

    def validate_email_ref(self, field: HiddenField) -> None:
        if field.data and not self.email.data:
            try:
                SoughtEmail.from_reference(field.data)
            except InvalidEmailReference as error:
                raise ValidationError(
                    _l("The address searched for could not be read. Please type it again.")
                ) from error

    def sought_email(self) -> SoughtEmail | None:
        """The address to match: the one just typed, else the one the page carries."""
        if self.email.data:
            return SoughtEmail.of(self.email.data)
        if self.email_ref.data:
            return SoughtEmail.from_reference(self.email_ref.data)
        return None

    def carry(self, chosen: SignatureFilter | None) -> None:
        """Empty the address field for the page, and carry the search on by its reference."""
        self.email.data, self.email.raw_data = None, None
        if chosen is not None:
            self.email_ref.data = chosen.email.reference() if chosen.email else ""
            self.email_ref.raw_data = None

    def signature_filter(self) -> SignatureFilter:
        """The validated filter (call after `validate()`)."""
        return SignatureFilter.build(
            self.campaign.data,
            email=self.sought_email(),
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
            reason_length(REASON_MAX_LENGTH),
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
