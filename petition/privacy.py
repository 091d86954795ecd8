"""Client addresses are never stored: only a keyed hash, with a key that lives one day."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from flask import request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from petition.extensions import db
from petition.models import ClientHashKey
from petition.models.types import utcnow


def _key_for(day: date) -> bytes:
    found = db.session.get(ClientHashKey, day)
    if found is not None:
        return found.key
    try:
        with db.session.begin_nested():
            db.session.add(ClientHashKey(day=day, key=secrets.token_bytes(32)))
    except IntegrityError:
        pass  # another request made today's key first; use theirs
    return db.session.execute(
        select(ClientHashKey.key).where(ClientHashKey.day == day)
    ).scalar_one()


def client_hash() -> str | None:
    """Today's keyed hash of the requesting address (same address, same day: same hash)."""
    address = request.remote_addr
    if not address:
        return None
    key = _key_for(utcnow().date())
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()
