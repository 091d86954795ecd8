"""Names and other typed text: no hidden direction or zero-width characters, one Unicode
form, and shown so that a right-to-left name cannot reorder the page around it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.forms import clean_text
from petition.models import Organisation, OrganisationStatus, Role, Signature
from petition.personal import open_details
from tests.factories import CUSTODIAN, make_campaign, make_staff
from tests.pages import join, sign, sign_in_staff

DECOMPOSED_Y = "\u0438\u0306"  # и + combining breve: how some keyboards type "й"


@pytest.fixture
def campaign(app, tmp_path):
    app.config["LOGO_FOLDER"] = str(tmp_path / "logos")
    return make_campaign()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\u202eevil", "evil"),
        ("An\u200bna\u200c \u200dLee\u2060", "Anna Lee"),
        ("\ufeff\u2066Olena\u2069 \u200eT\u200f", "Olena T"),
        ("\u202a\u202b\u202c\u202d\u2067\u2068x", "x"),
        (f"Андре{DECOMPOSED_Y}", "Андре\u0439"),
        ("  Ivan  ", "Ivan"),
    ],
)
def test_clean_text_drops_invisible_controls_and_composes(typed, kept):
    assert clean_text(typed) == kept
    assert clean_text(None) is None


def test_a_signers_typed_text_is_kept_clean(client, campaign):
    sign(client, name=f"\u202eАндре{DECOMPOSED_Y}\u200b", city="\u2067Ки\u0438\u0306в\u2069")
    signature = db.session.scalars(select(Signature)).one()
    details = open_details(signature.sealed, CUSTODIAN)
    assert details.name == signature.public_name == "Андре\u0439"
    assert details.city == "Ки\u0439в"


def test_a_name_of_only_invisible_characters_is_no_name(client, campaign):
    response = sign(client, name="\u202e\u200b")
    assert response.status_code == 422
    assert "Please enter your name" in response.get_data(as_text=True)


def approved_organisation() -> Organisation:
    organisation = db.session.scalars(select(Organisation)).one()
    organisation.status = OrganisationStatus.APPROVED
    db.session.commit()
    return organisation


def test_an_organisations_typed_text_is_kept_clean_and_shown_isolated(client, campaign):
    join(
        client,
        name="\u202eevil Group",
        name_original=f"\u2067Объединени{DECOMPOSED_Y}\u2069",
        rep_name=f"Серге{DECOMPOSED_Y}\u200d",
        rep_role="\u202dDirector\ufeff",
        statement="We \u200bstand\u202e with them.",
    )
    organisation = approved_organisation()
    assert organisation.name == "evil Group"
    assert organisation.name_original == "Объединени\u0439"
    assert organisation.rep_name == "Серге\u0439"
    assert organisation.rep_role == "Director"
    assert organisation.statement == "We stand with them."

    listed = client.get("/en/free-them/coalition").get_data(as_text=True)
    assert '<bdi class="org-name">' in listed or 'class="org-name" dir="auto"' in listed
    assert 'dir="auto">(Объединени\u0439)' in listed
    assert '<p class="org-statement" dir="auto">' in listed

    sign_in_staff(client, make_staff(Role.MODERATOR))
    review = client.get(f"/staff/organisations/{organisation.id}").get_data(as_text=True)
    assert "<bdi>evil Group</bdi>" in review
    assert '<dd dir="auto">Серге\u0439</dd>' in review
    assert '<dd dir="auto">Director</dd>' in review


def test_staff_see_signers_names_isolated(client, campaign):
    sign(client, name="Ivan Test")
    sign_in_staff(client, make_staff(Role.MODERATOR))
    html = client.get("/staff/signatures", query_string={"campaign": campaign.id})
    assert "<bdi>Ivan Test</bdi>" in html.get_data(as_text=True)


def test_text_fields_let_the_browser_pick_the_direction(client, campaign):
    html = client.get("/en/free-them/sign").get_data(as_text=True)
    [name_input] = re.findall(r'<input[^>]* id="name"[^>]*>', html)
    assert 'dir="auto"' in name_input
