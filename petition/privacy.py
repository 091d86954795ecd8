"""Client addresses are never stored: only a keyed hash, whose key lives one day and is
never kept where the hashes are.

The hashes only need to match within a day (to see many signatures come from one address,
or a limit being worked around), so the day's key is random and forgotten when the day
ends; no copy of the database, with or without SECRET_KEY, can recompute a hash from a
guessed address (IPv4 has only 2³² of them).

- With REDIS_URL, the key is kept in Redis, shared by every worker on every host, and
  expires by itself at the end of its day (UTC). Redis need not persist it: a key lost in
  a restart only makes the rest of that day's hashes start afresh.
- Without it (one process: `make run`, a test), the key is drawn in this process's memory;
  separate processes then hash one address differently.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import UTC, date, datetime, time, timedelta

import redis
from flask import current_app, request

from petition.models.types import utcnow
from petition.ratelimit import is_shared_client

KEY_BYTES = 32
log = logging.getLogger("petition.privacy")


def client_hash() -> str | None:
    """Today's keyed hash of the requesting address (same address, same day: same hash);
    None without an address of the client's own (a shared one, such as the onion service's
    tor daemon, would only tie every signer over Tor together), or when the shared key
    cannot be had."""
    address = request.remote_addr
    if not address or is_shared_client():
        return None
    key = _key_for(utcnow().date())
    if key is None:
        return None
    return hmac.digest(key, address.encode(), hashlib.sha256).hex()


def _key_for(day: date) -> bytes | None:
    """The day's key. Each process keeps the one it has, until the day changes."""
    known: dict[date, bytes] = current_app.extensions.setdefault("petition.client_keys", {})
    if day not in known:
        shared = bool(current_app.config["REDIS_URL"])
        key = _shared_key(day) if shared else secrets.token_bytes(KEY_BYTES)
        if key is None:
            return None
        known.clear()  # yesterday's key is forgotten here too
        known[day] = key
    return known[day]


def _shared_key(day: date) -> bytes | None:
    """The day's key in Redis: the first process to ask sets it (with its expiry), in one
    round trip; every later one gets that. None if Redis does not answer: better no hash
    than one that matches nothing."""
    name = f"{current_app.config['REDIS_KEY_PREFIX']}:client-hash-key:{day.isoformat()}"
    end_of_day = datetime.combine(day + timedelta(days=1), time.min, UTC)
    mine = secrets.token_bytes(KEY_BYTES)
    try:
        theirs = _redis().set(name, mine, nx=True, exat=end_of_day, get=True)
    except redis.RedisError as error:
        log.warning("no client-hash key (%s): signature stored without one", type(error).__name__)
        return None
    return theirs if isinstance(theirs, bytes) else mine  # theirs: None when mine was set


def _redis() -> redis.Redis:
    """This app's connection pool to REDIS_URL, made on first use."""
    store = current_app.extensions.get("petition.redis")
    if store is None:
        store = redis.Redis.from_url(
            current_app.config["REDIS_URL"], socket_timeout=2, socket_connect_timeout=2
        )
        current_app.extensions["petition.redis"] = store
    return store
