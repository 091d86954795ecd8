"""Counters for partners' sites: public numbers only, framable anywhere, no cookie, no script."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from petition.models import CampaignStatus, Display, SignatureStatus
from tests.factories import make_campaign, make_signature

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    for number, status in enumerate(
        (SignatureStatus.CONFIRMED, SignatureStatus.CONFIRMED, SignatureStatus.PENDING)
    ):
        make_signature(
            campaign,
            name=f"Canary Zhyvotovska {number}",
            email=f"canary{number}@example.org",
            city="Canarytown",
            display=Display.FULL,
            status=status,
        )
    return campaign


def assert_framable_public_answer(response) -> None:
    assert response.status_code == 200
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["ETag"]


def test_the_counter_shows_confirmed_totals_in_the_asked_language(client, campaign):
    response = client.get("/embed/free-them/counter?lang=uk")

    assert_framable_public_answer(response)
    page = response.get_data(as_text=True)
    assert '<html lang="uk">' in page
    assert "Люди" in page
    assert "Організації" in page
    assert "<dd>2</dd>" in page  # the pending signature is not counted
    assert 'href="/uk/free-them/sign" target="_blank" rel="noopener"' in page
    assert "<script" not in page


def test_the_counter_names_nobody(client, campaign):
    page = client.get("/embed/free-them/counter").get_data(as_text=True)

    for canary in ("Canary", "canary", "Canarytown"):
        assert canary not in page


def test_the_counter_defaults_to_english_and_refuses_other_languages(client, campaign):
    assert '<html lang="en">' in client.get("/embed/free-them/counter").get_data(as_text=True)
    assert client.get("/embed/free-them/counter?lang=xx").status_code == 404
    assert client.get("/embed/free-them/counter.svg?lang=%00").status_code == 404


def test_no_counter_for_a_draft_or_unknown_campaign(client, app):
    make_campaign(slug="not-yet", status=CampaignStatus.DRAFT)
    assert client.get("/embed/not-yet/counter").status_code == 404
    assert client.get("/embed/not-yet/counter.svg").status_code == 404
    assert client.get("/embed/nobody/counter").status_code == 404


def test_a_closed_campaign_counter_says_it_is_closed(client, app):
    make_campaign(slug="over", status=CampaignStatus.CLOSED)
    page = client.get("/embed/over/counter").get_data(as_text=True)

    assert "no longer accepts signatures" in page
    assert "/sign" not in page


def test_the_badge_is_an_svg_with_the_count_and_no_script(client, campaign):
    response = client.get("/embed/free-them/counter.svg?lang=ru")

    assert_framable_public_answer(response)
    assert response.mimetype == "image/svg+xml"
    svg = ElementTree.fromstring(response.get_data())  # noqa: S314 - the app's own answer
    texts = [element.text for element in svg.iter(f"{SVG}text")]
    assert texts == ["Подписи", "2"]
    assert svg.get("aria-label") == "Подписи: 2"
    assert not list(svg.iter(f"{SVG}script"))
    assert "Canary" not in response.get_data(as_text=True)


def test_a_cached_counter_answers_304(client, campaign):
    first = client.get("/embed/free-them/counter.svg")
    etag = first.headers["ETag"]
    again = client.get("/embed/free-them/counter.svg", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert not again.get_data()


def test_every_other_page_still_refuses_to_be_framed(client, campaign):
    for path in ("/en/free-them/", "/en/free-them/sign", "/api/v1/campaigns/free-them"):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY", path
