"""Partner links: an approved organisation's share link brings signers; the signature keeps
the organisation (never the code); staff see exact numbers, the organisation a rounded one
and never who signed; the signer sees the attribution and can drop it."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from petition.campaigns.counts import campaign_counts
from petition.coalition import review
from petition.extensions import db
from petition.models import (
    AuditEvent,
    Organisation,
    OrganisationStatus,
    Role,
    Signature,
    SignatureStatus,
    StaffUser,
    TokenPurpose,
)
from petition.personal import email_hash
from petition.signing.partners import shown_figure
from petition.tokens import issue_token
from tests.factories import make_campaign, make_organisation, make_signature, make_staff
from tests.mailbox import Mailbox
from tests.pages import (
    hidden_inputs,
    link_in,
    manage_link_in,
    path_of,
    send_mail,
    sign_in_staff,
)

SLUG = "free-them"
SHARE_LINK_EVENTS = AuditEvent.action.like("organisation.share_link%")
SIGNER = {"name": "Halyna Quietly", "email": "halyna@example.org", "country": "UA"}


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {"COUNTS_TTL_SECONDS": 0}


@pytest.fixture
def campaign(app):
    return make_campaign()


def approved(campaign, name: str = "Invented Rights Group", **fields: Any) -> Organisation:
    """An organisation approved by a moderator, as the review does it (with its code)."""
    organisation = make_organisation(
        campaign, name=name, status=OrganisationStatus.AWAITING_REVIEW, **fields
    )
    review.approve(
        organisation.id, seen_status="awaiting_review", actor=staff_member(Role.MODERATOR)
    )
    db.session.commit()
    assert organisation.partner_code is not None
    return organisation


def staff_member(role: Role) -> StaffUser:
    found = db.session.scalar(select(StaffUser).where(StaffUser.role == role))
    return found or make_staff(role)


def manage_path(organisation: Organisation) -> str:
    token = issue_token(TokenPurpose.MANAGE_ORGANISATION, organisation=organisation, hours=72)
    db.session.commit()
    return f"/en/coalition/manage/{token}"


def sign_through(client: FlaskClient, path: str, *, keep: bool = True, **fields: str):
    """Open the signing page at `path` (a link's), fill it in and send it as a browser
    would: its hidden fields, the partner box as left (ticked) or unticked."""
    page = client.get(path)
    assert page.status_code == 200
    data = {**hidden_inputs(page.get_data(as_text=True)), **SIGNER, "display": "anonymous"}
    if keep:
        data["for_partner"] = "y"
    response = client.post(f"/en/{SLUG}/sign", data={**data, **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def confirm(client: FlaskClient, mailbox: Mailbox, *, keep: bool = True, email: str = ""):
    """Open the confirmation link from the mail and press Confirm, the partner box as left
    (ticked) or unticked."""
    send_mail()
    [message] = mailbox.to(email or SIGNER["email"])
    path = path_of(link_in(mailbox.text_of(message)))
    page = client.get(path)
    data = hidden_inputs(page.get_data(as_text=True))
    if keep and "partner_asked" in data:
        data["for_partner"] = "y"
    assert client.post(path, data=data).status_code == 302
    return page.get_data(as_text=True)


def the_signature(email: str = SIGNER["email"]) -> Signature:
    db.session.expire_all()
    return db.session.scalars(select(Signature).filter_by(email_hash=email_hash(email))).one()


def test_the_code_goes_from_the_link_through_the_hidden_field_to_the_organisation(
    client, campaign, mailbox
):
    partner = approved(campaign)
    code = partner.partner_code
    page = client.get(f"/en/{SLUG}/?via={code}").get_data(as_text=True)
    assert f'href="/en/{SLUG}/sign?via={code}"' in page
    assert f'href="/uk/{SLUG}/?via={code}"' in page  # switching language keeps it

    form = client.get(f"/en/{SLUG}/sign?via={code}").get_data(as_text=True)
    assert hidden_inputs(form)["via"] == code
    assert "You came through the link of Invented Rights Group" in form
    assert re.search(r'<input[^>]*checked[^>]*name="for_partner"', form)

    response = sign_through(client, f"/en/{SLUG}/sign?via={code}")
    assert "via" not in response.headers["Location"]
    assert not any(cookie.key == "via" for cookie in client._cookies.values())
    assert the_signature().partner_id == partner.id
    assert the_signature().status is SignatureStatus.PENDING
    assert campaign_counts(campaign.id).by_partner == {}  # counted once confirmed

    confirmation = confirm(client, mailbox)
    assert "You came through the link of Invented Rights Group" in confirmation
    assert the_signature().partner_id == partner.id
    assert campaign_counts(campaign.id).by_partner == {partner.id: 1}


def test_the_embedded_form_carries_the_code_too(client, campaign):
    partner = approved(campaign)
    form = client.get(f"/en/{SLUG}/embed?via={partner.partner_code}").get_data(as_text=True)
    assert hidden_inputs(form)["via"] == partner.partner_code
    assert "You came through the link of Invented Rights Group" in form


def test_a_signer_who_unticks_the_box_on_the_form_counts_for_nobody(client, campaign, mailbox):
    partner = approved(campaign)
    sign_through(client, f"/en/{SLUG}/sign?via={partner.partner_code}", keep=False)
    assert the_signature().partner_id is None
    confirmation = confirm(client, mailbox)
    assert "You came through the link" not in confirmation
    assert campaign_counts(campaign.id).by_partner == {}
    assert campaign_counts(campaign.id).individuals == 1


def test_a_signer_who_unticks_the_box_on_confirming_counts_for_nobody(client, campaign, mailbox):
    """Whoever first typed the address chose the link; the person confirming decides."""
    partner = approved(campaign)
    sign_through(client, f"/en/{SLUG}/sign?via={partner.partner_code}")
    confirm(client, mailbox, keep=False)
    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.partner_id is None
    assert campaign_counts(campaign.id).by_partner == {}
    assert campaign_counts(campaign.id).individuals == 1


def test_a_later_submission_through_another_link_moves_nothing(client, campaign, mailbox):
    first, other = approved(campaign), approved(campaign, "Other Group")
    sign_through(client, f"/en/{SLUG}/sign?via={first.partner_code}")
    sign_through(client, f"/en/{SLUG}/sign?via={other.partner_code}")
    assert the_signature().partner_id == first.id
    sign_through(client, f"/en/{SLUG}/sign", email="new@example.org")
    sign_through(client, f"/en/{SLUG}/sign?via={other.partner_code}", email="new@example.org")
    assert the_signature("new@example.org").partner_id is None


def test_a_replaced_code_attributes_nothing_and_loses_no_count(client, campaign, mailbox):
    partner = approved(campaign)
    old = partner.partner_code
    sign_through(client, f"/en/{SLUG}/sign?via={old}")
    confirm(client, mailbox)

    path = manage_path(partner)
    page = client.get(path).get_data(as_text=True)
    assert f"/en/{SLUG}/?via={old}" in page
    replaced = client.post(
        f"{path}/share-link", data={"csrf_token": hidden_inputs(page)["csrf_token"]}
    )
    assert replaced.status_code == 302
    db.session.expire_all()
    new = db.session.get_one(Organisation, partner.id).partner_code
    assert new
    assert new != old
    page = client.get(path).get_data(as_text=True)  # the manage link still works
    assert f"/en/{SLUG}/?via={new}" in page
    assert old not in page
    [event] = db.session.scalars(select(AuditEvent).where(SHARE_LINK_EVENTS)).all()
    assert (event.action, event.object_id, event.actor_id) == (
        "organisation.share_link_replaced",
        str(partner.id),
        None,
    )

    assert "?via=" not in client.get(f"/en/{SLUG}/?via={old}").get_data(as_text=True)
    form = client.get(f"/en/{SLUG}/sign?via={old}").get_data(as_text=True)
    assert "via" not in hidden_inputs(form)
    assert "Invented Rights Group" not in form
    mailbox.clear()
    # Even posted by hand, the old code is ignored.
    sign_through(client, f"/en/{SLUG}/sign", email="late@example.org", via=old)
    assert the_signature("late@example.org").partner_id is None
    assert campaign_counts(campaign.id).by_partner == {partner.id: 1}


OTHER_CAMPAIGN_CODE = "other-campaign"
HOSTILE = {
    "huge": "a" * 200_000,
    "unicode": "Ґалина-✊-😀",
    "nul": "abc\x00defghijk",
    "sql": "' OR 1=1; DROP TABLE signature; --",
    "like": "%%%%%%%%%%",
    "spaces": "   ",
    "repeated": None,  # ?via=a&via=b
    OTHER_CAMPAIGN_CODE: None,
    "rejected partner": None,
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_via_is_ignored_with_a_normal_page(client, campaign, mailbox, kind):
    partner = approved(campaign)
    value = HOSTILE[kind]
    query: Any = {"via": value}
    if kind == "repeated":
        query = [("via", "x" * 14), ("via", partner.partner_code)]
        value = "x" * 14
    elif kind == OTHER_CAMPAIGN_CODE:
        value = approved(make_campaign("elsewhere")).partner_code
        query = {"via": value}
    elif kind == "rejected partner":
        rejected = approved(campaign, "Rejected Group")
        review.reject(
            rejected.id, seen_status="approved", reason="no", actor=staff_member(Role.MODERATOR)
        )
        db.session.commit()
        value = rejected.partner_code
        query = {"via": value}

    campaign_page = client.get(f"/en/{SLUG}/", query_string=query)
    assert campaign_page.status_code == 200
    assert f'href="/en/{SLUG}/sign"' in campaign_page.get_data(as_text=True)
    form_page = client.get(f"/en/{SLUG}/sign", query_string=query)
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    assert "via" not in hidden_inputs(html)
    assert "You came through the link" not in html

    data = {**hidden_inputs(html), **SIGNER, "display": "anonymous", "for_partner": "y"}
    posted = client.post(f"/en/{SLUG}/sign", data={**data, "via": value})
    assert posted.status_code == 302
    assert the_signature().partner_id is None


def test_a_partner_sees_a_rounded_figure_and_never_who_signed(client, campaign):
    partner = approved(campaign, listing="counted")
    other = approved(campaign, "Other Group")
    signers = []
    for number in range(9):
        email = f"canary{number}@secret-signer.example"
        make_signature(
            campaign,
            name=f"Secretname{number}",
            email=email,
            city="Hiddentown",
            partner_id=partner.id,
        )
        signers.append((f"Secretname{number}", email))
    make_signature(campaign, partner_id=partner.id, status=SignatureStatus.PENDING)
    make_signature(campaign, partner_id=other.id)
    path = manage_path(partner)

    def figure() -> str:
        page = client.get(path)
        assert page.status_code == 200
        assert page.headers["Cache-Control"].startswith("no-store")
        html = page.get_data(as_text=True)
        for name, email in signers:
            assert name not in html
            assert email not in html
        assert "secret-signer" not in html
        assert "Hiddentown" not in html
        match = re.search(r'<p class="count"><strong>(.*?)</strong>', html, re.S)
        assert match, html
        return match.group(1).strip()

    assert figure() == "Fewer than 10 confirmed signatures"
    make_signature(campaign, partner_id=partner.id)  # the tenth
    assert figure() == "At least 10 confirmed signatures"
    for _ in range(31):
        make_signature(campaign, partner_id=partner.id)
    assert figure() == "At least 40 confirmed signatures"  # 41
    make_signature(campaign, partner_id=partner.id)  # 42: the friend who was asked
    assert figure() == "At least 40 confirmed signatures"


def test_the_figure_is_rounded_down_to_two_significant_digits():
    cases = {0: 0, 9: 0, 10: 10, 47: 40, 99: 90, 137: 130, 1234: 1200, 56_789: 56_000}
    assert {exact: shown_figure(exact) for exact in cases} == cases


def test_the_figure_is_translated_with_plurals(client, campaign):
    partner = approved(campaign)
    for _ in range(21):
        make_signature(campaign, partner_id=partner.id)
    token = issue_token(TokenPurpose.MANAGE_ORGANISATION, organisation=partner, hours=72)
    db.session.commit()
    uk = client.get(f"/uk/coalition/manage/{token}").get_data(as_text=True)
    assert "Щонайменше 20 підтверджених підписів" in uk
    ru = client.get(f"/ru/coalition/manage/{token}").get_data(as_text=True)
    assert "Не менее 20 подтверждённых подписей" in ru


def test_only_an_approved_organisation_has_a_share_link(client, campaign):
    waiting = make_organisation(campaign, status=OrganisationStatus.AWAITING_REVIEW)
    path = manage_path(waiting)
    page = client.get(path).get_data(as_text=True)
    assert "Your share link" not in page
    response = client.post(
        f"{path}/share-link", data={"csrf_token": hidden_inputs(page)["csrf_token"]}
    )
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get_one(Organisation, waiting.id).partner_code is None
    assert db.session.scalars(select(AuditEvent).where(SHARE_LINK_EVENTS)).all() == []


def test_an_organisation_approved_without_a_code_can_make_one(client, campaign):
    partner = make_organisation(campaign)  # approved before share links existed
    path = manage_path(partner)
    page = client.get(path).get_data(as_text=True)
    assert "Make a share link" in page
    client.post(f"{path}/share-link", data={"csrf_token": hidden_inputs(page)["csrf_token"]})
    db.session.expire_all()
    code = db.session.get_one(Organisation, partner.id).partner_code
    assert code
    assert re.fullmatch(r"[\w-]{14}", code)
    assert f"?via={code}" in client.get(path).get_data(as_text=True)
    events = db.session.scalars(select(AuditEvent.action).where(SHARE_LINK_EVENTS)).all()
    assert events == ["organisation.share_link_made"]


def test_staff_see_exact_numbers_per_partner(client, campaign):
    partner = approved(campaign)
    approved(campaign, "Quiet Group")
    for _ in range(3):
        make_signature(campaign, partner_id=partner.id)
    make_signature(campaign, partner_id=partner.id, status=SignatureStatus.PENDING)
    make_signature(campaign, partner_id=partner.id, status=SignatureStatus.INVALIDATED)
    make_signature(campaign)
    make_signature(campaign)
    elsewhere = make_campaign("elsewhere")
    make_signature(elsewhere, partner_id=approved(elsewhere, "Far Group").id)
    sign_in_staff(client, make_staff(Role.EXPORTER))

    page = client.get(f"/staff/campaigns/{campaign.id}/partners")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert table_rows(html) == [("Invented Rights Group", 3), ("Quiet Group", 0)]
    assert re.search(r'id="without-partner">[^<]*<strong>2</strong>', html)
    assert "Far Group" not in html


def table_rows(html: str) -> list[tuple[str, int]]:
    """(organisation, confirmed) per row of the staff screen's table."""
    rows = re.findall(r'<th scope="row">(.*?)</th>.*?<td class="num">(\d+)</td>', html, re.S)
    return [(re.sub(r"<[^>]+>", "", name).strip(), int(number)) for name, number in rows]


def test_the_signer_sees_and_can_download_who_counts_them(client, campaign, mailbox):
    partner = approved(campaign)
    sign_through(client, f"/en/{SLUG}/sign?via={partner.partner_code}")
    confirm(client, mailbox)
    [message] = mailbox.to(SIGNER["email"])
    manage = path_of(manage_link_in(mailbox.text_of(message)))
    page = client.get(manage).get_data(as_text=True)
    assert "Counted for an organisation" in page
    assert "Invented Rights Group" in page
    csrf = hidden_inputs(page)["csrf_token"]
    held = client.post(f"{manage}/held", data={"csrf_token": csrf}).json
    assert held["counted_for_organisation"] == "Invented Rights Group"


def test_withdrawing_the_signature_takes_it_out_of_the_partners_count(client, campaign, mailbox):
    partner = approved(campaign)
    sign_through(client, f"/en/{SLUG}/sign?via={partner.partner_code}")
    confirm(client, mailbox)
    [message] = mailbox.to(SIGNER["email"])
    manage = path_of(manage_link_in(mailbox.text_of(message)))
    csrf = hidden_inputs(client.get(f"{manage}/withdraw").get_data(as_text=True))["csrf_token"]
    assert client.post(f"{manage}/withdraw", data={"csrf_token": csrf}).status_code == 200
    signature = only_signature()
    assert signature.status is SignatureStatus.WITHDRAWN
    assert signature.partner_id is None  # the person's trace goes with the rest
    assert campaign_counts(campaign.id).by_partner == {}


def only_signature() -> Signature:
    """The campaign's one signature (its address hashes are gone once withdrawn)."""
    db.session.expire_all()
    return db.session.scalars(select(Signature)).one()


def test_racing_submissions_through_two_links_make_one_signature_for_one_partner(app, campaign):
    first, second = approved(campaign), approved(campaign, "Second Group")
    clients = [app.test_client() for _ in range(RACERS)]
    forms = []
    for index, racer in enumerate(clients):
        code = (first, second)[index % 2].partner_code
        page = racer.get(f"/en/{SLUG}/sign?via={code}").get_data(as_text=True)
        forms.append({**hidden_inputs(page), **SIGNER, "display": "anonymous", "for_partner": "y"})
    start = threading.Barrier(RACERS)
    statuses: list[int] = []

    def submit(index: int) -> None:
        start.wait()
        address = f"10.0.{index}.1"
        response = clients[index].post(
            f"/en/{SLUG}/sign", data=forms[index], environ_base={"REMOTE_ADDR": address}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(index,)) for index in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [302] * RACERS
    db.session.expire_all()
    [signature] = db.session.scalars(select(Signature)).all()
    assert signature.partner_id in {first.id, second.id}


RACERS = 20


def test_the_privacy_page_says_what_a_partner_link_keeps(client, campaign):
    page = client.get("/en/privacy").get_data(as_text=True)
    assert "share link and left its box ticked: which organisation it was" in page
