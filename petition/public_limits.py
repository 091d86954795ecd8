"""Rate limits on the public forms: generous enough for a shared address, firm for a flood.

Every form POST of the public blueprints draws on budgets (fixed windows, as Flask-Limiter
counts the staff limits). A client with an address of its own has two: a burst and a
sustained one, keyed by the keyed hash of its address (`ratelimit.rate_limit_key`).

A shared client (`ratelimit.is_shared_client`: every visitor of the onion service arrives
from the local tor daemon) has no address that tells it from the others, so it draws on
the budget of its form instead (the browser session's CSRF token: a session of its own for
each visitor, JavaScript or not), and on a site-wide ceiling that all shared clients have
together. deploy/README.md ("Over Tor") says what each one answers.

A post is let through only if every budget it draws on has room, and only then is it
counted in all of them: a refused post costs no budget (a flooder over its own form's budget
does not eat the crowd's ceiling) and leaves no key in the store. This runs on every signing
POST, so the check is one round trip: one Redis script where the limits live in Redis
(production: every worker shares them), the store's own counters otherwise.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, cast

from flask import Blueprint, Flask, current_app, request, session
from limits import RateLimitItem, parse
from limits.storage import RedisStorage, Storage, storage_from_string
from redis import ConnectionError as RedisConnectionError
from redis import Redis, RedisError
from werkzeug.exceptions import TooManyRequests

from petition.config import SettingInvalid
from petition.ratelimit import is_shared_client, keyed, rate_limit_key, shared_networks

log = logging.getLogger(__name__)

# The settings of the budgets below, checked when the app starts.
LIMITS = (
    "RATELIMIT_PUBLIC_BURST",
    "RATELIMIT_PUBLIC_SUSTAINED",
    "RATELIMIT_SHARED_PER_FORM",
    "RATELIMIT_SHARED_BURST",
    "RATELIMIT_SHARED_SUSTAINED",
)

# One budget for every public form, whichever blueprint serves it.
SCOPE = "public-forms"
EXTENSION = "petition.public_limits"
# KEYS: the budgets' counters; ARGV: their windows' seconds, then their amounts. 0 and every
# counter one more (a new one expiring with its window) if all have room; else the
# (1-based) number of the first full budget, and nothing counted.
ADMIT = b"""
local n = #KEYS
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[n + i]) then return i end
end
for i, key in ipairs(KEYS) do
  if redis.call('INCR', key) == 1 then redis.call('EXPIRE', key, ARGV[i]) end
end
return 0
"""


@dataclass(frozen=True)
class Budget:
    """One window of one budget: its counter's key in the store."""

    window: RateLimitItem
    key: str


@dataclass(frozen=True)
class Counter:
    """Admits or refuses a post against several budgets at once in the app's limit store,
    for the POSTs of `blueprints`."""

    blueprints: frozenset[str]
    storage: Storage
    script: Any = None  # the registered ADMIT, on Redis
    threads: threading.local = field(default_factory=threading.local)

    @classmethod
    def for_store(cls, uri: str, blueprints: frozenset[str]) -> Counter:
        storage = cast(Storage, storage_from_string(uri))  # a synchronous store's URI
        if isinstance(storage, RedisStorage):
            script = storage.get_connection().register_script(ADMIT)
            return cls(blueprints, storage, script)
        return cls(blueprints, storage)

    def admit(self, budgets: Sequence[Budget]) -> bool:
        """Count the post in every budget if all have room; False (nothing counted) if not."""
        keys = [budget.key for budget in budgets]
        expiries = [budget.window.get_expiry() for budget in budgets]
        if self.script is not None:
            amounts = [budget.window.amount for budget in budgets]
            return self._admitted_in_redis(keys, [*expiries, *amounts])
        # One process's memory (`make run`, tests): no other process shares these counters.
        if any(self.storage.get(budget.key) >= budget.window.amount for budget in budgets):
            return False
        for key, expiry in zip(keys, expiries, strict=True):
            self.storage.incr(key, expiry)
        return True

    def _admitted_in_redis(self, keys: list[str], args: list[int]) -> bool:
        client = self._thread_client()
        try:
            return int(self.script(keys=keys, args=args, client=client)) == 0
        except RedisConnectionError:
            # Redis closed this thread's connection while it idled (a restart, its timeout),
            # which the pool would have found before handing it out: once more, on a new one.
            return int(self.script(keys=keys, args=args, client=client)) == 0

    def _thread_client(self) -> Redis:
        """This thread's client of the store, holding one connection of its pool for good:
        a connection handed out and taken back on every call costs a third of the check
        (redis-py 8). A failed call closes it; the next one connects again."""
        client: Redis | None = getattr(self.threads, "client", None)
        if client is None:
            pool = cast(Redis, cast(RedisStorage, self.storage).get_connection()).connection_pool
            client = Redis(connection_pool=pool, single_connection_client=True)
            self.threads.client = client
        return client


def limit_public_forms(app: Flask, *blueprints: Blueprint) -> None:
    config = app.config
    shared_networks(config["SHARED_CLIENT_ADDRESSES"])  # a mistyped one stops the start
    for name in LIMITS:
        try:
            _windows(config[name])
        except ValueError as error:
            raise SettingInvalid(f"{name}: {config[name]!r} is not a limit: {error}") from error
    names = frozenset(bp.name for bp in blueprints)
    app.extensions[EXTENSION] = Counter.for_store(app.config["RATELIMIT_STORAGE_URI"], names)
    app.before_request(draw_on_public_budget)


def draw_on_public_budget() -> None:
    """429 when this client's POST to a public form finds one of its budgets spent."""
    config = current_app.config
    counter: Counter = current_app.extensions[EXTENSION]
    if request.method != "POST" or request.blueprint not in counter.blueprints:
        return
    if not config.get("RATELIMIT_ENABLED", True):
        return
    budgets = shared_budgets() if is_shared_client() else own_budgets()
    try:
        admitted = counter.admit(budgets)
    except RedisError:
        if not config["RATELIMIT_SWALLOW_ERRORS"]:
            raise
        log.warning("rate-limit store unreachable; public form let through unlimited")
        return
    if not admitted:
        raise TooManyRequests


def own_budgets() -> list[Budget]:
    """A client with an address of its own: its address's burst and sustained budgets."""
    return _budgets(("RATELIMIT_PUBLIC_BURST", "RATELIMIT_PUBLIC_SUSTAINED"), rate_limit_key())


def shared_budgets() -> list[Budget]:
    """A shared client: its form's budget first, then the ceiling of all shared clients."""
    return [
        *_budgets(("RATELIMIT_SHARED_PER_FORM",), "form", keyed(f"form:{form_copy()}")),
        *_budgets(("RATELIMIT_SHARED_BURST", "RATELIMIT_SHARED_SUSTAINED"), "shared"),
    ]


def form_copy() -> str:
    """What tells one shared client's form from another's: the session's CSRF token, which
    a visitor keeps for as long as they keep the session cookie (the session is signed, so a
    flooder gets another only by fetching another page). Without a session (the embedded
    form; a browser whose `Origin` vouched for the post, `security.check_csrf`): the signed
    time its copy was made, one more fetch each. Posts with neither (one-click unsubscribes
    from a mail client) share one "form"."""
    token = session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))
    if isinstance(token, str):
        return f"session:{token}"
    return f"copy:{request.form.get('opened', '')}"


def _budgets(settings: Sequence[str], *identifiers: str) -> list[Budget]:
    config = current_app.config
    prefix = config["RATELIMIT_KEY_PREFIX"]
    windows = (_windows(config[name]) for name in settings)
    return [Budget(window, window.key_for(prefix, SCOPE, *identifiers)) for window in windows]


@cache
def _windows(limit: str) -> RateLimitItem:
    return parse(limit)
