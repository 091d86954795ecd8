"""Public counts: only confirmed signatures, by country, fresh within the cache's lifetime."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from petition.campaigns import counts
from petition.extensions import db
from petition.models import Display, Signature, SignatureStatus
from tests.factories import make_campaign


@pytest.fixture
def campaign(app):
    return make_campaign()


def add_signatures(campaign, status: SignatureStatus, countries: list[str]) -> None:
    for number, country in enumerate(countries):
        db.session.add(
            Signature(
                campaign=campaign,
                name=f"Person {status} {number}",
                email=f"{status}{number}@example.org",
                email_normalised=f"{status}{number}@example.org",
                country=country,
                display=Display.ANONYMOUS,
                lang="en",
                statement_sha256="0" * 64,
                status=status,
            )
        )
    db.session.commit()


def test_api_counts_only_confirmed_signatures(client, campaign):
    add_signatures(campaign, SignatureStatus.CONFIRMED, ["UA", "UA", "PL", "RU"])
    add_signatures(campaign, SignatureStatus.PENDING, ["UA", "DE"])
    add_signatures(campaign, SignatureStatus.INVALIDATED, ["UA"])

    response = client.get("/api/v1/campaigns/free-them")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "max-age=10" in response.headers["Cache-Control"]
    body = response.json
    assert set(body) == {"slug", "title", "status", "counts", "by_country", "updated_at"}
    assert body["slug"] == "free-them"
    assert body["title"] == "Free them all"
    assert body["status"] == "open"
    assert body["counts"] == {"individuals": 4, "organisations": 0}
    assert body["by_country"] == {"UA": 2, "PL": 1, "RU": 1}
    assert "@" not in response.get_data(as_text=True)


def test_unknown_campaign_is_a_json_404(client, campaign):
    response = client.get("/api/v1/campaigns/nope")
    assert response.status_code == 404
    assert response.json == {"error": "Not Found"}


def test_counts_are_cached_and_fresh_within_their_lifetime(client, campaign, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(counts.time, "monotonic", lambda: clock[0])
    add_signatures(campaign, SignatureStatus.CONFIRMED, ["UA"])
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["individuals"] == 1

    # Another process confirms a signature; this one keeps its cached aggregate for a while.
    add_signatures(campaign, SignatureStatus.PENDING, ["LV"])
    db.session.execute(update(Signature).values(status=SignatureStatus.CONFIRMED))
    db.session.commit()
    clock[0] += 5
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["individuals"] == 1
    clock[0] += 5.1
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["individuals"] == 2


def test_campaign_page_shows_counts_by_localised_country(client, campaign):
    add_signatures(campaign, SignatureStatus.CONFIRMED, ["UA", "UA", "DE"])
    html = client.get("/uk/free-them/").get_data(as_text=True)
    assert "Україна" in html
    assert "Німеччина" in html
    html = client.get("/ru/free-them/").get_data(as_text=True)
    assert "Украина" in html
    assert "Германия" in html
