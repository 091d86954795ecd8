"""One function per message: what it says and to whom, from its outbox row.

Links that carry a token are made here, at sending time, so a raw token exists only in
the mail itself; the database keeps its hash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale

from petition.models import OutboxMessage, Signature, TokenPurpose
from petition.tokens import issue_token


class Undeliverable(Exception):
    """The message has nobody left to go to (its signature was erased or withdrawn)."""


@dataclass(frozen=True)
class Email:
    recipient: str
    subject: str
    text: str
    html: str


def render_email(kind: str, recipient: str, lang: str, **context: Any) -> Email:
    """Render templates/email/<kind>/{subject.txt,body.txt,body.html} in `lang`."""
    base_url = current_app.config["BASE_URL"]
    with current_app.test_request_context(base_url=base_url), force_locale(lang):
        context = {**context, "lang": lang}
        subject = render_template(f"email/{kind}/subject.txt", **context)
        return Email(
            recipient=recipient,
            subject=" ".join(subject.split()),
            text=render_template(f"email/{kind}/body.txt", **context),
            html=render_template(f"email/{kind}/body.html", **context),
        )


def _signature_of(message: OutboxMessage) -> Signature:
    signature = message.signature
    if signature is None or not signature.email:
        raise Undeliverable
    return signature


def confirm_signature(message: OutboxMessage) -> Email:
    signature = _signature_of(message)
    hours = current_app.config["CONFIRM_TOKEN_HOURS"]
    token = issue_token(TokenPurpose.CONFIRM_SIGNATURE, signature, hours=hours)
    campaign = signature.campaign
    return render_email(
        "confirm_signature",
        signature.email or "",
        message.lang,
        campaign=campaign,
        text=campaign.text(message.lang),
        name=signature.name,
        hours=hours,
        token=token,
    )


def already_signed(message: OutboxMessage) -> Email:
    signature = _signature_of(message)
    campaign = signature.campaign
    return render_email(
        "already_signed",
        message.recipient or signature.email or "",
        message.lang,
        campaign=campaign,
        text=campaign.text(message.lang),
    )


BUILDERS: dict[str, Callable[[OutboxMessage], Email]] = {
    "confirm_signature": confirm_signature,
    "already_signed": already_signed,
}
