"""Each process keeps an open campaign's id and text hashes for signing: nothing wrong gets in.

The first accepted form makes the process keep the campaign; every test below starts there.
"""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from petition.extensions import db
from petition.models import CampaignStatus, CustodianKey, OutboxMessage, Signature
from petition.personal import email_hash
from tests.factories import make_campaign
from tests.pages import hidden_inputs

SIGN = "/en/free-them/sign"
REVISED = "A revised statement."


@pytest.fixture
def campaign(app):
    return make_campaign()


def open_form(client) -> dict[str, str]:
    return hidden_inputs(client.get(SIGN).get_data(as_text=True))


def send(client, form: dict[str, str], email: str):
    details = {"name": "Olena Test", "email": email, "country": "UA", "display": "full"}
    return client.post(SIGN, data={**form, **details})


def signed_hash(email: str) -> str | None:
    query = select(Signature.statement_sha256).where(Signature.email_hash == email_hash(email))
    return db.session.scalar(query)


@pytest.fixture
def kept(client, campaign) -> dict[str, str]:
    """A form opened before anything changed, already used once (so the campaign is kept)."""
    form = open_form(client)
    assert send(client, form, "first@example.org").status_code == 302
    return form


def revise(campaign) -> str:
    campaign.texts["en"].statement = REVISED
    db.session.commit()
    return campaign.texts["en"].sha256


def test_a_campaign_closed_after_it_was_kept_takes_no_signature(client, campaign, kept):
    campaign.status = CampaignStatus.CLOSED
    db.session.commit()
    assert send(client, kept, "second@example.org").status_code == 410
    assert send(client, kept, "first@example.org").status_code == 410  # nor a known address
    assert list(db.session.scalars(select(Signature.email_hash))) == [
        email_hash("first@example.org")
    ]
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_form_showing_the_edited_text_is_taken_at_once(client, campaign, kept):
    revised = revise(campaign)
    form = open_form(client)
    assert send(client, form, "second@example.org").status_code == 302
    assert signed_hash("second@example.org") == revised


def test_a_form_from_the_previous_text_is_refused_once_the_kept_copy_is_old(
    client, campaign, app, monotonic, kept
):
    revise(campaign)
    monotonic[0] += app.config["CAMPAIGN_SNAPSHOT_SECONDS"] + 1
    response = send(client, kept, "second@example.org")
    assert response.status_code == 422
    assert REVISED in response.get_data(as_text=True)
    assert signed_hash("second@example.org") is None


def test_just_after_an_edit_a_form_from_the_previous_text_records_that_text(
    client, campaign, monotonic, kept
):
    before = kept["statement_sha256"]
    revise(campaign)
    assert send(client, kept, "second@example.org").status_code == 302
    assert signed_hash("second@example.org") == before


def test_an_open_campaign_without_a_custodian_key_stores_nothing(client, campaign, caplog):
    """A campaign opened before keys were required: signing waits for a key (503), and
    nothing is stored unsealed meanwhile."""
    form = open_form(client)
    db.session.execute(delete(CustodianKey))
    db.session.commit()
    assert send(client, form, "early@example.org").status_code == 503
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert "open without a custodian key" in caplog.text
    assert "early@example.org" not in caplog.text
