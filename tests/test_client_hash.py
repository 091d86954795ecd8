"""Client addresses: a keyed hash whose key is never stored where the hashes are.

A copy of the database (every table, with the app's SECRET_KEY) must not let anyone
recompute a signer's hash from a guessed address; hashes must still match for one address
on one day, across every worker sharing Redis.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import inspect, select, text

from petition import privacy
from petition.extensions import db
from petition.models import Signature
from petition.models.types import utcnow
from tests.conftest import make_app
from tests.factories import make_campaign
from tests.pages import sign

ADDRESS = "198.51.100.77"


@pytest.fixture
def shared_redis(redis_url: str) -> Iterator[dict[str, str]]:
    """Settings that keep the day's key in the suite's Redis, under a prefix of the test's own."""
    prefix = f"test-{secrets.token_hex(4)}"
    yield {"REDIS_URL": redis_url, "REDIS_KEY_PREFIX": prefix}
    store = redis.Redis.from_url(redis_url)
    keys = list(store.scan_iter(f"{prefix}:*"))
    if keys:
        store.delete(*keys)


def every_stored_value() -> Iterator[object]:
    """Every value of every row of every table the database holds, ours or not."""
    for table in inspect(db.session.connection()).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
            yield from row


def candidate_keys(value: object) -> Iterator[bytes]:
    if isinstance(value, bytes | bytearray | memoryview):
        yield bytes(value)
    elif isinstance(value, str):
        yield value.encode()
        with contextlib.suppress(ValueError):
            yield bytes.fromhex(value)


def secret_key_derivations(secret: str, now: datetime) -> Iterator[bytes]:
    """What a key derived from SECRET_KEY and the day would be, as far as we can guess."""
    day = now.date().isoformat()
    yield secret.encode()
    for message in (day, f"client-hash:{day}", f"client-hash-key:{day}"):
        yield hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
        yield (secret + message).encode()


def hashes_with(key: bytes, address: str) -> str:
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("shared", [False, True], ids=["in memory", "in Redis"])
def test_a_database_copy_cannot_reproduce_a_client_hash(app, client, mailbox, shared_redis, shared):
    if shared:
        app.config.update(shared_redis)
    make_campaign()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    sign(client, email="hashed@example.org")
    stored = db.session.scalars(select(Signature.client_hash)).one()
    assert stored

    keys = {key for value in every_stored_value() for key in candidate_keys(value)}
    keys |= set(secret_key_derivations(app.config["SECRET_KEY"], utcnow()))
    assert not [key for key in keys if hashes_with(key, ADDRESS) == stored]


def client_hash_in(app, address: str) -> str | None:
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        return privacy.client_hash()


@pytest.mark.usefixtures("_schema")
def test_one_address_one_day_one_hash_across_workers_sharing_redis(
    database_uri, smtp_server, shared_redis
):
    first, second = (make_app(database_uri, smtp_server, **shared_redis) for _ in range(2))
    assert client_hash_in(first, ADDRESS) == client_hash_in(second, ADDRESS)
    assert client_hash_in(first, ADDRESS) != client_hash_in(second, "198.51.100.78")

    store = redis.Redis.from_url(shared_redis["REDIS_URL"])
    [name] = store.scan_iter(f"{shared_redis['REDIS_KEY_PREFIX']}:*")
    end_of_day = datetime.combine(utcnow().date() + timedelta(days=1), datetime.min.time(), UTC)
    assert 0 < store.ttl(name) <= (end_of_day - utcnow()).total_seconds() + 1


def test_the_key_changes_with_the_day(app, clock):
    today = client_hash_in(app, ADDRESS)
    assert client_hash_in(app, ADDRESS) == today
    clock.advance(days=1)
    assert client_hash_in(app, ADDRESS) != today
