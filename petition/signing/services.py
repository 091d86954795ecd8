"""Signing and confirming: the rules of ARCHITECTURE.md's data section live here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import Insert, Update, bindparam, exists, func, insert, literal, select, update
from werkzeug.exceptions import Gone

from petition.campaigns.counts import counts_changed
from petition.campaigns.signable import Signable
from petition.database import INSERTS, first_row
from petition.extensions import db
from petition.mail.outbox import CONFIRM, enqueue
from petition.models import (
    Campaign,
    CampaignStatus,
    Display,
    LinkToken,
    OutboxMessage,
    OutboxStatus,
    Signature,
    SignatureStatus,
    TokenPurpose,
)
from petition.models.types import utcnow
from petition.personal import Details, email_hash, mailbox_hash, person_columns
from petition.signing.partners import partner_by_code
from petition.signing.reminders import cancel_reminder
from petition.signing.self_service import show_less
from petition.tokens import LinkExpired, LinkInvalid, find_signature_token, hash_token


@dataclass(frozen=True)
class SignatureRequest:
    name: str
    email: str
    country: str
    city: str | None
    display: Display
    wants_updates: bool
    lang: str
    statement_sha256: str
    # The share code of the partner link the signer came through, if they kept it ticked.
    partner_code: str | None = None


def request_signature(
    campaign: Signable, wish: SignatureRequest, *, client_hash: str | None
) -> None:
    """Record a signing attempt and queue the mail that fits it; 410 if the campaign closed.

    The caller cannot tell what happened: a new address gets a confirmation link, a pending
    one a fresh link (up to a cap), a confirmed one a note that it has already signed.
    Whoever knows an address can submit it, so a later submission changes nothing the
    first one chose, except to show less of a pending signer (an attacker who got there
    first must not decide that a signer is named): only the holder of a link changes a
    signature otherwise (confirm, manage pages).

    The typed name, address and city are sealed at once (`petition.personal`); the address
    the mail goes to waits in its outbox row until it is sent. A partner code that is not
    live for this campaign is ignored (`signing.partners`).
    """
    row: dict[str, Any] = {
        "campaign_id": campaign.id,
        "status": SignatureStatus.PENDING,
        "links_sent": 1,
        "created_at": utcnow(),
    }
    row |= _details(wish, campaign.recipients, client_hash)
    partner = partner_by_code(campaign.id, wish.partner_code) if wish.partner_code else None
    row["partner_id"] = partner.id if partner else None
    if _insert_new(row, recipient=wish.email):
        return
    _ensure_open(campaign.id)  # nothing was inserted: the address is known, or it closed
    signature = _find(campaign.id, row["email_hash"])
    if signature is None:
        return  # erased between the insert and the look-up; nothing left to act on
    if signature.status is SignatureStatus.CONFIRMED:
        _queue_already_signed(signature, wish.email, wish.lang)
    elif signature.status is SignatureStatus.PENDING:
        show_less(signature, wish.display)
        _queue_confirmation(signature, wish.email, signature.lang)


def _insert_new(row: dict[str, Any], *, recipient: str) -> bool:
    """`row` as a new pending signature with its first link counted and its confirmation
    queued to `recipient`; False, and nothing written, if the address already has one or
    the campaign is not open.

    One statement that cannot fail: when concurrent requests bring the same address, the
    database lets one insert and makes the others wait for it, then do nothing. On
    PostgreSQL the same statement queues the mail (its INSERT reads the new signature's id
    from a WITH), and is most often a transaction of its own, committed before this returns
    (`database.first_row`: every signing POST runs it). SQLite has no INSERT inside a WITH:
    there the mail takes a second statement.
    """
    dialect = db.engine.dialect.name
    statement = _insert_if_new(dialect, tuple(row))
    values = {f"new_{name}": value for name, value in row.items()}
    new = first_row(statement, {**values, "mail_recipient": recipient})
    if new is not None and dialect == "sqlite":
        enqueue(CONFIRM, lang=row["lang"], recipient=recipient, signature_id=new[0])
    return new is not None


@cache
def _insert_if_new(dialect: str, columns: tuple[str, ...]) -> Insert:
    """The statement of `_insert_new`, as `dialect` spells it, RETURNING the new id. Built
    once, since building a statement costs more than running it; the values come with each
    call."""
    signature = _signature_if_new(dialect, columns)
    if dialect == "sqlite":
        return signature.returning(Signature.__table__.c.id)
    return _with_its_confirmation(signature)


def _signature_if_new(dialect: str, columns: tuple[str, ...]) -> Insert:
    """INSERT … SELECT <the values> WHERE the campaign is open ON CONFLICT DO NOTHING."""
    table = Signature.__table__
    # Named apart from the columns: the mail's INSERT has columns of the same names.
    values = {name: bindparam(f"new_{name}", type_=table.c[name].type) for name in columns}
    campaign = Campaign.__table__
    is_open = exists().where(
        campaign.c.id == values["campaign_id"], campaign.c.status == CampaignStatus.OPEN
    )
    return (
        INSERTS[dialect](table)
        .on_conflict_do_nothing(index_elements=["campaign_id", "email_hash"])
        .from_select(columns, select(*values.values()).where(is_open), include_defaults=False)
    )


def _with_its_confirmation(signature: Insert) -> Insert:
    """WITH new AS (`signature` RETURNING …) INSERT INTO outbox_message … SELECT … FROM new:
    no row inserted, no mail queued. The outbox row's defaults are spelled out, as `enqueue`
    gets them from the model: inside a WITH, SQLAlchemy fills in none."""
    table = Signature.__table__
    new = signature.returning(table.c.id, table.c.lang, table.c.created_at).cte("new_signature")
    outbox = OutboxMessage.__table__
    mail = {
        "kind": literal(CONFIRM),
        "lang": new.c.lang,
        "recipient": bindparam("mail_recipient", type_=outbox.c.recipient.type),
        "signature_id": new.c.id,
        "payload": literal({}, type_=outbox.c.payload.type),
        "status": literal(OutboxStatus.QUEUED, type_=outbox.c.status.type),
        "attempts": literal(0),
        "next_attempt_at": new.c.created_at,
        "created_at": new.c.created_at,
    }
    return (
        insert(outbox)
        .from_select(list(mail), select(*mail.values()), include_defaults=False)
        .returning(outbox.c.signature_id)
    )


def _ensure_open(campaign_id: int) -> None:
    status = db.session.scalar(select(Campaign.status).where(Campaign.id == campaign_id))
    if status is not CampaignStatus.OPEN:
        raise Gone


def _find(campaign_id: int, key: str) -> Signature | None:
    """The person's signature, locked: concurrent attempts for one address take turns."""
    query = (
        select(Signature)
        .where(Signature.campaign_id == campaign_id, Signature.email_hash == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return db.session.scalar(query)


def _details(
    wish: SignatureRequest, recipients: Sequence[str], client_hash: str | None
) -> dict[str, Any]:
    """The columns a new signature takes from its (first and only) submission."""
    details = Details(name=wish.name, email=wish.email, city=wish.city or None)
    return {
        **person_columns(details, wish.display, recipients),
        "country": wish.country,
        "display": wish.display,
        "wants_updates": wish.wants_updates,
        "lang": wish.lang,
        "statement_sha256": wish.statement_sha256,
        "client_hash": client_hash,
    }


def _queue_confirmation(signature: Signature, address: str, lang: str) -> None:
    """A fresh link to the address just typed: the same person by `normalise_email`. A
    confirmation link can only count the signature or show less of it; the mail carries a
    manage link only when it goes to the mailbox that signed (`mail.messages`)."""
    if signature.links_sent >= current_app.config["CONFIRM_LINKS_PER_SIGNATURE"]:
        return
    signature.links_sent += 1
    cancel_reminder(signature.id)  # they are here again: the fresh link replaces it
    enqueue(CONFIRM, lang=lang, recipient=address, signature_id=signature.id)


def _queue_already_signed(signature: Signature, address: str, lang: str) -> None:
    """Tell a confirmed signer, at most ALREADY_SIGNED_MAILS_PER_DAY times in 24 hours:
    each mail carries a long-lived manage link, and anyone can submit the address. It goes
    only to the mailbox that signed, never to another spelling (`a+b@` is not `a@` at
    every provider, and the link can unmask or withdraw the signature): the server no
    longer knows that address, so another spelling gets no mail at all.

    The mail queued is the count: a sent one stays in the outbox for
    RETENTION_OUTBOX_DAYS (at least a day). Only this rare case pays the extra query."""
    if signature.mailbox_hash != mailbox_hash(address):
        return
    sent = select(func.count()).where(
        OutboxMessage.signature_id == signature.id,
        OutboxMessage.kind == "already_signed",
        OutboxMessage.created_at > utcnow() - timedelta(days=1),
    )
    if (db.session.scalar(sent) or 0) >= current_app.config["ALREADY_SIGNED_MAILS_PER_DAY"]:
        return
    enqueue("already_signed", lang=lang, recipient=address, signature_id=signature.id)


def resend_confirmation(campaign: Campaign, email: str, lang: str) -> None:
    """Queue a fresh link, in `lang`, if this address has a pending signature; silent
    otherwise. The signature keeps the language it was signed in."""
    signature = _find(campaign.id, email_hash(email))
    if signature is not None and signature.status is SignatureStatus.PENDING:
        _queue_confirmation(signature, email, lang)


def confirmable_signature(raw_token: str) -> Signature:
    """The signature a confirmation link leads to, for the page that shows the button."""
    return _signature_behind(find_signature_token(raw_token, TokenPurpose.CONFIRM_SIGNATURE))


def confirm_signature(
    raw_token: str, *, display: Display | None = None, for_partner: bool = True
) -> str:
    """Confirm the link's signature and return its campaign's slug; confirming an already
    confirmed one changes nothing.

    `display`, when it reveals less than the signer's choice (e.g. "confirm anonymously
    instead"), replaces it; confirming never reveals more than the signer chose. Without
    `for_partner`, the signature is confirmed without the partner it came through: it
    counts for no organisation (whoever sent the address first chose the link, not the
    person confirming).
    """
    fast = display is None and for_partner
    if fast and (confirmed := _confirm_pending(raw_token)) is not None:
        signature_id, campaign_id, slug = confirmed
    else:
        signature = _confirm_checked(raw_token, display, for_partner=for_partner)
        signature_id, campaign_id, slug = (
            signature.id,
            signature.campaign_id,
            signature.campaign.slug,
        )
    cancel_reminder(signature_id)
    counts_changed(campaign_id)
    return slug


def _confirm_pending(raw_token: str) -> tuple[int, int, str] | None:
    """The common case, a live link of a pending signature, in two statements: the
    signature's id, the campaign's id and slug, or None when anything else holds
    (`_confirm_checked` then tells which)."""
    values = {"hashed_token": hash_token(raw_token), "now": utcnow()}
    # The signature first: of two requests for it, the second waits for the first's lock,
    # then finds it no longer pending and takes the checked way ("already confirmed").
    confirmed = db.session.execute(_CONFIRM_PENDING, values).one_or_none()
    if confirmed is None:
        return None
    db.session.execute(_USE_TOKEN, values)
    return confirmed.id, confirmed.campaign_id, confirmed.slug


def _confirm_checked(
    raw_token: str, display: Display | None, *, for_partner: bool = True
) -> Signature:
    token = find_signature_token(raw_token, TokenPurpose.CONFIRM_SIGNATURE, for_update=True)
    signature = _signature_behind(token)
    if token is not None and signature.status is SignatureStatus.PENDING:
        now = utcnow()
        token.used_at = now
        signature.status = SignatureStatus.CONFIRMED
        signature.confirmed_at = now
        if display is not None:
            show_less(signature, display)
        if not for_partner:
            signature.partner_id = None
        db.session.flush()
    return signature


def _confirmation_statements() -> tuple[Update, Update]:
    signature, token, campaign = Signature.__table__, LinkToken.__table__, Campaign.__table__
    now = bindparam("now", type_=token.c.expires_at.type)
    this_token = (
        token.c.token_hash == bindparam("hashed_token"),
        token.c.purpose == TokenPurpose.CONFIRM_SIGNATURE,
    )
    slug = select(campaign.c.slug).where(campaign.c.id == signature.c.campaign_id)
    confirm = (
        update(signature)
        .where(
            signature.c.id == token.c.signature_id,
            signature.c.status == SignatureStatus.PENDING,
            *this_token,
            token.c.used_at.is_(None),
            token.c.expires_at > now,
        )
        .values(status=SignatureStatus.CONFIRMED, confirmed_at=now)
        .returning(signature.c.id, signature.c.campaign_id, slug.scalar_subquery().label("slug"))
    )
    return confirm, update(token).where(*this_token).values(used_at=now)


# Built once: building a statement costs more than running it.
_CONFIRM_PENDING, _USE_TOKEN = _confirmation_statements()


def _signature_behind(token: LinkToken | None) -> Signature:
    if token is None or token.signature is None:
        raise LinkInvalid
    signature = token.signature
    if signature.status is SignatureStatus.CONFIRMED:
        return signature
    if token.used_at is not None or signature.status is not SignatureStatus.PENDING:
        raise LinkInvalid
    if token.expires_at <= utcnow():
        raise LinkExpired(signature.campaign)
    return signature
