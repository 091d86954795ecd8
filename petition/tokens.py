"""Links that carry a secret: random, stored only as a hash, expiring, single-use."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager

from petition.extensions import db
from petition.models import Campaign, LinkToken, Organisation, Signature, TokenPurpose
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


def issue_token(
    purpose: TokenPurpose,
    signature: Signature | None = None,
    *,
    hours: int,
    organisation: Organisation | None = None,
) -> str:
    """A new 256-bit token; the caller puts it in a link, the database keeps its hash."""
    raw = secrets.token_urlsafe(32)
    db.session.add(
        LinkToken(
            token_hash=hash_token(raw),
            purpose=purpose,
            signature=signature,
            organisation=organisation,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    return raw


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

    `for_update` locks the token and the signature (a moderator may be changing it at the
    same moment), never the campaign: every signer's request would queue on that row.
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
        query = query.with_for_update(of=[LinkToken, Signature])
    return db.session.scalar(query)


def _token_query(raw: str, purpose: TokenPurpose) -> Select[LinkToken] | None:
    if not raw or len(raw) > 128:
        return None
    return select(LinkToken).where(
        LinkToken.token_hash == hash_token(raw), LinkToken.purpose == purpose
    )
