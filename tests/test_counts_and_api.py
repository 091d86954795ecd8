"""Public counts: only confirmed signatures, by country, fresh within the cache's lifetime."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from petition.campaigns import counts
from petition.extensions import db
from petition.models import Display, Role, Signature, SignatureStatus
from petition.personal import email_hash
from petition.signing.review import ReviewAction, change_signature
from tests.factories import make_campaign, make_signature, make_staff
from tests.pages import (
    confirm_link,
    link_in,
    manage_link_in,
    path_of,
    send_mail,
    sign,
    submit_form,
)


@pytest.fixture
def campaign(app):
    return make_campaign()


def add_signatures(campaign, status: SignatureStatus, countries: list[str]) -> None:
    for number, country in enumerate(countries):
        make_signature(
            campaign,
            email=f"{status}{number}@example.org",
            country=country,
            display=Display.ANONYMOUS,
            status=status,
        )


def test_api_counts_only_confirmed_signatures(client, campaign):
    add_signatures(campaign, SignatureStatus.CONFIRMED, ["UA", "UA", "PL", "RU"])
    add_signatures(campaign, SignatureStatus.PENDING, ["UA", "DE"])
    add_signatures(campaign, SignatureStatus.INVALIDATED, ["UA"])

    response = client.get("/api/v1/campaigns/free-them")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert "max-age=10" in response.headers["Cache-Control"]
    body = response.json
    assert set(body) == {
        "slug",
        "title",
        "status",
        "counts",
        "by_country",
        "paper_by_country",
        "updated_at",
    }
    assert body["slug"] == "free-them"
    assert body["title"] == "Free them all"
    assert body["status"] == "open"
    assert body["counts"] == {"individuals": 4, "organisations": 0, "paper": 0}
    assert body["by_country"] == {"UA": 2, "PL": 1, "RU": 1}
    assert body["paper_by_country"] == {}
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


def test_counts_follow_confirmations_invalidations_and_withdrawals(
    client, campaign, mailbox, monkeypatch
):
    """After a burst of changes, the public counts equal a direct count within their TTL."""
    clock = [0.0]
    monkeypatch.setattr(counts.time, "monotonic", lambda: clock[0])
    countries = ["UA", "UA", "PL", "RU", "DE", "UA", "LT", "PL"]
    for number, country in enumerate(countries):
        sign(client, email=f"burst{number}@example.org", country=country)
    send_mail()
    for number in range(7):
        [message] = mailbox.to(f"burst{number}@example.org")
        confirm_link(client, link_in(mailbox.text_of(message)))
    client.get("/api/v1/campaigns/free-them")  # the cache holds the numbers so far
    moderator = make_staff(Role.MODERATOR)
    for signature_id in db.session.scalars(
        select(Signature.id).where(
            Signature.email_hash.in_([email_hash(f"burst{n}@example.org") for n in (1, 7)])
        )
    ):
        change_signature(signature_id, ReviewAction.INVALIDATE, reason="test", actor=moderator)
    db.session.commit()
    [mail] = mailbox.to("burst2@example.org")
    manage = path_of(manage_link_in(mailbox.text_of(mail))) + "/withdraw"
    assert submit_form(client, manage).status_code in {200, 302}

    clock[0] += 10.5
    db.session.expire_all()
    direct = dict(
        db.session.execute(
            select(Signature.country, func.count())
            .where(Signature.status == SignatureStatus.CONFIRMED)
            .group_by(Signature.country)
        ).all()
    )
    body = client.get("/api/v1/campaigns/free-them").json
    assert body["by_country"] == direct
    assert body["counts"]["individuals"] == sum(direct.values()) == 5
