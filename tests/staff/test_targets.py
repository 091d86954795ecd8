"""Staff work on negotiating parties: the list, adding and editing, with an audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import AuditEvent, NamesPolicy, Role, Target
from tests.factories import make_staff
from tests.pages import sign_in_staff, submit_form

PARTY = {
    "name": "UN Secretary-General",
    "lang": "en",
    "office": "Secretary-General of the United Nations",
    "organisation": "United Nations",
    "salutation": "Dear Secretary-General,",
    "postal_address": "405 East 42nd Street\r\nNew York, NY 10017",
    "email": "",
    "names_policy": "named",
}


@pytest.fixture
def moderator(client):
    user = make_staff(Role.MODERATOR)
    sign_in_staff(client, user)
    return user


def targets() -> list[Target]:
    return list(db.session.scalars(select(Target).order_by(Target.id)))


def audit_rows(action: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(db.session.scalars(query))


def test_moderator_adds_a_party(client, moderator):
    assert 'href="/staff/targets"' in client.get("/staff/").get_data(as_text=True)  # menu
    assert "There are no negotiating parties yet." in client.get("/staff/targets").get_data(
        as_text=True
    )
    response = submit_form(client, "/staff/targets/new", **PARTY)
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/targets"
    [target] = targets()
    assert target.name == "UN Secretary-General"
    assert target.lang == "en"
    assert target.postal_address == "405 East 42nd Street\nNew York, NY 10017"
    assert target.email == ""
    [event] = audit_rows("target.created")
    assert event.actor_id == moderator.id
    assert event.object_type == "target"
    assert event.object_id == str(target.id)
    assert event.detail == "lang=en names_policy=named"
    assert "UN Secretary-General" in client.get("/staff/targets").get_data(as_text=True)


def test_form_has_a_label_for_every_field(client, moderator):
    html = client.get("/staff/targets/new").get_data(as_text=True)
    for field in ("name", "office", "organisation", "salutation", "postal_address", "email"):
        assert f'<label for="{field}">' in html, field
    assert "<legend>Correspondence language</legend>" in html
    assert "<legend>What its delivery packages say of who signed</legend>" in html
    assert 'checked id="names_policy-0" name="names_policy"' in html


@pytest.mark.parametrize(
    "bad",
    [
        {"name": ""},
        {"name": "N" * 201},
        {"name": "Null\x00party"},
        {"office": "Tab\tinside"},
        {"salutation": "S" * 201},
        {"postal_address": "Bell\x07street"},
        {"postal_address": "A" * 1001},
        {"lang": "de"},
        {"lang": ""},
        {"email": "not-an-address"},
        {"email": "a@b.c\x00"},
        {"names_policy": ""},
        {"names_policy": "secret"},
    ],
)
def test_invalid_party_is_refused_and_nothing_is_stored(client, moderator, bad):
    response = submit_form(client, "/staff/targets/new", **(PARTY | bad))
    assert response.status_code == 422
    assert "Please correct the following" in response.get_data(as_text=True)
    assert targets() == []
    assert audit_rows("target.created") == []


def test_names_are_unique(client, moderator):
    assert submit_form(client, "/staff/targets/new", **PARTY).status_code == 302
    response = submit_form(
        client, "/staff/targets/new", **(PARTY | {"name": "un secretary-general"})
    )
    assert response.status_code == 422
    assert "already has this name" in response.get_data(as_text=True)
    assert len(targets()) == 1


def test_moderator_edits_a_party(client, moderator):
    submit_form(client, "/staff/targets/new", **PARTY)
    [target] = targets()
    url = f"/staff/targets/{target.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Dear Secretary-General,"' in page
    changes = {"salutation": "Dear Madam Secretary-General,", "email": "sg@un.example.org"}
    response = submit_form(client, url, **(PARTY | changes))
    assert response.status_code == 302
    [target] = targets()
    assert target.salutation == "Dear Madam Secretary-General,"
    assert target.email == "sg@un.example.org"
    [event] = audit_rows("target.updated")
    assert event.detail == "salutation, email"
    assert event.object_id == str(target.id)

    # The same values again: nothing changes, nothing is recorded.
    assert submit_form(client, url, **(PARTY | changes)).status_code == 302
    assert len(audit_rows("target.updated")) == 1

    assert submit_form(client, url, **(PARTY | {"lang": "de"})).status_code == 422  # no letters
    assert targets()[0].lang == "en"
    assert submit_form(client, url, **(PARTY | {"lang": "fr"})).status_code == 302  # a letter's
    assert targets()[0].lang == "fr"


def test_renaming_onto_another_partys_name_is_refused(client, moderator):
    submit_form(client, "/staff/targets/new", **PARTY)
    submit_form(client, "/staff/targets/new", **(PARTY | {"name": "ICRC"}))
    icrc = targets()[1]
    response = submit_form(client, f"/staff/targets/{icrc.id}", **PARTY)
    assert response.status_code == 422
    assert targets()[1].name == "ICRC"


def test_unknown_party_is_not_found(client, moderator):
    assert client.get("/staff/targets/999").status_code == 404


def test_exporter_may_not_manage_parties(client):
    target = Target(name="ICRC", lang="en")
    db.session.add(target)
    db.session.commit()
    sign_in_staff(client, make_staff(Role.EXPORTER))
    for url in ("/staff/targets", "/staff/targets/new", f"/staff/targets/{target.id}"):
        assert client.get(url).status_code == 403, url
    assert client.get("/staff/targets/new").status_code == 403
    assert targets()[0].name == "ICRC"


def test_moderator_makes_a_party_counted_only_and_sees_it(client, moderator):
    submit_form(client, "/staff/targets/new", **PARTY)
    [target] = targets()
    url = f"/staff/targets/{target.id}"
    assert submit_form(client, url, **(PARTY | {"names_policy": "counted"})).status_code == 302
    [target] = targets()
    assert target.names_policy is NamesPolicy.COUNTED
    [event] = audit_rows("target.updated")
    assert event.detail == "names_policy=counted"

    listed = client.get("/staff/targets").get_data(as_text=True)
    assert "Counted only: totals and numbers by country, no name at all" in listed
    assert 'checked id="names_policy-1" name="names_policy"' in client.get(url).get_data(
        as_text=True
    )
