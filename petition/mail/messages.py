"""One function per message: what it says and to whom, from its outbox row.

Links that carry a token are made here, at sending time, so a raw token exists only in
the mail itself; the database keeps its hash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale, get_translations
from jinja2 import Environment

from petition.extensions import db
from petition.models import (
    Organisation,
    OutboxMessage,
    Signature,
    SignatureStatus,
    StaffUser,
    TokenPurpose,
)
from petition.personal import mailbox_hash
from petition.tokens import TokenBatch, issue_password_token, issue_token


class Undeliverable(Exception):
    """The message has nobody left to go to (its signature was erased or withdrawn)."""


@dataclass(frozen=True)
class Email:
    recipient: str
    subject: str
    text: str
    html: str
    headers: dict[str, str] = field(default_factory=dict)


_rendering = ContextVar("rendering mail", default=False)


@contextmanager
def mail_context() -> Iterator[None]:
    """A request context on BASE_URL, for links in mail; a worker opens one for a whole
    batch (setting one up costs as much as rendering a template), nested uses share it."""
    if _rendering.get():
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        reset = _rendering.set(True)
        try:
            yield
        finally:
            _rendering.reset(reset)


def render_email(kind: str, recipient: str, lang: str, **context: Any) -> Email:
    """Render templates/email/<kind>/{subject.txt,body.txt,body.html} in `lang`.

    The templates are the app's own, compiled once; each render is handed `lang`'s gettext
    functions, which take precedence over Flask-Babel's. Those look the current locale up
    again for every string (40 % of the rendering time); these cannot be in another
    language than the mail's, whatever locale happens to be current.
    """
    with mail_context():
        context = {**context, **_gettext_functions(lang), "lang": lang}
        subject = _render(f"email/{kind}/subject.txt", context)
        return Email(
            recipient=recipient,
            subject=" ".join(subject.split()),
            text=_render(f"email/{kind}/body.txt", context),
            html=_render(f"email/{kind}/body.html", context),
        )


def _render(name: str, context: dict[str, Any]) -> str:
    """A template rendered with exactly `context` (and the globals: `url_for`, ...): mail
    templates use nothing Flask's context processors add."""
    return current_app.jinja_env.get_template(name).render(context)


GETTEXT_NAMES = ("gettext", "ngettext", "pgettext", "npgettext")


def _gettext_functions(lang: str) -> dict[str, Callable[..., str]]:
    """`lang`'s catalogue as the template functions Jinja's i18n extension makes of it
    (escaping and %-formatting included), built once per language and app."""
    known = current_app.extensions.setdefault("mail_gettext", {})
    if lang not in known:
        with force_locale(lang):
            translations = get_translations()
        # Only makes the functions: they escape as the template that calls them does.
        builder = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
        builder.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        known[lang] = {name: builder.globals[name] for name in GETTEXT_NAMES}
    functions: dict[str, Callable[..., str]] = known[lang]
    return functions


_token_batch: ContextVar[TokenBatch | None] = ContextVar("mail token batch", default=None)


@contextmanager
def tokens_written_together() -> Iterator[None]:
    """Mail built inside issues its links' tokens into one batch, written in one INSERT on
    leaving: the session's unit of work for the token objects took a fifth of the function
    calls of a whole mail. The caller commits."""
    batch = TokenBatch()
    reset = _token_batch.set(batch)
    try:
        yield
    finally:
        _token_batch.reset(reset)
    batch.write()


def _link_token(
    purpose: TokenPurpose,
    *,
    hours: int,
    signature: Signature | None = None,
    organisation: Organisation | None = None,
) -> str:
    """A token for a link in this mail: into the batch being built, else on its own."""
    batch = _token_batch.get()
    if batch is None:
        return issue_token(purpose, signature, hours=hours, organisation=organisation)
    return batch.issue(
        purpose,
        hours=hours,
        signature_id=signature.id if signature else None,
        organisation_id=organisation.id if organisation else None,
    )


def _signature_of(message: OutboxMessage) -> Signature:
    """The signature a message is about; the address it goes to is the message's own (the
    signature's is sealed), kept until it is sent."""
    signature = message.signature
    if signature is None or not message.recipient:
        raise Undeliverable
    if signature.status is SignatureStatus.WITHDRAWN:
        raise Undeliverable
    return signature


def _manage_link_days() -> int:
    return int(current_app.config["MANAGE_LINK_DAYS"])


def _manage_link(signature: Signature) -> dict[str, Any]:
    """A long-lived link to manage or withdraw the signature: people keep these mails."""
    days = _manage_link_days()
    token = _link_token(TokenPurpose.MANAGE_SIGNATURE, signature=signature, hours=days * 24)
    return {"manage_token": token, "manage_days": days}


def _manage_link_if_it_signed(message: OutboxMessage, signature: Signature) -> dict[str, Any]:
    """The manage link, only in mail to the mailbox that signed. A fresh confirmation goes to
    whichever spelling of the person was typed, and `a+b@` is not `a@` at every provider: a
    confirmation can only count the signature or show less of it, a manage link can unmask
    or withdraw it."""
    if mailbox_hash(message.recipient or "") != signature.mailbox_hash:
        return {}
    return _manage_link(signature)


def _unsubscribe_url(signature: Signature, lang: str) -> str:
    """The List-Unsubscribe link, as long-lived as the manage link in the body. Mail systems
    log and forward headers, so its token can do nothing but stop updates."""
    hours = _manage_link_days() * 24
    token = _link_token(TokenPurpose.STOP_UPDATES, signature=signature, hours=hours)
    with mail_context():
        return url_for("signature.unsubscribe", lang=lang, token=token, _external=True)


def confirm_signature(message: OutboxMessage) -> Email:
    return _confirmation_mail("confirm_signature", message, _signature_of(message))


def _confirmation_mail(kind: str, message: OutboxMessage, signature: Signature) -> Email:
    hours = current_app.config["CONFIRM_TOKEN_HOURS"]
    token = _link_token(TokenPurpose.CONFIRM_SIGNATURE, signature=signature, hours=hours)
    campaign = signature.campaign
    return render_email(
        kind,
        message.recipient or "",
        message.lang,
        campaign=campaign,
        text=campaign.text(message.lang),
        hours=hours,
        token=token,
        **_manage_link_if_it_signed(message, signature),
    )


def confirm_reminder(message: OutboxMessage) -> Email:
    """The one reminder (petition/signing/reminders.py): a fresh link, and only while the
    signature waits for its first (no other link was asked for since it was queued)."""
    signature = _signature_of(message)
    if signature.status is not SignatureStatus.PENDING or signature.links_sent != 1:
        raise Undeliverable
    return _confirmation_mail("confirm_reminder", message, signature)


def already_signed(message: OutboxMessage) -> Email:
    signature = _signature_of(message)
    campaign = signature.campaign
    return render_email(
        "already_signed",
        message.recipient or "",
        message.lang,
        campaign=campaign,
        text=campaign.text(message.lang),
        **_manage_link(signature),
    )


def staff_password_link(message: OutboxMessage) -> Email:
    """A one-time link to set a staff password. The payload holds only the account's id; the
    token is issued now (earlier unused links stop working), so it is never stored raw."""
    user_id = message.payload.get("staff_user_id")
    user = db.session.get(StaffUser, user_id) if isinstance(user_id, int) else None
    if user is None or user.disabled_at is not None:
        raise Undeliverable
    return render_email(
        "staff_password_link",
        user.email,
        message.lang,
        email=user.email,
        reason=message.payload.get("reason", "reset"),
        hours=current_app.config["STAFF_PASSWORD_LINK_HOURS"],
        token=issue_password_token(user),
    )


def _organisation_of(message: OutboxMessage) -> tuple[Organisation, str]:
    """The organisation and the address to write to: the one the message carries (typed
    just now), else the representative's, while it is readable (it is sealed once the
    review decision has been mailed)."""
    organisation = message.organisation
    address = message.recipient or (organisation.rep_email if organisation else None)
    if organisation is None or not address:
        raise Undeliverable
    return organisation, address


def _organisation_email(kind: str, message: OutboxMessage, purpose: TokenPurpose) -> Email:
    """A mail to an organisation's representative carrying a fresh link of `purpose`."""
    organisation, address = _organisation_of(message)
    hours = current_app.config["CONFIRM_TOKEN_HOURS"]
    token = _link_token(purpose, organisation=organisation, hours=hours)
    campaign = organisation.campaign
    return render_email(
        kind,
        address,
        message.lang,
        campaign=campaign,
        text=campaign.text(message.lang),
        organisation=organisation,
        hours=hours,
        token=token,
        reason=message.payload.get("reason", ""),
    )


def confirm_organisation(message: OutboxMessage) -> Email:
    return _organisation_email("confirm_organisation", message, TokenPurpose.CONFIRM_ORGANISATION)


def organisation_manage_link(message: OutboxMessage) -> Email:
    return _organisation_email(
        "organisation_manage_link", message, TokenPurpose.MANAGE_ORGANISATION
    )


def organisation_approved(message: OutboxMessage) -> Email:
    """Staff approved the organisation; the mail carries a link to manage its entry."""
    return _organisation_email("organisation_approved", message, TokenPurpose.MANAGE_ORGANISATION)


def organisation_rejected(message: OutboxMessage) -> Email:
    """Staff rejected the organisation: the reason, in the representative's language. No
    link, so no token."""
    organisation, address = _organisation_of(message)
    campaign = organisation.campaign
    return render_email(
        "organisation_rejected",
        address,
        message.lang,
        campaign=campaign,
        text=campaign.text(message.lang),
        organisation=organisation,
        reason=str(message.payload.get("reason", "")),
    )


def campaign_update(message: OutboxMessage) -> Email:
    """Staff-written news, only to confirmed signers who asked for it, with a one-click
    unsubscribe (RFC 8058) that works from the mail client's own button."""
    signature = _signature_of(message)
    if signature.status is not SignatureStatus.CONFIRMED or not signature.wants_updates:
        raise Undeliverable
    campaign = signature.campaign
    email = render_email(
        "campaign_update",
        message.recipient or "",
        message.lang,
        campaign=campaign,
        text=campaign.text(message.lang),
        subject=message.payload.get("subject", ""),
        body=message.payload.get("body", ""),
        **_manage_link(signature),
    )
    return replace(
        email,
        headers={
            "List-Unsubscribe": f"<{_unsubscribe_url(signature, message.lang)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


BUILDERS: dict[str, Callable[[OutboxMessage], Email]] = {
    "campaign_update": campaign_update,
    "confirm_signature": confirm_signature,
    "confirm_reminder": confirm_reminder,
    "already_signed": already_signed,
    "staff_password_link": staff_password_link,
    "confirm_organisation": confirm_organisation,
    "organisation_manage_link": organisation_manage_link,
    "organisation_approved": organisation_approved,
    "organisation_rejected": organisation_rejected,
}
