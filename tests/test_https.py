"""Behind a TLS proxy (`PROXY_COUNT=1`, `X-Forwarded-Proto: https`) every form works.

A browser on a page that says `Referrer-Policy: same-origin` sends the page's own address as
`Referer` with a form it posts to the same site, and nothing to any other site; these tests
send what such a browser sends.
"""

from __future__ import annotations

import pytest

from petition.models import Role
from tests.factories import STAFF_PASSWORD, make_campaign, make_staff
from tests.pages import hidden_inputs, totp_now

ORIGIN = "https://sign.example.org"


@pytest.fixture
def app_config():
    return {"PROXY_COUNT": 1, "BASE_URL": ORIGIN, "SESSION_COOKIE_SECURE": True}


class SecureBrowser:
    """The test client as a browser on https://sign.example.org behind one proxy."""

    def __init__(self, client):
        self.client = client
        self.headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}

    def get(self, path):
        return self.client.get(path, base_url=ORIGIN, headers=self.headers)

    def submit(self, path, referer=None, **fields):
        page = self.get(path)
        assert page.status_code == 200, page.status_code
        data = {**hidden_inputs(page.get_data(as_text=True)), **fields}
        headers = dict(self.headers)
        if referer is not False:
            headers["Referer"] = referer or ORIGIN + path
        return self.client.post(path, base_url=ORIGIN, headers=headers, data=data)


@pytest.fixture
def browser(client):
    return SecureBrowser(client)


def test_pages_over_https_ask_for_a_same_origin_referrer_and_strict_transport(browser):
    make_campaign()
    response = browser.get("/uk/free-them/sign")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in response.get_data(as_text=True)
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def test_strict_transport_covers_subdomains_only_when_set(app, browser):
    app.config["HSTS_INCLUDE_SUBDOMAINS"] = True
    response = browser.get("/healthz")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_signing_over_https_is_accepted(browser, mailbox):
    make_campaign()
    response = browser.submit(
        "/uk/free-them/sign",
        name="Олена Тест",
        email="olena@example.org",
        country="UA",
        display="anonymous",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith("/uk/free-them/check-email")


def test_staff_sign_in_over_https_reaches_the_console(browser):
    user = make_staff(Role.ADMIN)
    first = browser.submit("/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
    assert first.status_code == 302, first.get_data(as_text=True)[:500]
    cookie = first.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    second = browser.submit(first.headers["Location"], code=totp_now(user))
    assert second.status_code == 302
    assert browser.get("/staff/").status_code == 200


def test_a_post_from_another_site_is_still_refused(browser):
    user = make_staff(Role.ADMIN)
    response = browser.submit(
        "/staff/sign-in",
        referer="https://attacker.example.net/staff/sign-in",
        email=user.email,
        password=STAFF_PASSWORD,
    )
    assert response.status_code == 400


def test_a_post_without_referrer_over_https_is_refused(browser):
    """What `same-origin` makes every real browser send, a forged cross-site post lacks."""
    user = make_staff(Role.ADMIN)
    response = browser.submit(
        "/staff/sign-in", referer=False, email=user.email, password=STAFF_PASSWORD
    )
    assert response.status_code == 400
