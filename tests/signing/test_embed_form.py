"""The signing form in a partner's frame: framable only by the sites staff list, sent only
from the site's own page, with nothing a cookie-less frame cannot do."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from petition.campaigns.embedding import OriginInvalid, TooManyOrigins, parse_origins
from petition.extensions import db
from petition.models import AuditEvent, CampaignStatus, Role, Signature
from tests.factories import make_campaign, make_staff
from tests.mailbox import Mailbox
from tests.pages import hidden_inputs, link_in, send_mail, sign_in_staff, submit_form

EMBED = "/uk/free-them/embed"
OWN_ORIGIN = {"Origin": "http://localhost"}
SIGNER = {"name": "Mariia Embed", "email": "mariia@example.org", "country": "UA", "display": "full"}


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    campaign.embed_origins = "https://partner.example\nhttp://localhost:8111"
    db.session.commit()
    return campaign


def signatures() -> int:
    return db.session.scalar(select(func.count()).select_from(Signature))


def embed_form(client) -> dict[str, str]:
    page = client.get(EMBED)
    assert page.status_code == 200
    return hidden_inputs(page.get_data(as_text=True))


@pytest.mark.parametrize(
    ("text", "origins"),
    [
        ("https://Partner.Example/\n\nhttps://partner.example", ("https://partner.example",)),
        ("https://partner.example:8443", ("https://partner.example:8443",)),
        ("https://правозахист.укр", ("https://xn--80aafug7aeipk4a.xn--j1amh",)),
        (
            "http://localhost:5001\nhttp://127.0.0.1:9",
            ("http://localhost:5001", "http://127.0.0.1:9"),
        ),
        ("", ()),
    ],
)
def test_origins_are_normalised(text, origins):
    assert parse_origins(text) == origins


@pytest.mark.parametrize(
    "line",
    [
        "*",
        "'self'",
        "https://*.example",
        "https://partner.example; script-src *",
        "https://partner.example https://other.example",
        "http://partner.example",
        "https://partner.example/campaign",
        "https://partner.example/?a=1",
        "https://user@partner.example",
        "javascript:alert(1)",
        "data:text/html,x",
        "https://partner",
        "https://partner.example:99999",
        "https://-bad-.example",
        "https://partner.example\u0000",
    ],
)
def test_anything_but_a_bare_origin_is_refused(line):
    with pytest.raises(OriginInvalid):
        parse_origins(line)


def test_at_most_twenty_origins():
    with pytest.raises(TooManyOrigins):
        parse_origins("\n".join(f"https://p{n}.example" for n in range(21)))


def test_the_form_is_framable_only_by_the_listed_sites_and_needs_no_cookie(client, campaign):
    response = client.get(EMBED)

    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors https://partner.example http://localhost:8111;" in policy + ";"
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    page = response.get_data(as_text=True)
    assert "csrf_token" not in page
    assert 'action="/uk/free-them/embed"' in page
    assert 'id="safety-notice"' in page  # the same notice and choices as the full page
    assert 'name="display"' in page
    assert 'target="_blank" rel="noopener"' in page  # the privacy link leaves the frame


def test_a_campaign_that_lists_no_site_is_framed_by_none(client, app):
    make_campaign()
    db.session.commit()
    response = client.get(EMBED)

    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_no_embedded_form_for_a_draft_or_closed_campaign(client, app):
    make_campaign("not-yet", status=CampaignStatus.DRAFT)
    make_campaign("over", status=CampaignStatus.CLOSED)
    db.session.commit()

    assert client.get("/uk/not-yet/embed").status_code == 404
    assert client.get("/uk/over/embed").status_code == 410


def test_signing_in_the_frame_sends_the_confirmation_mail(client, campaign, mailbox: Mailbox):
    response = client.post(EMBED, data={**embed_form(client), **SIGNER}, headers=OWN_ORIGIN)

    assert response.status_code == 302
    assert response.headers["Location"] == "/uk/free-them/embed/sent"
    sent = client.get("/uk/free-them/embed/sent")
    assert "frame-ancestors https://partner.example" in sent.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in sent.headers
    assert send_mail() == 1
    [message] = mailbox.to("mariia@example.org")
    assert "/uk/confirm/" in link_in(mailbox.text_of(message))


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://partner.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/page"},
        {},
    ],
    ids=["partner", "sandboxed", "other-referer", "none"],
)
def test_a_form_sent_from_another_page_is_refused(client, campaign, mailbox, headers):
    response = client.post(EMBED, data={**embed_form(client), **SIGNER}, headers=headers)

    assert response.status_code == 400
    assert signatures() == 0
    assert send_mail() == 0


def test_the_referer_is_enough_for_a_browser_without_origin(client, campaign):
    headers = {"Referer": "http://localhost/uk/free-them/embed"}
    response = client.post(EMBED, data={**embed_form(client), **SIGNER}, headers=headers)

    assert response.status_code == 302
    assert signatures() == 1


def test_an_old_copy_of_the_form_is_refused(client, campaign, monkeypatch):
    form = embed_form(client)
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)

    response = client.post(EMBED, data={**form, **SIGNER}, headers=OWN_ORIGIN)

    assert response.status_code == 422
    assert signatures() == 0


def test_the_same_answer_for_an_address_that_signed_already(client, campaign):
    first = client.post(EMBED, data={**embed_form(client), **SIGNER}, headers=OWN_ORIGIN)
    again = client.post(EMBED, data={**embed_form(client), **SIGNER}, headers=OWN_ORIGIN)

    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    assert signatures() == 1


def test_a_form_with_mistakes_comes_back_framable(client, campaign):
    data = {**embed_form(client), **SIGNER, "email": "not an address"}
    response = client.post(EMBED, data=data, headers=OWN_ORIGIN)

    assert response.status_code == 422
    assert "frame-ancestors https://partner.example" in response.headers["Content-Security-Policy"]
    assert 'value="Mariia Embed"' in response.get_data(as_text=True)


def test_staff_list_the_sites_and_the_change_is_audited(client, app):
    sign_in_staff(client, make_staff(Role.ADMIN))
    campaign = make_campaign()
    db.session.commit()
    url = f"/staff/campaigns/{campaign.id}/embedding"

    response = submit_form(client, url, origins="https://Partner.example/\r\nhttps://b.example")

    assert response.status_code == 302
    assert campaign.embed_origins == "https://partner.example\nhttps://b.example"
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.embedding_updated")
    )
    assert event.detail == "origins=https://partner.example https://b.example"
    page = client.get(url).get_data(as_text=True)
    assert "https://partner.example\nhttps://b.example" in page


def test_a_line_that_is_not_a_site_is_shown_and_nothing_is_saved(client, app):
    sign_in_staff(client, make_staff(Role.ADMIN))
    campaign = make_campaign()
    db.session.commit()
    url = f"/staff/campaigns/{campaign.id}/embedding"

    response = submit_form(
        client, url, origins="https://ok.example\r\nhttps://x.example; script-src *"
    )

    assert response.status_code == 422
    assert "is not a site address" in response.get_data(as_text=True)
    assert campaign.embed_origins == ""
