"""The export form: what to export, which rows, in which format, and representatives' email
addresses only with a reason (signers' addresses are sealed: no export has them)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, ValidationError

from petition.exports import (
    REASON_MAX_LENGTH,
    ExportFilter,
    ExportFormat,
    ExportKind,
    ExportRequest,
)
from petition.forms import plain_paragraphs
from petition.labels import ORGANISATION_STATUS_LABELS, SIGNATURE_STATUS_LABELS
from petition.models import OrganisationStatus, SignatureStatus
from petition.signing.review import TimeWindow
from petition.staff.forms import ChoiceField, WindowedFilterForm, reason_length

STATUS_LABELS: dict[ExportKind, dict[Any, Any]] = {
    ExportKind.SIGNATURES: SIGNATURE_STATUS_LABELS,
    ExportKind.ORGANISATIONS: ORGANISATION_STATUS_LABELS,
}
DEFAULT_STATUS = {
    ExportKind.SIGNATURES: SignatureStatus.CONFIRMED,
    ExportKind.ORGANISATIONS: OrganisationStatus.APPROVED,
}
STATUS_TYPES: dict[ExportKind, type[SignatureStatus] | type[OrganisationStatus]] = {
    ExportKind.SIGNATURES: SignatureStatus,
    ExportKind.ORGANISATIONS: OrganisationStatus,
}


class ExportForm(WindowedFilterForm):
    """One form for both kinds of export; `kind` (fixed by the page) decides the statuses."""

    kind = HiddenField(
        validators=[
            AnyOf(
                [kind.value for kind in ExportKind],
                message=_l("Please choose signatures or organisations."),
            )
        ]
    )
    status = ChoiceField(
        _l("Status"),
        validators=[InputRequired(_l("Please choose a status."))],
        invalid_choice_message=_l("There is no such status. Please choose one from the list."),
    )
    format = RadioField(
        _l("File format"),
        choices=[
            SelectChoice(ExportFormat.CSV.value, _l("CSV (UTF-8)")),
            SelectChoice(ExportFormat.XLSX.value, _l("Excel workbook (XLSX)")),
        ],
        default=ExportFormat.CSV.value,
        validators=[InputRequired(_l("Please choose a file format."))],
        invalid_choice_message=_l("Please choose CSV or XLSX."),
    )
    include_emails = BooleanField(_l("Include email addresses"))
    reason = TextAreaField(
        _l("Why the email addresses are needed"),
        description=lazy_ngettext(
            "Required to include email addresses. Recorded in the audit trail. "
            "At most %(num)d character.",
            "Required to include email addresses. Recorded in the audit trail. "
            "At most %(num)d characters.",
            REASON_MAX_LENGTH,
        ),
        validators=[
            plain_paragraphs,
            reason_length(REASON_MAX_LENGTH),
        ],
    )

    def __init__(self, *args: Any, kind: ExportKind, lang: str = "en", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.export_kind = kind
        if not self.kind.data:
            self.kind.data = kind.value
        self.status.choices = [
            SelectChoice(status.value, label) for status, label in STATUS_LABELS[kind].items()
        ]
        if self.status.data is None:
            self.status.data = DEFAULT_STATUS[kind].value
        if not self.offers_emails:
            # Not even a field to send: a POST that asks anyway gets the export without them.
            del self.include_emails
            del self.reason
        self.fill_choices(lang)

    @property
    def offers_emails(self) -> bool:
        """Only representatives' addresses can be exported; signers' are sealed."""
        return self.export_kind is ExportKind.ORGANISATIONS

    def validate_reason(self, field: TextAreaField) -> None:
        if self.include_emails.data and not (field.data or "").strip():
            raise ValidationError(
                _l(
                    "To include email addresses, please say why they are needed: "
                    "the reason is recorded in the audit trail."
                )
            )

    def export_request(self) -> ExportRequest:
        """The validated request (call after `validate()`)."""
        include_emails = self.offers_emails and bool(self.include_emails.data)
        return ExportRequest(
            filter=ExportFilter(
                kind=self.export_kind,
                campaign_id=self.campaign.data,
                status=STATUS_TYPES[self.export_kind](self.status.data),
                country=self.country.data or None,
                window=TimeWindow(self.window.data),
                date_from=self.date_from.data,
                date_to=self.date_to.data,
            ),
            format=ExportFormat(self.format.data),
            include_emails=include_emails,
            reason=(self.reason.data or "").strip() if include_emails else "",
        )
