"""Staff set who the letters come from and who signs them, and how each party is addressed;
the next package's letter says so."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from petition.delivery.package import build_package
from petition.extensions import db
from petition.models import AuditEvent, Role, Target
from tests.delivery.outputs import add_target, pdf_text
from tests.factories import make_campaign, make_staff
from tests.pages import sign_in_staff, submit_form

LETTERHEAD = {
    "name": "Free Them coalition",
    "address": "Secretariat\r\nPostbus 99\r\n1000 AB Amsterdam",
    "email": "letters@free-them.example",
    "phone": "+31 20 555 0199",
    "website": "free-them.example",
    "signatories": (
        "Mira Testova | Coordinator | Free Them secretariat\r\n"
        "\r\n"
        "Jonas Example |  | Free Them council\r\n"
        "Ada Placeholder"
    ),
}


@pytest.fixture
def campaign(client):
    sign_in_staff(client, make_staff(Role.ADMIN))
    campaign = make_campaign()
    db.session.commit()
    return campaign


def letterhead_events() -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == "campaign.letterhead_updated")
    return list(db.session.scalars(query))


def test_staff_set_the_letterhead_and_the_next_letter_carries_it(client, campaign, tmp_path):
    url = f"/staff/campaigns/{campaign.id}/letterhead"
    for field in ("name", "address", "email", "phone", "website", "signatories"):
        assert f'<label for="{field}">' in client.get(url).get_data(as_text=True), field

    response = submit_form(client, url, **LETTERHEAD)
    assert response.status_code == 302
    assert campaign.letterhead_address == "Secretariat\nPostbus 99\n1000 AB Amsterdam"
    assert [(s.position, s.name, s.title, s.organisation) for s in campaign.signatories] == [
        (1, "Mira Testova", "Coordinator", "Free Them secretariat"),
        (2, "Jonas Example", "", "Free Them council"),
        (3, "Ada Placeholder", "", ""),
    ]
    [event] = letterhead_events()
    assert event.detail == "name, address, email, phone, website, signatories; signatories=3"
    assert "Mira" not in event.detail  # the audit names fields, not people

    shown = client.get(url).get_data(as_text=True)  # as saved, ready to edit again
    assert "Jonas Example |  | Free Them council\nAda Placeholder</textarea>" in shown
    assert submit_form(client, url, **LETTERHEAD).status_code == 302
    assert len(letterhead_events()) == 1  # saving the same again changes nothing

    target = add_target(campaign, "en", addressee="The Secretary-General")
    cutoff = datetime(2025, 3, 1, tzinfo=UTC)
    package = build_package(campaign, target, cutoff=cutoff, out_dir=tmp_path)
    text = " ".join(pdf_text(Path(package.folder) / "cover_letter.pdf").split())
    assert text.startswith("Free Them coalition Secretariat Postbus 99 1000 AB Amsterdam")
    assert "letters@free-them.example · +31 20 555 0199 · free-them.example" in text
    assert "Ada Placeholder" in text
    db.session.commit()
    page = client.get(f"/staff/deliveries/{package.id}").get_data(as_text=True)
    assert f"<code>FT-{target.id}-20250301-000000</code>" in page  # as on every page
    assert f"Ref. FT-{target.id}-20250301-000000" in text


@pytest.mark.parametrize(
    ("signatories", "message"),
    [
        (" | Coordinator | Somewhere", "Line 1: write the name, then optionally"),
        ("A | B | C | D", "Line 1: write the name, then optionally"),
        ("Fine Name\nOther | " + "T" * 201, "Line 2: keep each part to 200 characters or fewer."),
        ("\n".join(f"Signer {n}" for n in range(13)), "Please list at most 12 signatories."),
        ("Bell\x07name", "This contains characters we cannot accept."),
    ],
)
def test_bad_signatories_are_refused_with_a_clear_error(client, campaign, signatories, message):
    url = f"/staff/campaigns/{campaign.id}/letterhead"
    response = submit_form(client, url, **{**LETTERHEAD, "signatories": signatories})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert campaign.signatories == []
    assert letterhead_events() == []


def test_a_bad_reply_address_is_refused(client, campaign):
    url = f"/staff/campaigns/{campaign.id}/letterhead"
    response = submit_form(client, url, **{**LETTERHEAD, "email": "not an address"})
    assert response.status_code == 422
    assert "This does not look like an email address." in response.get_data(as_text=True)
    assert campaign.letterhead_email == ""


def test_exporters_cannot_change_the_letterhead(client, app):
    campaign = make_campaign()
    sign_in_staff(client, make_staff(Role.EXPORTER))
    assert client.get(f"/staff/campaigns/{campaign.id}/letterhead").status_code == 403


def test_staff_set_a_partys_addressee_line_person_and_closing(client, campaign):
    party = {
        "name": "Office of the President of Ukraine",
        "lang": "uk",
        "names_policy": "named",
        "office": "Президент України",
        "addressee": "Президентові України",
        "person": "Панові Тестовому",
        "organisation": "Офіс Президента України",
        "salutation": "Шановний пане Президенте!",
        "closing": "З глибокою повагою,",
        "postal_address": "",
        "email": "",
    }
    html = client.get("/staff/targets/new").get_data(as_text=True)
    for field in ("addressee", "person", "closing"):
        assert f'<label for="{field}">' in html, field
    assert submit_form(client, "/staff/targets/new", **party).status_code == 302
    target = db.session.scalars(select(Target)).one()
    assert (target.addressee, target.person, target.closing) == (
        "Президентові України",
        "Панові Тестовому",
        "З глибокою повагою,",
    )
    edited = submit_form(client, f"/staff/targets/{target.id}", **{**party, "closing": ""})
    assert edited.status_code == 302
    assert target.closing == ""
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "target.updated")
    ).one()
    assert event.detail == "closing"
