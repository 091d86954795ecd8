"""A form POST comes from a page of this site: the browser's `Origin` says so, or the
session's CSRF token does. Another site's page, a sandboxed frame or a borrowed name
(DNS rebinding) gets past neither."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import OutboxMessage, Signature
from tests.factories import make_campaign
from tests.pages import hidden_inputs, send_mail

SIGN = "/en/free-them/sign"
SIGNER = {"name": "Taras Origin", "email": "taras@example.org", "country": "UA", "display": "full"}


@pytest.fixture
def campaign(app):
    return make_campaign()


def stored() -> tuple[int, int]:
    signatures = db.session.scalar(select(func.count()).select_from(Signature))
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    return signatures, messages


def form_without_token(client) -> dict[str, str]:
    """What a page of the site gives a visitor to send back, less the session's token (the
    signed opening time and the statement's hash stay: they are the form's, not CSRF's)."""
    fields = hidden_inputs(client.get(SIGN).get_data(as_text=True))
    del fields["csrf_token"]
    return {**fields, **SIGNER}


def test_a_browser_on_a_page_of_the_site_signs_without_session_or_token(
    app, client, campaign, mailbox
):
    fields = form_without_token(client)
    stranger = app.test_client()  # no session cookie at all

    response = stranger.post(SIGN, data=fields, headers={"Origin": "http://localhost"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/check-email")
    assert stored() == (1, 1)
    assert send_mail() == 1
    assert mailbox.to("taras@example.org")


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame, a data: page
        {"Origin": "http://localhost.evil.example"},
        {"Origin": "http://localhost:8111"},  # another port is another origin
        {"Referer": "http://localhost/en/free-them/sign"},  # a Referer is not enough here
        {},
    ],
    ids=["other-site", "sandboxed", "lookalike", "other-port", "referer-only", "none"],
)
def test_without_the_token_any_other_origin_is_refused_and_nothing_stored(
    client, campaign, mailbox, headers
):
    response = client.post(SIGN, data=form_without_token(client), headers=headers)

    assert response.status_code == 400
    assert stored() == (0, 0)
    assert send_mail() == 0


def test_a_name_that_points_at_this_server_is_not_this_site(app, campaign, mailbox):
    """DNS rebinding: a page of evil.example, its name now resolving to this server, sends
    its own name as Host and as Origin. It has no cookie of ours, so no token either."""
    client = app.test_client()
    fields = form_without_token(client)
    rebound = {"Origin": "http://evil.example", "Host": "evil.example"}

    response = app.test_client().post(SIGN, data=fields, headers=rebound)

    assert response.status_code == 400
    assert stored() == (0, 0)


def test_a_script_without_origin_still_signs_with_the_session_token(client, campaign):
    fields = {**hidden_inputs(client.get(SIGN).get_data(as_text=True)), **SIGNER}

    response = client.post(SIGN, data=fields)

    assert response.status_code == 302
    assert stored() == (1, 1)


def test_another_sites_origin_with_a_token_of_another_session_is_refused(app, campaign):
    """Another site's page cannot read our pages: a token it fetched for itself belongs to
    its own session, not to the visitor's."""
    attacker = app.test_client()
    fields = {**hidden_inputs(attacker.get(SIGN).get_data(as_text=True)), **SIGNER}
    visitor = app.test_client()
    visitor.get(SIGN)  # the visitor has a session of their own

    response = visitor.post(SIGN, data=fields, headers={"Origin": "https://evil.example"})

    assert response.status_code == 400
    assert stored() == (0, 0)


def test_the_staff_sign_in_follows_the_same_rule(app):
    other_site = app.test_client().post(
        "/staff/sign-in",
        data={"email": "nobody@example.org", "password": "wrong"},
        headers={"Origin": "https://evil.example"},
    )
    own_page = app.test_client().post(
        "/staff/sign-in",
        data={"email": "nobody@example.org", "password": "wrong"},
        headers={"Origin": "http://localhost"},
    )

    assert other_site.status_code == 400
    assert own_page.status_code != 400  # past the CSRF check: the sign-in itself answers


class TestOverHttps:
    @pytest.fixture
    def app_config(self):
        return {"BASE_URL": "https://petition.example", "SESSION_COOKIE_SECURE": True}

    def test_the_origin_needs_no_referer(self, app, campaign):
        """Flask-WTF's token check over HTTPS also wants a same-site Referer; a browser's
        Origin of this site stands on its own."""
        client = app.test_client()
        base = "https://petition.example"
        page = client.get(SIGN, base_url=base).get_data(as_text=True)
        fields = {**hidden_inputs(page), **SIGNER}
        del fields["csrf_token"]

        response = client.post(SIGN, data=fields, base_url=base, headers={"Origin": base})

        assert response.status_code == 302
        assert stored() == (1, 1)

    def test_the_plain_http_origin_of_the_same_name_is_another_site(self, app, campaign):
        client = app.test_client()
        base = "https://petition.example"
        fields = {**hidden_inputs(client.get(SIGN, base_url=base).get_data(as_text=True))}
        del fields["csrf_token"]

        response = client.post(
            SIGN,
            data={**fields, **SIGNER},
            base_url=base,
            headers={"Origin": "http://petition.example"},
        )

        assert response.status_code == 400
        assert stored() == (0, 0)
