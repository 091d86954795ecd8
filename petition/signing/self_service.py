"""What a signer can do with their own signature through the link in their mail, and who
should be warned before signing at all.

The manage link is long-lived and reusable (people keep the mail), so it only ever leads
to this one signature, shows no email address, and every change goes through a POST. Stopping
updates, from the manage page or an update's own unsubscribe link, is in `updates.py`.
Withdrawal erases the person at once and keeps only what the counts' history needs.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update

from petition.campaigns.counts import counts_changed
from petition.database import erase_traces
from petition.extensions import db
from petition.models import (
    Display,
    LinkToken,
    OutboxMessage,
    OutboxStatus,
    Signature,
    SignatureStatus,
    TokenPurpose,
)
from petition.models.types import utcnow
from petition.tokens import LinkExpired, LinkInvalid, find_token

# Russia-controlled territories have no ISO code of their own; the notice's text names them.
AT_RISK_COUNTRIES = frozenset({"RU"})

# Mail services that Russian law obliges to give the authorities access to mail. An entry
# matches the domain itself and any subdomain; the top-level domains catch the rest.
RUSSIAN_MAIL_DOMAINS = (
    # Mail.ru group
    "mail.ru",
    "bk.ru",
    "inbox.ru",
    "list.ru",
    "internet.ru",
    # Yandex
    "yandex.ru",
    "ya.ru",
    "yandex.com",
    "yandex.by",
    "yandex.kz",
    "yandex.ua",
    "narod.ru",
    # Rambler
    "rambler.ru",
    "lenta.ru",
    "autorambler.ru",
    "myrambler.ru",
    "ro.ru",
    "rambler.ua",
    # VK
    "vk.com",
    "vk.ru",
    # Russian top-level domains (".рф" also in its ASCII form)
    "ru",
    "su",
    "рф",
    "xn--p1ai",
)

# From most to least revealing.
_REVEALS = {Display.FULL: 2, Display.INITIALS: 1, Display.ANONYMOUS: 0}


class AlreadyWithdrawn(Exception):
    """The link's signature was withdrawn: nothing of the person is left to show."""


def mail_domain(address: str | None) -> str:
    """The domain of an address, case-folded, without a trailing dot."""
    if not address or "@" not in address:
        return ""
    return address.rpartition("@")[2].strip().casefold().rstrip(".")


def at_risk(country: str | None, email: str | None) -> bool:
    """Whether signing may endanger this person, so the form should recommend `anonymous`:
    they say they are in Russia, or their mail goes through a Russian provider."""
    if (country or "").upper() in AT_RISK_COUNTRIES:
        return True
    domain = mail_domain(email)
    return bool(domain) and any(
        domain == entry or domain.endswith("." + entry) for entry in RUSSIAN_MAIL_DOMAINS
    )


def reveals_less(wanted: Display, current: Display) -> bool:
    return _REVEALS[wanted] < _REVEALS[current]


def manageable_signature(raw_token: str) -> Signature:
    """The signature a manage link leads to; the link works until it expires or the
    signature is withdrawn, however often it is used."""
    return signature_of_link(raw_token, TokenPurpose.MANAGE_SIGNATURE)


def signature_of_link(raw_token: str, purpose: TokenPurpose) -> Signature:
    """The signature a link for `purpose` leads to, unless it is bad, old or withdrawn."""
    token = find_token(raw_token, purpose)
    if token is None or token.signature is None:
        raise LinkInvalid
    signature = token.signature
    if signature.status is SignatureStatus.WITHDRAWN:
        raise AlreadyWithdrawn
    if token.used_at is not None:
        raise LinkInvalid
    if token.expires_at <= utcnow():
        raise LinkExpired(signature.campaign)
    return signature


def lock_signature(signature: Signature) -> Signature:
    """The signature again, locked and fresh: it may have been withdrawn meanwhile."""
    db.session.refresh(signature, with_for_update=True)
    if signature.status is SignatureStatus.WITHDRAWN:
        raise AlreadyWithdrawn
    return signature


def change_display(raw_token: str, display: Display) -> Signature:
    """Show the signature by full name, initials, or not at all, from now on."""
    signature = lock_signature(manageable_signature(raw_token))
    signature.display = display
    db.session.flush()
    return signature


def withdraw_signature(raw_token: str) -> Signature:
    """Take the signature back: erase the person now and stop counting them.

    Kept: campaign, country, language, statement hash and the timestamps, so the history
    of the counts stays explainable. Gone: name, addresses, city and client hash, every
    link (ended), and every message still waiting to be sent.
    """
    signature = manageable_signature(raw_token)
    # Lock order as in confirming (its token, then the signature): tokens first, by id.
    db.session.execute(
        select(LinkToken.id)
        .where(LinkToken.signature_id == signature.id)
        .order_by(LinkToken.id)
        .with_for_update()
    ).all()
    signature = lock_signature(signature)
    now = utcnow()
    signature.name = None
    signature.email = None
    signature.email_normalised = None
    signature.city = None
    signature.client_hash = None
    signature.wants_updates = False
    signature.display = Display.ANONYMOUS  # nothing to name; and nothing ever will be
    signature.status = SignatureStatus.WITHDRAWN
    signature.withdrawn_at = now
    db.session.execute(
        update(LinkToken)
        .where(LinkToken.signature_id == signature.id, LinkToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.signature_id == signature.id,
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    erase_traces()
    counts_changed(signature.campaign_id)
    return signature
