"""Where staff invalidate or restore signatures: find them by filters, change one or all
that match, with an audit entry, and the campaign's counts marked stale.

A bulk change is one `UPDATE … WHERE` over the same conditions the preview counted, and it
happens only if the rows it changes are exactly the ones the moderator saw counted.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, cast

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import ColumnElement, CursorResult, case, func, select, update

from petition import audit
from petition.campaigns.counts import counts_changed
from petition.campaigns.statistics import StatusCounts
from petition.extensions import db
from petition.models import Signature, SignatureStatus, StaffUser
from petition.models.types import utc_midnight
from petition.personal import GMAIL_DOMAINS, email_domain, email_hash, normalise_email

PREVIEW_ROWS = 50
REASON_MAX_LENGTH = 200
# Labels of letters, digits and hyphens (any script), at least two of them.
_DOMAIN = re.compile(r"(?:[\w-]{1,63}\.)+[\w-]{1,63}")


class ReviewAction(enum.StrEnum):
    INVALIDATE = "invalidate"
    RESTORE = "restore"


class TimeWindow(enum.StrEnum):
    """Which moment of a signature the date range applies to."""

    CREATED = "created"
    CONFIRMED = "confirmed"


class InvalidDomain(ValueError):
    """Not something an email address could end in."""


class InvalidEmailReference(ValueError):
    """A reference to a searched address that this server did not make (or made with another
    SECRET_KEY)."""


class CountChanged(Exception):
    """The matching signatures changed since the preview; nothing was done."""

    def __init__(self, now: StatusCounts) -> None:
        super().__init__(f"{now.total} signatures match now")
        self.now = now


class NothingToChange(Exception):
    """No matching signature is in a state the action applies to."""


class WrongStatus(Exception):
    """The signature is not in a state the action applies to (someone changed it first)."""

    def __init__(self, signature: Signature) -> None:
        super().__init__(f"signature {signature.id} is {signature.status}")
        self.signature = signature


def normalise_domain(text: str) -> str:
    """The domain as signatures keep it (`email_domain`): case folded, no leading @ or
    trailing dot. Googlemail stays Googlemail, as typed; the filter finds both of Gmail's
    names (`_stored_spellings`)."""
    domain = email_domain(f"x@{text.strip().lstrip('@')}")
    if len(domain) > 253 or not _DOMAIN.fullmatch(domain):
        raise InvalidDomain(text)
    return domain


def _stored_spellings(domain: str) -> list[str]:
    """The domains signatures keep (as typed, case folded) that `normalise_domain` reads as
    `domain`: Gmail's two names are one."""
    return sorted(GMAIL_DOMAINS) if domain in GMAIL_DOMAINS else [domain]


def mask_email(address: str | None) -> str:
    """`o***@example.org`: enough to tell addresses apart at a glance, not to read one."""
    if not address:
        return "—"
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}***@{domain}" if local else "***"


@dataclass(frozen=True)
class SoughtEmail:
    """An exact address a moderator looks for, as the review keeps it: its keyed hash to find
    the signature, its mask to show and to audit. The address itself goes no further than
    the request it was typed in, so no page, link or audit entry holds it."""

    hash: str
    mask: str

    @classmethod
    def of(cls, address: str) -> SoughtEmail:
        """However the signer wrote it: the hash is of the person (`normalise_email`)."""
        return cls(hash=email_hash(address), mask=mask_email(normalise_email(address)))

    def reference(self) -> str:
        """What pages carry instead of the address: the hash and the mask, signed so that a
        hand-made one cannot put another mask in the audit trail."""
        return _references().dumps([self.hash, self.mask])

    @classmethod
    def from_reference(cls, reference: str) -> SoughtEmail:
        """The search a reference stands for; raises InvalidEmailReference."""
        try:
            found = _references().loads(reference)
        except BadSignature as error:
            raise InvalidEmailReference(reference) from error
        return cls(hash=found[0], mask=found[1])


def _references() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="signature-review-email")


@dataclass(frozen=True)
class SignatureFilter:
    """Which signatures of one campaign a review covers. Domains are normalised."""

    campaign_id: int
    email: SoughtEmail | None = None
    domain: str | None = None
    window: TimeWindow = TimeWindow.CREATED
    date_from: date | None = None  # inclusive, UTC
    date_to: date | None = None  # inclusive, UTC
    country: str | None = None
    status: SignatureStatus | None = None

    @classmethod
    def build(
        cls,
        campaign_id: int,
        *,
        email: SoughtEmail | None = None,
        domain: str | None = None,
        window: TimeWindow = TimeWindow.CREATED,
        date_from: date | None = None,
        date_to: date | None = None,
        country: str | None = None,
        status: SignatureStatus | None = None,
    ) -> SignatureFilter:
        """A filter from what a moderator typed; raises InvalidDomain."""
        return cls(
            campaign_id=campaign_id,
            email=email,
            domain=normalise_domain(domain) if domain else None,
            window=window,
            date_from=date_from,
            date_to=date_to,
            country=country or None,
            status=status,
        )

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [Signature.campaign_id == self.campaign_id]
        if self.email:
            found.append(Signature.email_hash == self.email.hash)
        if self.domain:
            found.append(Signature.email_domain.in_(_stored_spellings(self.domain)))
        moment = (
            Signature.confirmed_at if self.window is TimeWindow.CONFIRMED else Signature.created_at
        )
        if self.date_from:
            found.append(moment >= utc_midnight(self.date_from))
        if self.date_to:
            found.append(moment < utc_midnight(self.date_to + timedelta(days=1)))
        if self.country:
            found.append(Signature.country == self.country)
        if self.status:
            found.append(Signature.status == self.status)
        return found

    def without_email(self) -> SignatureFilter:
        """The same filter for every address: where the page's "search without it" leads."""
        return replace(self, email=None)

    def as_args(self) -> dict[str, Any]:
        """The filter as query-string (or hidden-field) values the filter form reads back."""
        args = {
            "campaign": str(self.campaign_id),
            "email_ref": self.email.reference() if self.email else "",
            "domain": self.domain or "",
            "window": self.window.value,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "country": self.country or "",
            "status": self.status.value if self.status else "",
        }
        return {key: value for key, value in args.items() if value}

    def describe(self) -> str:
        """For the audit trail: every condition, the email masked (the trail outlives signers)."""
        parts = [f"campaign={self.campaign_id}"]
        if self.email:
            parts.append(f"email={self.email.mask}")
        if self.domain:
            parts.append(f"domain={self.domain}")
        if self.date_from or self.date_to:
            since = self.date_from.isoformat() if self.date_from else "…"
            until = self.date_to.isoformat() if self.date_to else "…"
            parts.append(f"{self.window.value} {since}..{until} UTC")
        if self.country:
            parts.append(f"country={self.country}")
        if self.status:
            parts.append(f"status={self.status.value}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ReviewRow:
    """What the review list shows of a signature: its public form and the address's domain
    (the address itself is sealed)."""

    id: int
    campaign_id: int
    name: str | None  # as the signer chose to be shown; None when anonymous
    email_domain: str
    country: str
    status: SignatureStatus
    created_at: datetime
    confirmed_at: datetime | None
    lang: str


def count_matching(signature_filter: SignatureFilter) -> StatusCounts:
    rows = db.session.execute(
        select(Signature.status, func.count())
        .where(*signature_filter.conditions())
        .group_by(Signature.status)
    ).all()
    return StatusCounts.from_rows((status, count) for status, count in rows)


def _row(signature: Signature) -> ReviewRow:
    return ReviewRow(
        id=signature.id,
        campaign_id=signature.campaign_id,
        name=signature.public_name,
        email_domain=signature.email_domain or "",
        country=signature.country,
        status=signature.status,
        created_at=signature.created_at,
        confirmed_at=signature.confirmed_at,
        lang=signature.lang,
    )


def first_matching(signature_filter: SignatureFilter, limit: int = PREVIEW_ROWS) -> list[ReviewRow]:
    """The newest `limit` matching signatures."""
    signatures = db.session.scalars(
        select(Signature)
        .where(*signature_filter.conditions())
        .order_by(Signature.id.desc())
        .limit(limit)
    )
    return [_row(signature) for signature in signatures]


def review_row(signature_id: int) -> ReviewRow | None:
    signature = db.session.get(Signature, signature_id)
    return None if signature is None else _row(signature)


def changes_for(counts: StatusCounts, action: ReviewAction) -> int:
    """How many of the counted signatures `action` would change."""
    if action is ReviewAction.INVALIDATE:
        return counts.confirmed + counts.pending
    return counts.invalidated


_RESTORED_STATUS = case(
    (Signature.confirmed_at.is_not(None), SignatureStatus.CONFIRMED.value),
    else_=SignatureStatus.PENDING.value,
)


def _changes(action: ReviewAction) -> tuple[ColumnElement[bool], dict[str, Any]]:
    """Which rows `action` applies to, and what it sets on them."""
    if action is ReviewAction.INVALIDATE:
        # Withdrawn signatures are the signer's own decision: staff neither count nor touch them.
        return Signature.status.in_((SignatureStatus.CONFIRMED, SignatureStatus.PENDING)), {
            "status": SignatureStatus.INVALIDATED
        }
    # Back to where the signer had got: confirmed if they had confirmed, else pending.
    return Signature.status == SignatureStatus.INVALIDATED, {"status": _RESTORED_STATUS}


def apply_to_matching(
    signature_filter: SignatureFilter,
    action: ReviewAction,
    *,
    expected_total: int,
    expected_invalidated: int,
    reason: str,
    actor: StaffUser,
) -> int:
    """Invalidate or restore every matching signature; returns how many changed.

    The expected counts are what the preview showed. If the matching signatures differ now,
    or differ by the time the UPDATE runs, nothing changes and CountChanged says what matches.
    """
    now = count_matching(signature_filter)
    if (now.total, now.invalidated) != (expected_total, expected_invalidated):
        raise CountChanged(now)
    wanted = changes_for(now, action)
    if wanted == 0:
        raise NothingToChange
    applies, values = _changes(action)
    statement = (
        update(Signature)
        .where(*signature_filter.conditions(), applies)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    try:
        with db.session.begin_nested():
            result = cast(CursorResult[Any], db.session.execute(statement))
            if result.rowcount != wanted:
                raise CountChanged(now)  # rolls the savepoint back
    except CountChanged:
        raise CountChanged(count_matching(signature_filter)) from None
    audit.record(
        f"signatures.bulk_{action.value}",
        actor=actor,
        object_type="campaign",
        object_id=signature_filter.campaign_id,
        detail=f"{wanted} signatures; {signature_filter.describe()}; reason: {reason}",
    )
    counts_changed(signature_filter.campaign_id)
    return wanted


def record_lookup(signature_filter: SignatureFilter, *, actor: StaffUser) -> None:
    """Audit a search for one address: whether a given person signed is exactly what someone
    who wants to unmask a signer asks, so every such question is on the record (masked)."""
    audit.record(
        "signatures.looked_up",
        actor=actor,
        object_type="campaign",
        object_id=signature_filter.campaign_id,
        detail=signature_filter.describe(),
    )


def change_signature(
    signature_id: int, action: ReviewAction, *, reason: str, actor: StaffUser
) -> Signature | None:
    """Invalidate or restore one signature; None if there is no such signature."""
    signature = db.session.scalar(
        select(Signature)
        .where(Signature.id == signature_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if signature is None:
        return None
    invalidated = signature.status is SignatureStatus.INVALIDATED
    withdrawn = signature.status is SignatureStatus.WITHDRAWN
    if withdrawn or invalidated == (action is ReviewAction.INVALIDATE):
        raise WrongStatus(signature)
    if action is ReviewAction.INVALIDATE:
        signature.status = SignatureStatus.INVALIDATED
    else:
        signature.status = (
            SignatureStatus.CONFIRMED if signature.confirmed_at else SignatureStatus.PENDING
        )
    audit.record(
        f"signature.{action.value}",
        actor=actor,
        object_type="signature",
        object_id=signature.id,
        detail=f"reason: {reason}",
    )
    db.session.flush()
    counts_changed(signature.campaign_id)
    return signature
