"""Anonymous visitors share one copy of the busiest pages; nobody is shown another's page."""

from __future__ import annotations

import re

import pytest

from petition.models import SignatureStatus
from tests.factories import make_campaign, make_signature
from tests.pages import confirm_link, link_in, send_mail, sign


@pytest.fixture
def campaign(app):
    return make_campaign()


@pytest.fixture
def visitor(app):
    """Someone who followed a shared link: no cookie, ever."""
    return app.test_client(use_cookies=False)


def people_on(html: str) -> int:
    found = re.search(r"<dt>People</dt><dd>([\d,]+)</dd>", html)
    assert found, "the page shows no count of people"
    return int(found.group(1).replace(",", ""))


def confirm(campaign, number: int) -> None:
    make_signature(campaign, email=f"p{number}@example.org", status=SignatureStatus.CONFIRMED)


def test_visitors_share_one_copy_until_its_counts_expire(visitor, campaign, monotonic):
    confirm(campaign, 1)
    first = visitor.get("/en/free-them/")
    assert people_on(first.get_data(as_text=True)) == 1

    confirm(campaign, 2)
    monotonic[0] += 9.9
    again = visitor.get("/en/free-them/")
    assert again.get_data() == first.get_data()
    assert sorted(again.headers.items()) == sorted(first.headers.items())  # the whole answer
    assert again.headers["Content-Security-Policy"]
    assert "Cookie" in again.headers["Vary"]

    monotonic[0] += 0.2  # ten seconds after the counts were taken: never older than that
    assert people_on(visitor.get("/en/free-them/").get_data(as_text=True)) == 2


def test_a_page_is_no_fresher_than_counts_another_page_cached_earlier(visitor, campaign, monotonic):
    confirm(campaign, 1)
    visitor.get("/api/v1/campaigns/free-them")  # counts taken now, kept 10 s
    monotonic[0] += 6
    confirm(campaign, 2)
    assert people_on(visitor.get("/en/free-them/").get_data(as_text=True)) == 1
    monotonic[0] += 4.1  # the counts expire, so does the page made from them 6 s later
    assert people_on(visitor.get("/en/free-them/").get_data(as_text=True)) == 2


def test_each_language_and_the_api_have_their_own_copy(visitor, campaign, monotonic):
    confirm(campaign, 1)
    assert '<html lang="uk">' in visitor.get("/uk/free-them/").get_data(as_text=True)
    assert '<html lang="ru">' in visitor.get("/ru/free-them/").get_data(as_text=True)
    assert '<html lang="uk">' in visitor.get("/uk/free-them/").get_data(as_text=True)
    api = visitor.get("/api/v1/campaigns/free-them")
    again = visitor.get("/api/v1/campaigns/free-them")
    assert again.json == api.json
    assert again.headers["Cache-Control"] == api.headers["Cache-Control"]
    assert again.headers["Content-Type"] == "application/json"


def test_a_visitor_with_a_cookie_or_a_query_gets_a_fresh_page(
    client, visitor, campaign, monotonic, mailbox
):
    confirm(campaign, 1)
    assert people_on(visitor.get("/en/free-them/").get_data(as_text=True)) == 1
    sign(client, email="olena@example.org")
    send_mail()
    [message] = mailbox.to("olena@example.org")
    confirm_link(client, link_in(mailbox.text_of(message)))
    thanked = client.get("/en/free-them/")

    assert people_on(thanked.get_data(as_text=True)) == 2  # the signer sees their signature
    assert people_on(client.get("/en/free-them/").get_data(as_text=True)) == 2
    assert people_on(visitor.get("/en/free-them/?utm_source=x").get_data(as_text=True)) == 2
    assert people_on(visitor.get("/en/free-them/").get_data(as_text=True)) == 1  # the copy


def test_a_signers_thank_you_is_never_shown_to_anyone_else(client, visitor, campaign, mailbox):
    visitor.get("/en/free-them/")
    sign(client, email="olena@example.org")
    send_mail()
    [message] = mailbox.to("olena@example.org")
    confirm_link(client, link_in(mailbox.text_of(message)))
    thanked = client.get("/en/free-them/")
    assert "Your signature is confirmed" in thanked.get_data(as_text=True)

    for _ in range(2):  # made afresh, then served from the copy
        page = visitor.get("/en/free-them/").get_data(as_text=True)
        assert "Your signature is confirmed" not in page
        assert "Olena" not in page


def test_a_copy_kept_over_http_is_not_replayed_over_https(visitor, campaign, monotonic):
    assert "Strict-Transport-Security" not in visitor.get("/en/free-them/").headers
    secure = visitor.get("/en/free-them/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"]
    again = visitor.get("/en/free-them/", base_url="https://localhost")
    assert again.headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in visitor.get("/en/free-them/").headers


def test_a_head_request_gets_the_copys_headers_without_its_body(visitor, campaign, monotonic):
    page = visitor.get("/en/free-them/")
    head = visitor.head("/en/free-them/")
    assert head.status_code == 200
    assert head.get_data() == b""
    assert head.headers["Content-Length"] == str(len(page.get_data()))
    assert head.headers["Content-Type"] == page.headers["Content-Type"]
