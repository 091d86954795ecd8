"""The public delivery log: what was sent to whom, with totals and the manifest's SHA-256,
on the campaign page and in the API; never a name, never a party's contact address."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from petition.delivery import service
from petition.delivery.service import PartyResponse
from petition.extensions import db
from petition.models import AuditEvent, DeliveryPackage, NamesPolicy, Role
from tests.delivery.outputs import add_organisation, add_signature, add_target, deliver_package
from tests.factories import make_campaign, make_staff
from tests.pages import hidden_inputs, sign_in_staff, submit_form

CANARY = "Kanarka Zhovtoperova"
PARTY_EMAIL = "chancery@party.example"
PARTY_STREET = "Invented Street 17"
DOCUMENT = "https://party.example/statements/2025-03-04"


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, object]:
    return {"DELIVERY_DIR": str(tmp_path / "deliveries")}


@pytest.fixture
def campaign(app):
    campaign = make_campaign()
    add_signature(campaign, CANARY, email="kanarka@mail.example", city="Kvitkove")
    add_signature(campaign, "Second Signer", country="PL")
    add_organisation(campaign, "Invented Rights Group", rep_name="Rep Canary Person")
    db.session.commit()
    return campaign


@pytest.fixture
def exporter(app):
    return make_staff(Role.EXPORTER, "exporter.log@staff.example.org")


def party(campaign, name: str, **fields: str):
    target = add_target(
        campaign,
        "en",
        name=name,
        organisation=f"{name} Secretariat",
        postal_address=f"{PARTY_STREET}\n1000 Capital",
        **fields,
    )
    target.email = PARTY_EMAIL
    db.session.commit()
    return target


def _token(client, url: str) -> dict[str, str]:
    return {"csrf_token": hidden_inputs(client.get(url).get_data(as_text=True))["csrf_token"]}


def test_a_sent_package_and_its_response_are_public_without_a_name(client, campaign, exporter):
    answered = party(campaign, "Answering Party")
    deliver_package(
        campaign,
        answered,
        exporter,
        sent_on=date(2025, 3, 2),
        acknowledged_on=date(2025, 3, 4),
        response=PartyResponse(text="Received; under study.", document_url=DOCUMENT),
    )
    sent = db.session.scalars(select(DeliveryPackage)).one()
    unsent = party(campaign, "Party Still Waiting")
    deliver_package(campaign, unsent, exporter, sent_on=None)  # built, never marked sent

    body = client.get("/api/v1/campaigns/free-them/deliveries").json
    assert body == {
        "slug": "free-them",
        "parties": [
            {
                "party": {
                    "name": "Answering Party",
                    "office": "",
                    "organisation": "Answering Party Secretariat",
                },
                "deliveries": [
                    {
                        "delivered_at": "2025-03-02",
                        "cutoff": "2025-03-01T12:00:00+00:00",
                        "counts": {"individuals": 2, "organisations": 1, "paper": 0},
                        "names_policy": "named",
                        "acknowledged_at": "2025-03-04",
                        "response": "Received; under study.",
                        "document_url": DOCUMENT,
                        "manifest_sha256": sent.manifest_sha256,
                    }
                ],
            }
        ],
    }

    page = client.get("/en/free-them/").get_data(as_text=True)
    log = page[page.index('id="deliveries-heading"') :]
    assert "Answering Party" in log
    assert f'<code class="hash">{sent.manifest_sha256}</code>' in log
    assert "<dt>People</dt><dd>2</dd>" in log
    assert "<dt>Organisations</dt><dd>1</dd>" in log
    assert "<dd>March 4, 2025</dd>" in log
    assert "Received; under study." in log
    assert f'href="{DOCUMENT}"' in log
    assert "Party Still Waiting" not in page

    uk = client.get("/uk/free-them/").get_data(as_text=True)
    assert sent.manifest_sha256 in uk
    assert "березня 2025" in uk

    for public in (page, uk, client.get("/api/v1/campaigns/free-them/deliveries").text):
        for secret in (CANARY, "Second Signer", "Rep Canary Person", "kanarka", "Kvitkove"):
            assert secret not in public
        assert PARTY_EMAIL not in public
        assert PARTY_STREET not in public
        assert "Handed over by a colleague" not in public  # staff's note stays internal


def test_a_party_that_receives_no_names_is_logged_as_counted(client, campaign, exporter):
    counted = party(campaign, "Counted Party")
    counted.names_policy = NamesPolicy.COUNTED
    db.session.commit()
    deliver_package(campaign, counted, exporter)
    [entry] = client.get("/api/v1/campaigns/free-them/deliveries").json["parties"]
    [delivery] = entry["deliveries"]
    assert delivery["names_policy"] == "counted"
    assert delivery["counts"] == {"individuals": 2, "organisations": 1, "paper": 0}
    assert delivery["acknowledged_at"] is None
    assert delivery["response"] is None
    page = client.get("/en/free-them/").get_data(as_text=True)
    assert "Counted only: totals and numbers by country, no name at all" in page
    assert "Not yet" in page


def test_nothing_delivered_shows_no_section(client, campaign, exporter):
    deliver_package(campaign, party(campaign, "Unsent Party"), exporter, sent_on=None)
    assert client.get("/api/v1/campaigns/free-them/deliveries").json["parties"] == []
    assert "deliveries-heading" not in client.get("/en/free-them/").get_data(as_text=True)
    assert client.get("/api/v1/campaigns/nope/deliveries").json == {"error": "Not Found"}


def test_staff_record_the_response_from_the_package_page(client, campaign, exporter):
    sign_in_staff(client, exporter)
    package = deliver_package(campaign, party(campaign, "Replying Party"), exporter, sent_on=None)
    url = f"/staff/deliveries/{package.id}"
    assert "Save the response" not in client.get(url).get_data(as_text=True)  # not sent yet

    assert submit_form(client, url, sent_on="2025-03-02").status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Save the response" in page
    assert page.count('id="csrf_token"') == 1

    response_url = f"{url}/response"
    refused = {
        "http://party.example/answer": "starting with https://",
        "https://user:secret@party.example/answer": "starting with https://",
        "javascript:alert(1)": "starting with https://",
    }
    for address, message in refused.items():
        answer = client.post(response_url, data={**_token(client, url), "document_url": address})
        assert answer.status_code == 422
        assert message in answer.get_data(as_text=True)
    too_long = client.post(response_url, data={**_token(client, url), "response": "x" * 2001})
    assert too_long.status_code == 422
    assert "at most 2000 characters" in too_long.get_data(as_text=True)

    saved = client.post(
        response_url,
        data={
            **_token(client, url),
            "response": "  We received it.\r\nThank you. ",
            "document_url": DOCUMENT,
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    package = db.session.get(DeliveryPackage, package.id)
    assert package.response_text == "We received it.\nThank you."
    assert package.response_document_url == DOCUMENT
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("delivery.%_recorded"))
    ).all()
    assert [(event.action, event.detail, event.actor_id) for event in events] == [
        ("delivery.response_recorded", "response=set", exporter.id),
        ("delivery.document_recorded", "document=set", exporter.id),
    ]
    assert "We received it." in client.get("/en/free-them/").get_data(as_text=True)


def test_a_response_needs_a_package_marked_sent(campaign, exporter):
    package = deliver_package(campaign, party(campaign, "Silent Party"), exporter, sent_on=None)
    with pytest.raises(service.PackageNotSent):
        service.record_response(package, PartyResponse("Too early", ""), actor=exporter)
    package.sent_at = package.cutoff_at
    with pytest.raises(service.DocumentNotPublic):
        service.record_response(package, PartyResponse("", "ftp://party.example/x"), actor=exporter)
    assert package.response_text is None


def test_a_moderator_cannot_record_a_response(app, campaign, exporter):
    package = deliver_package(campaign, party(campaign, "Guarded Party"), exporter)
    moderator = app.test_client()
    sign_in_staff(moderator, make_staff(Role.MODERATOR, "mod.log@staff.example.org"))
    token = _token(moderator, "/staff/")
    answer = moderator.post(
        f"/staff/deliveries/{package.id}/response", data={**token, "response": "Forged"}
    )
    assert answer.status_code == 403
    db.session.expire_all()
    assert db.session.get(DeliveryPackage, package.id).response_text is None
