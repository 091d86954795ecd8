"""What a signer can do with their own signature through the link in their mail, and who
should be warned before signing at all.

The manage link is long-lived and reusable (people keep the mail), so it only ever leads
to this one signature, shows no email address, and every change goes through a POST. Stopping
updates, from the manage page or an update's own unsubscribe link, is in `updates.py`.
Withdrawal erases the person at once and keeps only what the counts' history needs.
"""

from __future__ import annotations

import enum

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
from petition.models.signature import PERSONAL_COLUMNS
from petition.models.types import utcnow
from petition.personal import public_name
from petition.tokens import LinkExpired, LinkInvalid, find_token


class Risk(enum.StrEnum):
    """Why signing may endanger someone; each has its own words in the safety notice."""

    RUSSIA = "russia"  # in Russia (or the territories it occupies), or mail through Russia
    BELARUS = "belarus"
    OCCUPIED = "occupied"  # in Ukraine, which may be a part of it that Russia occupies


# Countries whose state prosecutes anti-war statements. Russia-controlled territories have
# no ISO code of their own: the notice for Russia names them, and Ukraine gets its own.
COUNTRY_RISKS = {"BY": Risk.BELARUS, "RU": Risk.RUSSIA}
OCCUPIED_COUNTRIES = frozenset({"UA"})

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


class NameNeeded(Exception):
    """Showing more of a signature than now needs the name typed again: the server keeps
    the typed name only sealed, and shows only what the signer chose."""


def risk_of(country: str | None, domain: str | None) -> Risk | None:
    """Whether signing may endanger this person, so the form should recommend `anonymous`,
    and why: the country they say they are in, else their mail (at `domain`) going through
    a Russian provider, else their being in Ukraine (whose occupied parts have no code).
    static/js/safety-notice.js applies the same rule in the browser."""
    code = (country or "").upper()
    if code in COUNTRY_RISKS:
        return COUNTRY_RISKS[code]
    if domain and any(domain == d or domain.endswith("." + d) for d in RUSSIAN_MAIL_DOMAINS):
        return Risk.RUSSIA
    if code in OCCUPIED_COUNTRIES:
        return Risk.OCCUPIED
    return None


def reveals_less(wanted: Display, current: Display) -> bool:
    return _REVEALS[wanted] < _REVEALS[current]


def show_less(signature: Signature, display: Display) -> None:
    """Lower the signature's display to `display` if that shows less; never raises it. The
    shown name follows from the one shown now (a full name gives its initials)."""
    if reveals_less(display, signature.display):
        signature.display = display
        signature.public_name = public_name(signature.public_name, display)


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


def change_display(raw_token: str, display: Display, name: str | None = None) -> Signature:
    """Show the signature by full name, initials, or not at all, from now on.

    With `name`, the signature is shown by that name (as `display` says); without, only
    less than now can be shown (NameNeeded otherwise)."""
    signature = lock_signature(manageable_signature(raw_token))
    if name:
        signature.display = display
        signature.public_name = public_name(name, display)
    elif display is not signature.display:
        if not reveals_less(display, signature.display):
            raise NameNeeded
        show_less(signature, display)
    db.session.flush()
    return signature


def forget_person(signature: Signature) -> None:
    """Empty everything of the signature that belongs to the person rather than the count."""
    for column in PERSONAL_COLUMNS:
        setattr(signature, column, None)


def withdraw_signature(raw_token: str) -> Signature:
    """Take the signature back: erase the person now and stop counting them.

    Kept: campaign, country, language, statement hash and the timestamps, so the history
    of the counts stays explainable. Gone: the sealed details, the shown name, the hashes
    and domain of the address, the client hash, every link (ended), and every message still
    waiting to be sent.
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
    forget_person(signature)
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
