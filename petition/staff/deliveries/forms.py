"""Forms of the delivery pages: queue a package, record its delivery and the party's
response, word the letter."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from flask_babel.speaklater import LazyString
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from petition.delivery.service import (
    DeliveryRecord,
    LetterheadFields,
    PartyResponse,
    SignatoryFields,
    is_public_document_url,
    unknown_placeholders,
)
from petition.delivery.wording import PLACEHOLDERS
from petition.forms import (
    Form,
    at_most,
    clean_text,
    optional_email_field,
    plain_paragraphs,
    plain_text,
    plausible_day,
    postal_address_field,
    strip,
    unix_newlines,
)
from petition.models import Campaign, DeliveryPackage, NamesPolicy, Target
from petition.models.delivery import DOCUMENT_URL_MAX, RESPONSE_TEXT_MAX
from petition.models.types import utc_midnight, utcnow

ALL_TARGETS = "all"
CUTOFF_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
NOTE_MAX = 1000
LETTER_MAX = 20_000


def _midnight_of(day: date | None) -> datetime | None:
    return utc_midnight(day) if day else None


def _day_of(moment: datetime | None) -> date | None:
    return moment.date() if moment else None


class BuildPackageForm(Form):
    """Which campaign, which of its targets (or all) and the cut-off, in UTC."""

    campaign_id = HiddenField(validators=[InputRequired(_l("Please choose a campaign."))])
    target_id = SelectField(
        _l("Negotiating party"),
        validators=[InputRequired(_l("Please choose a negotiating party."))],
        validate_choice=False,  # checked against the campaign's own targets by the service
    )
    cutoff = DateTimeLocalField(
        _l("Cut-off (UTC)"),
        format=CUTOFF_FORMATS,
        validators=[Optional()],
        description=_l("Signatures confirmed before this moment are counted. Leave empty for now."),
    )

    def set_campaign(self, campaign: Campaign) -> None:
        self.campaign_id.data = str(campaign.id)
        self.target_id.choices = [(ALL_TARGETS, _l("All negotiating parties"))] + [
            (str(target.id), _choice_label(target)) for target in campaign.targets
        ]

    def validate_cutoff(self, field: DateTimeLocalField) -> None:
        if field.data and field.data.replace(tzinfo=UTC) > utcnow():
            raise ValidationError(_l("The cut-off cannot be in the future."))

    def cutoff_moment(self) -> datetime:
        chosen = self.cutoff.data
        return chosen.replace(tzinfo=UTC) if chosen else utcnow()


class DeliveryRecordForm(Form):
    """When the package was sent and acknowledged, and a note for colleagues."""

    sent_on = DateField(_l("Sent on"), validators=[Optional(), plausible_day])
    acknowledged_on = DateField(_l("Acknowledged on"), validators=[Optional(), plausible_day])
    note = TextAreaField(
        _l("Note"),
        validators=[
            Optional(),
            Length(
                max=NOTE_MAX,
                message=lazy_ngettext(
                    "Please keep the note to %(num)d character or fewer.",
                    "Please keep the note to %(num)d characters or fewer.",
                    NOTE_MAX,
                ),
            ),
        ],
        description=_l("For example how it was sent, and who received it."),
    )

    @classmethod
    def of_package(cls, package: DeliveryPackage) -> DeliveryRecordForm:
        """The form filled in with what is recorded for `package`."""
        return cls(
            formdata=None,
            sent_on=_day_of(package.sent_at),
            acknowledged_on=_day_of(package.acknowledged_at),
            note=package.note or "",
        )

    def delivery_record(self) -> DeliveryRecord:
        """The validated record (call after `validate()`)."""
        return DeliveryRecord(
            sent_at=_midnight_of(self.sent_on.data),
            acknowledged_at=_midnight_of(self.acknowledged_on.data),
            note=self.note.data or "",
        )

    def validate_sent_on(self, field: DateField) -> None:
        if field.data and field.data > utcnow().date():
            raise ValidationError(_l("The date it was sent cannot be in the future."))

    def validate_acknowledged_on(self, field: DateField) -> None:
        if not field.data:
            return
        if field.data > utcnow().date():
            raise ValidationError(_l("The date it was acknowledged cannot be in the future."))
        if not self.sent_on.data:
            raise ValidationError(_l("Please give the date it was sent, too."))
        if field.data < self.sent_on.data:
            raise ValidationError(_l("It cannot be acknowledged before it was sent."))


def public_document(form: Form, field: StringField) -> None:
    if field.data and not is_public_document_url(field.data):
        raise ValidationError(_l("Please give a full address starting with https://"))


class PartyResponseForm(Form):
    """What the party answered: public in the campaign's delivery log."""

    response = TextAreaField(
        _l("Their response (public)"),
        filters=[unix_newlines, clean_text],
        validators=[Optional(), at_most(RESPONSE_TEXT_MAX), plain_paragraphs],
        description=_l(
            "Shown on the campaign page and in the API as it is written here: no signer's "
            "name, no private address."
        ),
    )
    document_url = StringField(
        _l("Their public document (optional)"),
        filters=[strip],
        validators=[Optional(), at_most(DOCUMENT_URL_MAX), public_document],
        description=_l("The https:// address of a document the party published."),
    )

    @classmethod
    def of_package(cls, package: DeliveryPackage) -> PartyResponseForm:
        """The form filled in with the response recorded for `package`."""
        return cls(
            formdata=None,
            response=package.response_text or "",
            document_url=package.response_document_url or "",
        )

    def party_response(self) -> PartyResponse:
        """The validated response (call after `validate()`)."""
        return PartyResponse(
            text=self.response.data or "", document_url=self.document_url.data or ""
        )


class LetterTemplateForm(Form):
    body = TextAreaField(
        _l("Letter"),
        validators=[
            InputRequired(_l("Please write the letter.")),
            Length(
                max=LETTER_MAX,
                message=lazy_ngettext(
                    "Please keep the letter to %(num)d character or fewer.",
                    "Please keep the letter to %(num)d characters or fewer.",
                    LETTER_MAX,
                ),
            ),
        ],
    )

    def validate_body(self, field: TextAreaField) -> None:
        unknown = unknown_placeholders(field.data or "")
        if unknown:
            raise ValidationError(
                _l(
                    "The letter cannot fill %(unknown)s. The placeholders it can fill are "
                    "%(known)s.",
                    unknown=", ".join(f"{{{name}}}" for name in unknown),
                    known=", ".join(f"{{{name}}}" for name in PLACEHOLDERS),
                )
            )


def _choice_label(target: Target) -> str | LazyString:
    if target.names_policy is NamesPolicy.COUNTED:
        return _l("%(party)s (counted only: no names)", party=target.name)
    return target.name


SIGNATORIES_MAX = 12
SIGNATORY_PART_MAX = 200  # Signatory.name's, .title's and .organisation's length


def signatory_lines(text: str) -> list[SignatoryFields]:
    """The signatories typed one a line as "name | title | organisation"."""
    signers = []
    for line in text.splitlines():
        if line.strip():
            parts = [part.strip() for part in line.split("|")]
            signers.append(SignatoryFields(*parts[:3]))
    return signers


def signatories_text(signers: list[SignatoryFields]) -> str:
    """The signatories as the form shows them, one a line, trailing empty parts left off."""
    lines = []
    for signer in signers:
        parts = [signer.name, signer.title, signer.organisation]
        while parts and not parts[-1]:
            parts.pop()
        lines.append(" | ".join(parts))
    return "\n".join(lines)


class LetterheadForm(Form):
    name = StringField(
        _l("Name on the letterhead"),
        description=_l("Who writes, e.g. the coalition's name. Empty: the campaign's title."),
        filters=[strip],
        validators=[Optional(), at_most(200), plain_text],
    )
    address = postal_address_field()
    email = optional_email_field(_l("Email address for replies (optional)"))
    phone = StringField(
        _l("Telephone (optional)"),
        filters=[strip],
        validators=[Optional(), at_most(50), plain_text],
    )
    website = StringField(
        _l("Website (optional)"),
        filters=[strip],
        validators=[Optional(), at_most(200), plain_text],
    )
    signatories = TextAreaField(
        _l("Signatories (optional)"),
        description=_l(
            "One a line, in the order the letters list them: name | title | organisation. "
            "They sign every letter, also those to parties that receive only numbers: name "
            "no one there who would be endangered by it."
        ),
        render_kw={"rows": 6},
        filters=[strip, unix_newlines],
        validators=[Optional(), plain_paragraphs],
    )

    def validate_signatories(self, field: TextAreaField) -> None:
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        if len(lines) > SIGNATORIES_MAX:
            raise ValidationError(
                lazy_ngettext(
                    "Please list at most %(num)d signatory.",
                    "Please list at most %(num)d signatories.",
                    SIGNATORIES_MAX,
                )
            )
        for number, line in enumerate(lines, start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) > 3 or not parts[0]:
                raise ValidationError(
                    _l(
                        "Line %(line)d: write the name, then optionally | title | organisation.",
                        line=number,
                    )
                )
            if any(len(part) > SIGNATORY_PART_MAX for part in parts):
                raise ValidationError(
                    _l(
                        "Line %(line)d: keep each part to %(num)d characters or fewer.",
                        line=number,
                        num=SIGNATORY_PART_MAX,
                    )
                )

    def letterhead(self) -> LetterheadFields:
        return LetterheadFields(
            name=self.name.data or "",
            address=self.address.data or "",
            email=self.email.data or "",
            phone=self.phone.data or "",
            website=self.website.data or "",
        )
