"""Client addresses are never stored: only a keyed hash, with a key that lives one day."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date

from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from petition.extensions import db
from petition.models import ClientHashKey
from petition.models.types import utcnow


def _key_for(day: date) -> bytes:
    """The day's key. A committed key never changes, so each process keeps the one it read."""
    known: dict[date, bytes] = current_app.extensions.setdefault("petition.hash_keys", {})
    if day in known:
        return known[day]
    found = db.session.get(ClientHashKey, day)
    if found is None:
        return _new_key_for(day)  # kept once it is read back committed, by a later request
    known.clear()  # earlier days' keys are no longer needed here
    known[day] = found.key
    return found.key


def _new_key_for(day: date) -> bytes:
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
