"""Links that carry a secret: random, stored only as a hash, expiring, single-use."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, insert, select, update
from sqlalchemy.orm import contains_eager

from petition.extensions import db
from petition.models import (
    Campaign,
    LinkToken,
    Organisation,
    Signature,
    StaffUser,
    TokenPurpose,
)
from petition.models.types import utcnow


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class LinkInvalid(Exception):
    """The link is unknown, used, or no longer leads to anything it can act on."""


class LinkExpired(Exception):
    """The link was real but is too old; its owner can ask for a new one."""

    def __init__(self, campaign: Campaign) -> None:
        super().__init__(campaign.slug)
        self.campaign = campaign


def mint(purpose: TokenPurpose, *, hours: int) -> tuple[str, dict[str, Any]]:
    """A new 256-bit token for a link, and the columns of its row: the database keeps only
    the token's hash. Every link token is made here."""
    raw = secrets.token_urlsafe(32)
    return raw, {
        "token_hash": hash_token(raw),
        "purpose": purpose,
        "expires_at": utcnow() + timedelta(hours=hours),
    }


def issue_token(
    purpose: TokenPurpose,
    signature: Signature | None = None,
    *,
    hours: int,
    organisation: Organisation | None = None,
) -> str:
    """A new token for a signature's or an organisation's link, added to the session."""
    raw, columns = mint(purpose, hours=hours)
    db.session.add(LinkToken(**columns, signature=signature, organisation=organisation))
    return raw


def issue_password_token(user: StaffUser) -> str:
    """A single-use link token for setting a password; earlier unused ones stop working."""
    db.session.execute(
        update(LinkToken)
        .where(
            LinkToken.staff_user_id == user.id,
            LinkToken.purpose == TokenPurpose.SET_PASSWORD,
            LinkToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    raw, columns = mint(
        TokenPurpose.SET_PASSWORD, hours=current_app.config["STAFF_PASSWORD_LINK_HOURS"]
    )
    db.session.add(LinkToken(**columns, staff_user=user))
    return raw


@dataclass
class TokenBatch:
    """Tokens issued one by one but written together, in one INSERT: for the mail worker,
    which puts a batch of links in mail and commits them all before sending any."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def issue(
        self,
        purpose: TokenPurpose,
        *,
        hours: int,
        signature_id: int | None = None,
        organisation_id: int | None = None,
    ) -> str:
        """A new token, as `mint` makes; its row waits for `write`."""
        raw, columns = mint(purpose, hours=hours)
        self.rows.append(
            {**columns, "signature_id": signature_id, "organisation_id": organisation_id}
        )
        return raw

    def write(self) -> None:
        """Add every token issued so far to the session's transaction, in one statement."""
        if self.rows:
            db.session.execute(insert(LinkToken.__table__), self.rows)
            self.rows = []


def find_token(raw: str, purpose: TokenPurpose, *, for_update: bool = False) -> LinkToken | None:
    query = _token_query(raw, purpose)
    if query is None:
        return None
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def find_signature_token(
    raw: str, purpose: TokenPurpose, *, for_update: bool = False
) -> LinkToken | None:
    """A signature's token with its signature and campaign, in one query.

    `for_update` locks the signature (a moderator may be changing it at the same moment),
    never the campaign: every signer's request would queue on that row. Nor the token: a
    token changes only while its signature is locked, and taking the two locks in one
    statement takes them in no fixed order, so two tabs confirming one person could each
    hold one and wait for the other.
    """
    query = _token_query(raw, purpose)
    if query is None:
        return None
    query = (
        query.join(LinkToken.signature)
        .join(Signature.campaign)
        .options(contains_eager(LinkToken.signature).contains_eager(Signature.campaign))
    )
    if for_update:
        query = query.with_for_update(of=Signature)
    return db.session.scalar(query)


def _token_query(raw: str, purpose: TokenPurpose) -> Select[LinkToken] | None:
    if not raw or len(raw) > 128:
        return None
    return select(LinkToken).where(
        LinkToken.token_hash == hash_token(raw), LinkToken.purpose == purpose
    )
