"""Rate-limit keys: a keyed hash of the client address, so the limit store never holds it."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request


def rate_limit_key() -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(secret, b"rate-limit:" + address, hashlib.sha256).hexdigest()[:32]


def outside_staff() -> bool:
    """Flask-Limiter keeps only the staff console's limits (the public forms' budgets are
    `public_limits`'): every other request skips its per-request look-up of limits."""
    return (request.blueprint or "").partition(".")[0] != "staff"
