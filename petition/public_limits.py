"""Rate limits on the public forms: generous enough for a shared address, firm for a flood.

Every form POST of the public blueprints draws on two budgets per client, a burst one and a
sustained one (fixed windows, as Flask-Limiter counts the staff limits). This runs on every
signing POST, so both are counted in one round trip to the store: one Redis script where
the limits live in Redis (production: every worker shares them), the store's own counter
otherwise. Keys are the keyed hash of the client address (`ratelimit.rate_limit_key`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from flask import Blueprint, Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import RedisStorage, Storage, storage_from_string
from redis import RedisError
from werkzeug.exceptions import TooManyRequests

from petition.ratelimit import rate_limit_key

log = logging.getLogger(__name__)

# One budget for every public form, whichever blueprint serves it.
SCOPE = "public-forms"
EXTENSION = "petition.public_limits"
# INCR each key, starting its window on the first hit; the counts, in the keys' order.
COUNT_HITS = b"""
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 then redis.call('EXPIRE', key, ARGV[i]) end
  counts[i] = count
end
return counts
"""


@dataclass(frozen=True)
class Counter:
    """Counts hits of several windows at once in the app's limit store, for the POSTs of
    `blueprints`."""

    blueprints: frozenset[str]
    storage: Storage
    script: Any = None  # the registered COUNT_HITS, on Redis

    @classmethod
    def for_store(cls, uri: str, blueprints: frozenset[str]) -> Counter:
        storage = cast(Storage, storage_from_string(uri))  # a synchronous store's URI
        if isinstance(storage, RedisStorage):
            script = storage.get_connection().register_script(COUNT_HITS)
            return cls(blueprints, storage, script)
        return cls(blueprints, storage)

    def hit(self, keys: Sequence[str], expiries: Sequence[int]) -> list[int]:
        if self.script is not None:
            return [int(count) for count in self.script(keys=list(keys), args=list(expiries))]
        return [self.storage.incr(key, expiry) for key, expiry in zip(keys, expiries, strict=True)]


def limit_public_forms(app: Flask, *blueprints: Blueprint) -> None:
    names = frozenset(bp.name for bp in blueprints)
    app.extensions[EXTENSION] = Counter.for_store(app.config["RATELIMIT_STORAGE_URI"], names)
    app.before_request(draw_on_public_budget)


def draw_on_public_budget() -> None:
    """429 when this client's POST to a public form exceeds the burst or the sustained
    budget."""
    config = current_app.config
    counter: Counter = current_app.extensions[EXTENSION]
    if request.method != "POST" or request.blueprint not in counter.blueprints:
        return
    if not config.get("RATELIMIT_ENABLED", True):
        return
    windows = _windows(config["RATELIMIT_PUBLIC_BURST"], config["RATELIMIT_PUBLIC_SUSTAINED"])
    client = rate_limit_key()
    keys = [window.key_for(config["RATELIMIT_KEY_PREFIX"], SCOPE, client) for window in windows]
    try:
        counts = counter.hit(keys, [window.get_expiry() for window in windows])
    except RedisError:
        if not config["RATELIMIT_SWALLOW_ERRORS"]:
            raise
        log.warning("rate-limit store unreachable; public form let through unlimited")
        return
    if any(count > window.amount for count, window in zip(counts, windows, strict=True)):
        raise TooManyRequests


@cache
def _windows(*limits: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse(limit) for limit in limits)
