"""Rate-limit keys: a keyed hash of the client address, so the limit store never holds it."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request


def rate_limit_key() -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    address = (request.remote_addr or "unknown").encode()
    return hmac.new(secret, b"rate-limit:" + address, hashlib.sha256).hexdigest()[:32]
