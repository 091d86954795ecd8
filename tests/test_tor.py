"""Over Tor every visitor arrives from the local tor daemon: the crowd still signs, one abuser
is still stopped, and public pages over HTTPS point Tor Browser to the onion service."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from petition import create_app, preflight
from petition.config import SettingInvalid
from petition.extensions import db
from petition.models import Campaign, Signature, SignatureStatus
from tests.conftest import IsolatedClient, _empty_all_tables, make_app
from tests.factories import make_campaign
from tests.mailbox import Mailbox
from tests.pages import confirm_link, hidden_inputs, link_in, send_mail, sign

ONION = "http://" + "a" * 28 + "b2c3d4e5f6g7" + "z" * 16 + ".onion"
EMBED = "/uk/free-them/embed"
TOR = "127.0.0.1"  # where tor connects from to reach the site
SHARED = {
    "SHARED_CLIENT_ADDRESSES": f"{TOR}, ::1",
    # What one address of its own may send: a handful, as the per-address tests use.
    "RATELIMIT_PUBLIC_BURST": "3 per minute",
    "RATELIMIT_SHARED_PER_FORM": "3 per hour",
    "RATELIMIT_SHARED_BURST": "60 per minute",
}


@pytest.fixture(params=["memory", "redis"])
def tor_app(request, database_uri, _schema, mailbox, redis_url):
    """The app with its onion-service settings, counting limits in memory or in Redis."""
    prefix = f"test-{secrets.token_hex(4)}"
    in_redis = {"RATELIMIT_STORAGE_URI": redis_url} if request.param == "redis" else {}
    app = make_app(database_uri, mailbox, **SHARED, **in_redis, RATELIMIT_KEY_PREFIX=prefix)
    try:
        with app.app_context():
            make_campaign()
            db.session.commit()
            yield app
    finally:
        _empty_all_tables(app)
    if request.param == "redis":
        store = redis.Redis.from_url(redis_url)
        keys = list(store.scan_iter(f"*{prefix}*"))
        assert keys, "the limits were not kept in Redis"
        store.delete(*keys)


class NamingHost(IsolatedClient):
    """A client whose requests name `host` in their Host header, whatever the URL says."""

    host = ""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        kwargs["headers"] = {"Host": self.host, **dict(kwargs.get("headers") or {})}
        return super().open(*args, **kwargs)


def visitor(app: Flask, address: str = TOR, host: str | None = None) -> FlaskClient:
    """A browser of its own (its own cookies) whose requests arrive from `address`, naming
    `host` if given."""
    client = app.test_client()
    if host is not None:
        client = NamingHost(app, app.response_class, use_cookies=True)
        client.host = host
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_as(client: FlaskClient, number: int, email: str | None = None) -> int:
    email = email or f"tor-signer-{number}@example.org"
    return sign(client, name=f"Signer {number}", email=email, display="anonymous").status_code


def test_many_signers_over_tor_sign_and_confirm_where_one_address_would_stop_at_three(
    tor_app, mailbox: Mailbox
):
    signers = 24  # eight times what one address of its own may send in a minute
    browsers = [visitor(tor_app) for _ in range(signers)]
    assert [sign_as(browser, n) for n, browser in enumerate(browsers)] == [302] * signers
    assert send_mail() == signers
    for n, browser in enumerate(browsers):
        [mail] = mailbox.to(f"tor-signer-{n}@example.org")
        assert confirm_link(browser, link_in(mailbox.text_of(mail))).status_code == 302
    statuses = db.session.scalars(select(Signature.status)).all()
    assert statuses == [SignatureStatus.CONFIRMED] * signers
    # No hash of the tor daemon's address ties every signer over Tor together.
    assert db.session.scalars(select(Signature.client_hash)).all() == [None] * signers


def test_one_abusive_browser_over_tor_is_stopped_and_costs_the_crowd_nothing(tor_app):
    abuser = visitor(tor_app)
    assert [sign_as(abuser, n) for n in range(12)] == [302] * 3 + [429] * 9
    # Its refused posts were not counted in the ceiling everyone over Tor shares: the
    # ceiling (60 a minute) still has room for exactly 57 more posts, the 3 it spent aside.
    crowd = [sign_as(visitor(tor_app), 100 + n) for n in range(58)]
    assert crowd == [302] * 57 + [429]


def test_a_flood_over_tor_in_fresh_sessions_meets_the_ceiling_and_no_one_else(tor_app):
    flood = [sign_as(visitor(tor_app), n) for n in range(65)]
    assert flood == [302] * 60 + [429] * 5
    assert db.session.scalar(select(db.func.count()).select_from(Signature)) == 60
    # Whoever has an address of their own draws on its budget, not on the Tor crowd's.
    assert sign_as(visitor(tor_app, "198.51.100.7"), 999) == 302


def test_naming_the_onion_host_from_the_clearnet_does_not_escape_the_address_budget(tor_app):
    spoofer = visitor(tor_app, "203.0.113.9", host=ONION.removeprefix("http://"))
    assert [sign_as(spoofer, n) for n in range(5)] == [302] * 3 + [429] * 2


def test_a_victims_mailbox_is_not_bombed_through_tor(tor_app, mailbox: Mailbox):
    """Fresh sessions over Tor, each submitting the victim's address, in the spellings that
    reach one mailbox: the per-signature cap (`CONFIRM_LINKS_PER_SIGNATURE`) bounds the
    mail, whoever sends the form, and every attempt is answered alike, so the attacker
    cannot tell what the victim did (a 429 would tell that someone else sent it)."""
    spellings = ["victim.test@gmail.com", "Victim.Test+{n}@gmail.com", "victimtest+{n}@GMAIL.com"]
    addresses = [spellings[n % 3].format(n=n) for n in range(21)]
    attempts = [sign_as(visitor(tor_app), n, email=to) for n, to in enumerate(addresses)]
    assert attempts == [302] * 21
    send_mail()
    cap = tor_app.config["CONFIRM_LINKS_PER_SIGNATURE"]
    assert {message["To"].casefold() for message in mailbox.messages} <= {
        to.casefold() for to in addresses
    }
    assert len(mailbox.messages) == cap < len(attempts)


def test_the_embedded_form_over_tor_has_a_budget_per_copy_of_the_form(tor_app):
    """A partner's frame sends no cookie: each copy of the form (its signed opening time) is
    the form whose posts are counted, so one copy sent again and again is stopped while
    other visitors' copies go through."""
    campaign = db.session.scalar(select(Campaign))
    campaign.embed_origins = "http://localhost"
    db.session.commit()
    own_page = {"Origin": "http://localhost"}

    def send(client: FlaskClient, form: dict[str, str], n: int) -> int:
        signer = {"name": f"Framed {n}", "email": f"framed{n}@example.org", "country": "UA"}
        data = {**form, **signer, "display": "anonymous"}
        return client.post(EMBED, data=data, headers=own_page).status_code

    def embed_form(client: FlaskClient) -> dict[str, str]:
        return hidden_inputs(client.get(EMBED).get_data(as_text=True))

    replayer = visitor(tor_app)
    copy = embed_form(replayer)
    assert [send(replayer, copy, n) for n in range(5)] == [302] * 3 + [429] * 2
    others = [visitor(tor_app) for _ in range(6)]
    assert [send(other, embed_form(other), 10 + n) for n, other in enumerate(others)] == [302] * 6


@pytest.mark.parametrize(
    "address",
    [
        "",  # gunicorn on a unix socket, with no proxy header: no address at all
        "::ffff:127.0.0.1",  # tor's address, as a server listening on IPv6 too sees it
        "::1",
    ],
)
def test_more_signers_than_one_address_allows_get_through_from_a_shared_address(tor_app, address):
    browsers = [visitor(tor_app, address) for _ in range(5)]
    assert [sign_as(browser, n) for n, browser in enumerate(browsers)] == [302] * 5


# Onion-Location


@pytest.fixture
def app_config():
    return {"ONION_LOCATION": ONION + "/"}


def test_public_html_pages_over_https_name_the_same_page_on_the_onion(app, client):
    make_campaign()
    db.session.commit()
    for path in ("/en/free-them/", "/en/free-them/", "/ru/free-them/sign"):  # twice: kept copy
        page = client.get(path, base_url="https://sign.example.org")
        assert page.status_code == 200
        assert page.headers["Onion-Location"] == ONION + path
    found = client.get("/en/free-them/coalition?page=2&q=%D0%B0", base_url="https://x.org")
    assert found.headers["Onion-Location"] == ONION + "/en/free-them/coalition?page=2&q=%D0%B0"


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("/staff/sign-in", "staff work on the HTTPS origin only"),
        ("/api/v1/campaigns/free-them", "not a page"),
    ],
)
def test_no_onion_location_on_the_staff_console_or_json(app, client, path, why):
    make_campaign()
    db.session.commit()
    answer = client.get(path, base_url="https://sign.example.org")
    assert answer.status_code == 200
    assert "Onion-Location" not in answer.headers, why


def test_on_the_onion_the_session_cookie_is_not_secure_and_forms_work(app):
    """Chromium-based browsers drop a Secure cookie a plain-HTTP .onion page sets; without
    the session the form's CSRF check fails. The HTTPS site's cookie stays Secure."""
    make_campaign()
    db.session.commit()
    app.config["SESSION_COOKIE_SECURE"] = True  # as with BASE_URL=https://…
    onion = visitor(app, host=ONION.removeprefix("http://"))
    form = onion.get("/en/free-them/sign")
    assert "Secure" not in form.headers["Set-Cookie"]
    assert sign_as(onion, 1) == 302
    clearnet = app.test_client().get("/en/free-them/sign", base_url="https://sign.example.org")
    assert "; Secure" in clearnet.headers["Set-Cookie"]


def test_no_onion_location_over_plain_http(app, client):
    """Tor Browser ignores it there; the onion service itself is plain HTTP."""
    make_campaign()
    db.session.commit()
    assert "Onion-Location" not in client.get("/en/free-them/").headers


def test_a_path_cannot_put_a_line_or_a_header_into_onion_location(app, client):
    answer = client.get("/en/%0d%0aSet-Cookie:%20x=1/%E2%9C%93%25", base_url="https://x.org")
    assert answer.status_code == 404
    assert answer.headers["Onion-Location"] == ONION + "/en/%0D%0ASet-Cookie:%20x=1/%E2%9C%93%25"
    assert "Set-Cookie" not in answer.headers


@pytest.mark.parametrize(
    ("shared", "status", "says"),
    [
        ("", preflight.Status.FAIL, "set it to where tor connects from (127.0.0.1, ::1)"),
        ("127.0.0.1, ::1", preflight.Status.OK, ONION),
    ],
)
def test_flask_check_fails_an_onion_service_whose_crowd_would_share_one_address(
    app, shared, status, says
):
    app.config["SHARED_CLIENT_ADDRESSES"] = shared
    result = preflight.onion_service()
    assert result.status is status
    assert says in result.detail


@pytest.mark.parametrize(
    "value",
    [
        "http://" + "a" * 16 + ".onion",  # a v2 address: gone from Tor since 2021
        "https://" + "a" * 56 + ".onion",
        ONION + "/en/",
        "http://" + "A" * 56 + ".onion",
        "http://" + "a" * 55 + "1.onion",  # 1 is not in base32
        "http://sign.example.org",
        ONION + "\r\nSet-Cookie: x=1",
    ],
)
def test_the_app_refuses_to_start_with_an_onion_location_that_is_not_an_onion_origin(
    monkeypatch, value
):
    monkeypatch.setenv("ONION_LOCATION", value)
    with pytest.raises(SettingInvalid, match=r"ONION_LOCATION.*56 characters"):
        create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("SHARED_CLIENT_ADDRESSES", "127.0.0.1, localhost"),
        ("RATELIMIT_SHARED_PER_FORM", "ten per hour"),
    ],
)
def test_the_app_refuses_to_start_with_shared_client_settings_it_cannot_read(
    monkeypatch, setting, value
):
    monkeypatch.setenv(setting, value)
    with pytest.raises(SettingInvalid, match=setting):
        create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_the_production_entry_point_stops_with_the_message_not_a_traceback(tmp_path):
    env = {**os.environ, "SECRET_KEY": "x", "ONION_LOCATION": "http://sign.example.org"}
    env["INSTANCE_PATH"] = str(tmp_path)
    entry = [sys.executable, "-c", "import petition.wsgi"]
    started = subprocess.run(entry, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert started.returncode == 1
    assert "ONION_LOCATION: 'http://sign.example.org' is not an onion" in started.stderr
    assert "Traceback" not in started.stderr
