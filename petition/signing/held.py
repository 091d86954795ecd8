"""What the server holds about one signature, for the signer who asks through their manage
link: shown on the manage page and downloaded as JSON, both from the same record.

Only what the server can honestly show: the sealed details are said to be sealed, and the
keyed hashes (of the address and of the connection) are said to exist, never shown: they are
pseudonymous identifiers, and a copy of the page or the file should not carry them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import exists, select

from petition.countries import country_name
from petition.extensions import db
from petition.i18n import current_language, language_names
from petition.labels import DISPLAY_LABELS, SIGNATURE_STATUS_LABELS
from petition.models import Display, OutboxMessage, OutboxStatus, Signature, SignatureStatus
from petition.signing.legacy import LEGACY_COLUMNS
from petition.signing.unsealing import moment_cell


@dataclass(frozen=True)
class HeldData:
    """Every field stored for a signature, in the form the signer may see it."""

    campaign_slug: str
    campaign_title: str
    lang: str
    display: Display
    public_name: str | None
    country: str
    status: SignatureStatus
    signed_at: datetime
    confirmed_at: datetime | None
    wants_updates: bool
    partner: str | None  # the organisation whose share link counts the signature
    email_domain: str | None
    has_address_hashes: bool
    has_client_hash: bool
    client_hash_days: int
    statement_sha256: str
    links_sent: int
    mail_queued: bool
    details_sealed: bool

    def display_label(self) -> str:
        return str(DISPLAY_LABELS[self.display])

    def status_label(self) -> str:
        return str(SIGNATURE_STATUS_LABELS[self.status])

    def country_label(self) -> str:
        return country_name(self.country, current_language())

    def language_label(self) -> str:
        return language_names().get(self.lang, self.lang)

    def address_hashes_note(self) -> str:
        return _(
            "Keyed hashes of your email address, so that every person counts once and a "
            "message with your link goes only to the address that signed. They are not shown "
            "here: they identify you under a pseudonym."
        )

    def client_hash_note(self) -> str:
        return ngettext(
            "A keyed hash of the internet address you signed from, to spot mass abuse; "
            "deleted %(num)d day after signing. It is not shown here.",
            "A keyed hash of the internet address you signed from, to spot mass abuse; "
            "deleted %(num)d days after signing. It is not shown here.",
            self.client_hash_days,
        )

    def queued_note(self) -> str:
        """Honest about the one place the address is readable: a message not yet sent."""
        return _(
            "Until a message to you is sent, the server keeps your email address with it to "
            "send it; once it is sent, the address is dropped."
        )

    def sealed_note(self) -> str:
        if self.details_sealed:
            return _(
                "Name as typed, email address and city: sealed — only the campaign’s "
                "custodians can read them."
            )
        return _(
            "Name as typed, email address and city: not sealed yet (you signed before "
            "sealing began); the campaign’s staff will seal them."
        )

    def as_json(self) -> dict[str, Any]:
        """The download: English keys that stay stable, times in UTC (ISO 8601)."""
        return {
            "campaign": {"slug": self.campaign_slug, "title": self.campaign_title},
            "language": self.lang,
            "display": self.display.value,
            "public_name": self.public_name,
            "country": self.country,
            "status": self.status.value,
            "signed_at": moment_cell(self.signed_at),
            "confirmed_at": moment_cell(self.confirmed_at) or None,
            "wants_updates": self.wants_updates,
            "counted_for_organisation": self.partner,
            "email_domain": self.email_domain,
            "email_address_hashes": {
                "stored": self.has_address_hashes,
                "note": self.address_hashes_note(),
            },
            "connection_hash": {"stored": self.has_client_hash, "note": self.client_hash_note()},
            "statement_sha256": self.statement_sha256,
            "links_sent": self.links_sent,
            "mail_queued": {"queued": self.mail_queued, "note": self.queued_note()},
            "name_email_city": {"sealed": self.details_sealed, "note": self.sealed_note()},
        }


def held_about(signature: Signature) -> HeldData:
    """Everything stored about `signature`, as its signer may see it."""
    queued = db.session.scalar(
        select(
            exists().where(
                OutboxMessage.signature_id == signature.id,
                OutboxMessage.status == OutboxStatus.QUEUED,
            )
        )
    )
    return HeldData(
        campaign_slug=signature.campaign.slug,
        campaign_title=signature.campaign.title_in(signature.lang),
        lang=signature.lang,
        display=signature.display,
        public_name=signature.public_name,
        country=signature.country,
        status=signature.status,
        signed_at=signature.created_at,
        confirmed_at=signature.confirmed_at,
        wants_updates=signature.wants_updates,
        partner=signature.partner.name if signature.partner else None,
        email_domain=signature.email_domain,
        has_address_hashes=bool(signature.email_hash or signature.mailbox_hash),
        has_client_hash=signature.client_hash is not None,
        client_hash_days=int(current_app.config["RETENTION_CLIENT_HASH_DAYS"]),
        statement_sha256=signature.statement_sha256,
        links_sent=signature.links_sent,
        mail_queued=bool(queued),
        details_sealed=not any(getattr(signature, column) for column in LEGACY_COLUMNS),
    )
