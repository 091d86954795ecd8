"""Public forms are rate limited per client, with a translated page, not per site."""

from __future__ import annotations

import secrets
import socket

import pytest
import redis
from flask import request
from flask_babel import force_locale, gettext

from petition import create_app
from tests.conftest import _empty_all_tables, make_app
from tests.factories import make_campaign
from tests.pages import hidden_inputs


@pytest.fixture
def app_config():
    return {"RATELIMIT_PUBLIC_BURST": "3 per minute"}


def post_sign(client, address: str, n: int):
    page = client.get("/ru/free-them/sign", environ_base={"REMOTE_ADDR": address})
    data = {
        **hidden_inputs(page.get_data(as_text=True)),
        "name": f"Person {n}",
        "email": f"person{n}@example.org",
        "country": "UA",
        "display": "anonymous",
    }
    return client.post("/ru/free-them/sign", data=data, environ_base={"REMOTE_ADDR": address})


def test_a_flood_from_one_address_meets_a_translated_429(app):
    make_campaign()
    client = app.test_client()
    statuses = [post_sign(client, "203.0.113.1", n).status_code for n in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    page = post_sign(client, "203.0.113.1", 9)
    with force_locale("ru"):
        assert gettext("Too many attempts") in page.get_data(as_text=True)
    # Someone else, at another address, is not affected.
    assert post_sign(app.test_client(), "198.51.100.2", 10).status_code == 302


def test_limits_are_settings(app):
    assert app.config["RATELIMIT_PUBLIC_BURST"] == "3 per minute"
    assert app.config["RATELIMIT_PUBLIC_SUSTAINED"]


def test_tunable_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RATELIMIT_PUBLIC_BURST", "5 per second")
    monkeypatch.setenv("SIGN_MIN_SECONDS", "1.5")
    monkeypatch.setenv("STAFF_IDLE_MINUTES", "15")
    app = create_app({"TESTING": True, "SECRET_KEY": "x"})
    assert app.config["RATELIMIT_PUBLIC_BURST"] == "5 per second"
    assert app.config["SIGN_MIN_SECONDS"] == 1.5
    assert app.config["STAFF_IDLE_MINUTES"] == 15


def test_behind_a_proxy_each_client_has_its_own_limit(app_config, monkeypatch):
    monkeypatch.setenv("PROXY_COUNT", "1")
    proxied = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )

    @proxied.get("/whoami")
    def whoami():
        return request.remote_addr or ""

    client = proxied.test_client()
    seen = client.get("/whoami", headers={"X-Forwarded-For": "192.0.2.44"})
    assert seen.get_data(as_text=True) == "192.0.2.44"


@pytest.fixture
def app_with(database_uri, _schema, mailbox, app_config):
    """An app of the suite's database with some settings of the test's own."""
    made = []

    def build(**settings):
        made.append(make_app(database_uri, mailbox, **(app_config | settings)))
        return made[-1]

    yield build
    for app in made:
        _empty_all_tables(app)


def test_in_redis_both_budgets_count_and_expire_with_their_windows(app_with, redis_url):
    prefix = f"test-{secrets.token_hex(4)}"
    app = app_with(
        RATELIMIT_STORAGE_URI=redis_url,
        RATELIMIT_KEY_PREFIX=prefix,
        RATELIMIT_PUBLIC_BURST="50 per minute",
        RATELIMIT_PUBLIC_SUSTAINED="2 per hour",
    )
    store = redis.Redis.from_url(redis_url)
    try:
        with app.app_context():
            make_campaign()
            client = app.test_client()
            statuses = [post_sign(client, "203.0.113.7", n).status_code for n in range(3)]
        assert statuses == [302, 302, 429]
        expiries = sorted(store.ttl(key) for key in store.scan_iter(f"*{prefix}*"))
        assert len(expiries) == 2
        assert 0 < expiries[0] <= 60 < expiries[1] <= 3600
    finally:
        if keys := list(store.scan_iter(f"*{prefix}*")):
            store.delete(*keys)


def test_a_connection_redis_dropped_is_made_again_and_the_budget_still_counts(app_with, redis_url):
    """Each thread holds one connection for the check; Redis closing it (a restart, a
    timeout) must neither refuse signers nor let them through uncounted."""
    prefix = f"test-{secrets.token_hex(4)}"
    app = app_with(
        RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_KEY_PREFIX=prefix, RATELIMIT_SWALLOW_ERRORS=False
    )
    store = redis.Redis.from_url(redis_url)
    try:
        with app.app_context():
            make_campaign()
            client = app.test_client()
            statuses = [post_sign(client, "203.0.113.9", 1).status_code]
            checkers = [c["id"] for c in store.client_list() if c["cmd"] == "evalsha"]
            assert checkers, "the check holds no connection of its own"
            for checker in checkers:
                store.client_kill_filter(_id=checker)
            statuses += [post_sign(client, "203.0.113.9", n).status_code for n in range(2, 5)]
        assert statuses == [302, 302, 302, 429]
    finally:
        if keys := list(store.scan_iter(f"*{prefix}*")):
            store.delete(*keys)


def test_when_redis_is_down_signers_still_get_through(app_with):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    app = app_with(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed}/0")
    with app.app_context():
        make_campaign()
        assert post_sign(app.test_client(), "203.0.113.8", 1).status_code == 302
