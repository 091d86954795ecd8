"""`/metrics`: off without a token, only for its bearer, and never a person in it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import (
    DeliveryPackage,
    OutboxMessage,
    OutboxStatus,
    PackageStatus,
    SignatureStatus,
    Target,
)
from petition.models.types import utcnow
from tests.conftest import make_app
from tests.factories import make_campaign, make_signature
from tests.mailbox import Mailbox
from tests.pages import hidden_inputs, link_in, path_of, send_mail, sign

TOKEN = "metrics-token-invented-for-these-tests-only"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def app_config() -> dict[str, str]:
    return {"METRICS_TOKEN": TOKEN}


@pytest.fixture
def campaign(app):
    return make_campaign()


def scrape(client: FlaskClient) -> str:
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def samples(body: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the exposition, by name and labels; the text must parse."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def value(body: str, name: str, **labels: str) -> float:
    return samples(body).get((name, frozenset(labels.items())), 0.0)


@pytest.mark.usefixtures("_schema")
def test_without_a_token_there_is_no_metrics_page(database_uri, mailbox: Mailbox):
    app = make_app(database_uri, mailbox, METRICS_TOKEN=None)
    with app.app_context():
        client = app.test_client()
        # Answered as any address that does not exist (a slash added, then not found).
        unknown = client.get("/no-such-page")
        for headers in ({}, BEARER):
            answer = client.get("/metrics", headers=headers)
            assert answer.status_code == unknown.status_code
            assert client.get("/metrics", headers=headers, follow_redirects=True).status_code == 404
        assert client.get("/healthz").headers.get("X-Request-Id") is None  # text logs: no id


def test_a_short_token_is_refused_at_start(database_uri, mailbox: Mailbox):
    with pytest.raises(ValueError, match="METRICS_TOKEN must be at least 32 characters"):
        make_app(database_uri, mailbox, METRICS_TOKEN="guessable")


def test_only_the_bearer_of_the_token_may_scrape(client):
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        refused = client.get("/metrics", headers=headers)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")
        assert refused.headers["Cache-Control"] == "no-store"
        assert "petition_" not in refused.get_data(as_text=True)

    allowed = client.get("/metrics", headers=BEARER)
    assert allowed.status_code == 200
    assert allowed.headers["Content-Type"].startswith("text/plain; version=")
    assert allowed.headers["Cache-Control"] == "no-store"
    # Not a copy kept for the next visitor: without the token, still refused.
    assert client.get("/metrics").status_code == 401


@pytest.mark.usefixtures("_schema")
def test_scrapes_do_not_draw_on_the_public_forms_budget(database_uri, mailbox):
    app = make_app(
        database_uri, mailbox, METRICS_TOKEN=TOKEN, RATELIMIT_PUBLIC_BURST="1 per minute"
    )
    with app.app_context():
        client = app.test_client()
        assert [client.get("/metrics", headers=BEARER).status_code for _ in range(3)] == [200] * 3


def test_requests_are_counted_by_endpoint_and_status(client, campaign):
    assert sign(client).status_code == 302  # a GET of the form, then its POST
    assert client.get("/en/no-such-campaign/").status_code == 404
    assert client.get("/no/such/address").status_code == 404

    body = scrape(client)
    requests = "petition_http_requests_total"
    assert value(body, requests, endpoint="signing.sign", status="200") == 1
    assert value(body, requests, endpoint="signing.sign", status="302") == 1
    assert value(body, requests, endpoint="campaigns.show", status="404") == 1
    assert value(body, requests, endpoint="unmatched", status="404") == 1
    latency = "petition_http_request_duration_seconds_count"
    assert value(body, latency, endpoint="signing.sign") == 2
    assert (
        value(
            body,
            "petition_http_request_duration_seconds_bucket",
            endpoint="signing.sign",
            le="+Inf",
        )
        == 2
    )

    again = scrape(client)  # the first scrape is counted too
    assert value(again, requests, endpoint="metrics.scrape", status="200") == 1


@pytest.mark.usefixtures("monotonic")  # the kept copy stays fresh however slow the run
def test_pages_replayed_from_the_page_cache_are_counted_apart(app, campaign):
    visitor = app.test_client(use_cookies=False)  # followed a shared link: no cookie
    for _ in range(3):
        assert visitor.get("/en/free-them/").status_code == 200  # made once, replayed twice

    body = scrape(app.test_client())
    shown = {"endpoint": "campaigns.show"}
    assert value(body, "petition_http_requests_total", status="200", **shown) == 1
    assert value(body, "petition_page_cache_replays_total", **shown) == 2


def test_the_queues_and_signatures_are_read_from_the_database(client, campaign, clock):
    for number in range(3):
        sign(client, email=f"queued{number}@example.org")
    make_signature(campaign, status=SignatureStatus.CONFIRMED)
    target = Target(name="United Nations", lang="en")
    db.session.add(target)
    db.session.flush()
    db.session.add(
        DeliveryPackage(campaign_id=campaign.id, target_id=target.id, cutoff_at=utcnow())
    )
    db.session.commit()
    clock.advance(minutes=5)

    queued = db.session.scalar(
        select(func.count()).where(OutboxMessage.status == OutboxStatus.QUEUED)
    )
    body = scrape(client)
    assert queued == 3
    assert value(body, "petition_database_up") == 1
    assert value(body, "petition_outbox_queued") == queued
    assert value(body, "petition_outbox_oldest_queued_age_seconds") >= timedelta(minutes=5).seconds
    assert value(body, "petition_outbox_failed") == 0
    assert value(body, "petition_delivery_packages", status=PackageStatus.QUEUED.value) == 1
    assert value(body, "petition_delivery_packages", status=PackageStatus.READY.value) == 0
    signatures = "petition_signatures"
    assert value(body, signatures, campaign="free-them", status="pending") == 3
    assert value(body, signatures, campaign="free-them", status="confirmed") == 1
    assert value(body, signatures, campaign="free-them", status="withdrawn") == 0

    send_mail()
    body = scrape(client)
    assert value(body, "petition_outbox_queued") == 0
    assert value(body, "petition_outbox_oldest_queued_age_seconds") == 0


def test_a_scrape_with_the_database_down_still_answers(mailbox: Mailbox):
    app = make_app("postgresql+psycopg://nobody@127.0.0.1:1/none", mailbox, METRICS_TOKEN=TOKEN)
    with app.app_context():
        client = app.test_client()
        client.get("/healthz")
        response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert value(body, "petition_database_up") == 0
    assert value(body, "petition_http_requests_total", endpoint="ops.healthz", status="200") == 1
    assert "petition_outbox_queued" not in body


def test_no_signer_token_or_path_is_in_the_metrics(client, campaign, mailbox):
    canaries = {
        "name": "Kanarka Metrykova",
        "email": "kanarka.metryk@example.org",
        "city": "Ptakhivka",
    }
    sign(client, display="full", **canaries)
    send_mail()
    url = link_in(mailbox.text_of(mailbox.to(canaries["email"])[0]))
    page = client.get(path_of(url))
    assert (
        client.post(path_of(url), data=hidden_inputs(page.get_data(as_text=True))).status_code
        == 302
    )
    token = url.rsplit("/", 1)[1]

    body = scrape(client)
    assert (
        value(body, "petition_http_requests_total", endpoint="signing.confirm_post", status="302")
        == 1
    )
    found = [
        secret
        for secret in (
            *canaries.values(),
            "kanarka",
            "example.org",
            token,
            TOKEN,
            "/confirm",
            "/en/",
        )
        if secret.lower() in body.lower()
    ]
    assert found == []
