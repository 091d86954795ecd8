"""Organisations join, confirm, wait for review, and manage their own entry."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from petition.campaigns.counts import counts_changed
from petition.extensions import db
from petition.models import Listing, Organisation, OrganisationStatus
from tests.factories import make_campaign
from tests.pages import confirm_link, join, send_mail, submit_form


@pytest.fixture
def campaign(app, tmp_path):
    app.config["LOGO_FOLDER"] = str(tmp_path / "logos")
    return make_campaign()


def organisations() -> list[Organisation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Organisation).order_by(Organisation.id)))


def link_to(text: str, path: str) -> str:
    match = re.search(rf"https?://\S+{path}[\w-]+", text)
    assert match, text
    return match.group(0)


def png_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (800, 300), (20, 80, 160)).save(buffer, "PNG")
    return buffer.getvalue()


def approve(organisation_id: int) -> None:
    """What a moderator's approval does (the review itself is tested with the console)."""
    organisation = db.session.get(Organisation, organisation_id)
    organisation.status = OrganisationStatus.APPROVED
    counts_changed(organisation.campaign_id)
    db.session.commit()


def test_join_confirm_and_wait_for_review(client, campaign, mailbox, tmp_path):
    response = join(client, lang="ru", logo=(io.BytesIO(png_logo()), "logo.png"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ru/free-them/join/check-email")
    [organisation] = organisations()
    assert organisation.status is OrganisationStatus.PENDING
    assert organisation.website_domain == "rights.example.org"
    assert organisation.statement_sha256 == campaign.texts["ru"].sha256
    stored = list((tmp_path / "logos").iterdir())
    assert [path.name for path in stored] == [organisation.logo]
    assert Image.open(stored[0]).size == (400, 150)

    send_mail()
    [message] = mailbox.to("director@rights.example.org")
    url = link_to(mailbox.text_of(message), "/ru/coalition/confirm/")
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["organisations"] == 0
    page = confirm_link(client, url)
    assert page.status_code == 200
    assert organisations()[0].status is OrganisationStatus.AWAITING_REVIEW
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["organisations"] == 0

    approve(organisation.id)
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["organisations"] == 1
    listed = client.get("/en/free-them/coalition").get_data(as_text=True)
    assert "Invented Rights Group" in listed
    assert f"/logos/{organisation.logo}" in listed
    assert "director@rights.example.org" not in listed
    assert "Mariia Test" not in listed


def test_same_page_whether_new_pending_or_known(client, campaign, mailbox):
    first = join(client)
    send_mail()
    confirm_link(client, link_to(mailbox.text_of(mailbox.messages[0]), "/coalition/confirm/"))
    mailbox.clear()
    again = join(client, rep_email="Director@Rights.example.org")
    other = join(client, rep_email="someone@other.example.org", name="Another Group")
    assert first.headers["Location"] == again.headers["Location"] == other.headers["Location"]
    send_mail()
    [known] = mailbox.to("Director@Rights.example.org")  # the same mailbox, as typed now
    assert "/coalition/manage/" in mailbox.text_of(known)
    [new] = mailbox.to("someone@other.example.org")
    assert "/coalition/confirm/" in mailbox.text_of(new)
    assert len(organisations()) == 2


def test_representative_must_be_authorised_and_listing_chosen(client, campaign):
    response = join(client, authorised="", listing="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Only someone authorised" in html
    assert "Please choose how your organisation appears" in html
    assert organisations() == []


def test_a_bad_logo_is_explained_and_nothing_is_stored(client, campaign, tmp_path):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = join(client, logo=(io.BytesIO(svg), "logo.png"))
    assert response.status_code == 422
    assert "PNG, JPEG or WebP" in response.get_data(as_text=True)
    assert organisations() == []
    assert not (tmp_path / "logos").exists() or not list((tmp_path / "logos").iterdir())


def test_counted_only_organisations_are_counted_but_never_named(client, campaign, mailbox):
    join(client, name="Quiet Group Canary", listing=Listing.COUNTED.value)
    send_mail()
    confirm_link(client, link_to(mailbox.text_of(mailbox.messages[0]), "/coalition/confirm/"))
    approve(organisations()[0].id)
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["organisations"] == 1
    for path in (
        "/en/free-them/",
        "/uk/free-them/coalition",
        "/api/v1/campaigns/free-them/organisations",
        "/api/v1/campaigns/free-them",
    ):
        assert "Quiet Group Canary" not in client.get(path).get_data(as_text=True), path
    assert "1 more has joined but is not named" in client.get("/en/free-them/coalition").get_data(
        as_text=True
    )


def test_api_lists_public_organisations_without_contact_details(client, campaign, mailbox):
    join(client)
    send_mail()
    confirm_link(client, link_to(mailbox.text_of(mailbox.messages[0]), "/coalition/confirm/"))
    approve(organisations()[0].id)
    body = client.get("/api/v1/campaigns/free-them/organisations").json
    assert body["organisations"] == [
        {
            "name": "Invented Rights Group",
            "name_original": None,
            "country": "UA",
            "type": "human_rights",
            "website": "https://rights.example.org",
            "founding": False,
        }
    ]


def manage_link(client, mailbox) -> str:
    mailbox.clear()
    submit_form(client, "/en/free-them/coalition/manage", email="director@rights.example.org")
    send_mail()
    [message] = mailbox.to("director@rights.example.org")
    return link_to(mailbox.text_of(message), "/coalition/manage/")


def test_representative_updates_details_once_per_link(client, campaign, mailbox):
    join(client)
    send_mail()
    confirm_link(client, link_to(mailbox.text_of(mailbox.messages[0]), "/coalition/confirm/"))
    approve(organisations()[0].id)
    url = manage_link(client, mailbox)
    path = "/" + url.split("/", 3)[3]
    response = submit_form(
        client, path, name="Renamed Rights Group", listing="counted", website="", statement=""
    )
    assert response.status_code == 302
    assert organisations()[0].name == "Renamed Rights Group"
    assert organisations()[0].listing is Listing.COUNTED
    assert client.get(path).status_code == 404  # used up


def test_withdrawal_removes_the_organisation_from_list_and_counts(client, campaign, mailbox):
    join(client)
    send_mail()
    confirm_link(client, link_to(mailbox.text_of(mailbox.messages[0]), "/coalition/confirm/"))
    approve(organisations()[0].id)
    url = manage_link(client, mailbox)
    path = "/" + url.split("/", 3)[3]
    page = client.get(path).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(path + "/withdraw", data={"csrf_token": token})
    assert response.status_code == 302
    [organisation] = organisations()
    assert organisation.status is OrganisationStatus.WITHDRAWN
    assert organisation.withdrawn_at is not None
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["organisations"] == 0
    assert "Invented Rights Group" not in client.get("/en/free-them/coalition").get_data(
        as_text=True
    )


def test_unknown_address_gets_no_manage_link(client, campaign, mailbox):
    response = submit_form(client, "/en/free-them/coalition/manage", email="who@example.org")
    assert response.status_code == 302
    assert send_mail() == 0


def test_a_later_sign_on_cannot_rewrite_a_pending_organisation(client, campaign, mailbox):
    join(client, lang="ru", name="Quiet Group", listing="counted", country="RU")
    join(
        client,
        name="Exposed Group",
        listing="public",
        country="DE",
        rep_name="Someone Else",
        rep_role="Impostor",
        website="https://attacker.example.org",
        logo=(io.BytesIO(png_logo()), "logo.png"),
    )
    send_mail()
    received = mailbox.to("director@rights.example.org")
    assert len(received) == 2
    assert all("Exposed Group" not in mailbox.text_of(message) for message in received)
    confirm_link(client, link_to(mailbox.text_of(received[0]), "/ru/coalition/confirm/"))

    [organisation] = organisations()
    assert organisation.status is OrganisationStatus.AWAITING_REVIEW
    assert (organisation.name, organisation.listing, organisation.country) == (
        "Quiet Group",
        Listing.COUNTED,
        "RU",
    )
    assert (organisation.rep_name, organisation.rep_role) == ("Mariia Test", "Director")
    assert organisation.website == "https://rights.example.org"
    assert organisation.logo is None
    assert organisation.lang == "ru"


def test_joining_without_the_form_token_is_refused_and_stores_nothing(client, campaign, mailbox):
    """The join form leaves CSRF to CSRFProtect (no field of its own): a post from another
    site, which cannot read the token, must still be refused."""
    response = join(client, csrf_token="")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert organisations() == []
    assert send_mail() == 0


@pytest.mark.parametrize("field", ["name", "rep_email", "rep_name", "listing"])
def test_a_file_in_a_text_field_is_refused_and_nothing_is_stored(client, campaign, field):
    response = join(client, **{field: (io.BytesIO(b"Invented"), "field.txt")})
    assert response.status_code == 422
    assert organisations() == []
