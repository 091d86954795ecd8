"""A signer manages their signature through the link in their mail, and can withdraw it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import (
    Display,
    LinkToken,
    OutboxMessage,
    OutboxStatus,
    Role,
    Signature,
    SignatureStatus,
    TokenPurpose,
)
from petition.models.types import utcnow
from petition.personal import open_details
from petition.signing import review
from tests.factories import CUSTODIAN, make_campaign, make_staff
from tests.pages import (
    confirm_link,
    hidden_inputs,
    link_in,
    manage_link_in,
    path_of,
    post_from_page,
    send_mail,
    sign,
)

NAME = "Zofia Withdrawovna"
EMAIL = "zofia.withdraw@example.org"
CITY = "Testograd"


@pytest.fixture
def campaign(app):
    return make_campaign()


def the_signature() -> Signature:
    db.session.expire_all()
    return db.session.scalars(select(Signature).order_by(Signature.id)).one()


def mail_to(mailbox, address: str = EMAIL) -> str:
    [message] = mailbox.to(address)
    return mailbox.text_of(message)


def signed_up(client, mailbox, *, confirm: bool = True, **fields) -> tuple[str, str]:
    """Sign (and confirm); the paths of the confirmation link and of the manage link."""
    sign(client, name=NAME, email=EMAIL, city=CITY, **fields)
    send_mail()
    text = mail_to(mailbox)
    confirm_path, manage_path = path_of(link_in(text)), path_of(manage_link_in(text))
    if confirm:
        assert client.post(confirm_path, data=csrf_of(client, confirm_path)).status_code == 302
    mailbox.clear()
    return confirm_path, manage_path


def csrf_of(client, path: str) -> dict[str, str]:
    return hidden_inputs(client.get(path).get_data(as_text=True))


def individuals(client) -> int:
    return client.get("/api/v1/campaigns/free-them").json["counts"]["individuals"]


def withdraw(client, manage_path: str):
    step = f"{manage_path}/withdraw"
    return post_from_page(client, step, step)


# --- the links in the mail ------------------------------------------------------------


def test_confirmation_mail_carries_a_confirm_link_and_a_manage_link(client, campaign, mailbox):
    sign(client, email=EMAIL)
    send_mail()
    [message] = mailbox.to(EMAIL)
    for body in (mailbox.text_of(message), mailbox.html_of(message)):
        assert "/en/confirm/" in link_in(body)
        assert "/en/signature/" in manage_link_in(body)
    assert (
        link_in(mailbox.text_of(message)).rsplit("/", 1)[1]
        != manage_link_in(mailbox.text_of(message)).rsplit("/", 1)[1]
    )
    assert "180 days" in mailbox.text_of(message)


def test_already_signed_mail_carries_a_manage_link_and_no_confirm_link(client, campaign, mailbox):
    signed_up(client, mailbox)
    sign(client, email=EMAIL.upper(), lang="uk")
    send_mail()
    [message] = mailbox.to(EMAIL.upper())  # the same mailbox, to the spelling just typed
    text = mailbox.text_of(message)
    assert "/confirm/" not in text
    assert "/uk/signature/" in manage_link_in(text)
    assert "/uk/signature/" in manage_link_in(mailbox.html_of(message))


@pytest.mark.parametrize("app_config", [{"MANAGE_LINK_DAYS": 30}])
def test_manage_link_lives_as_long_as_configured_and_only_its_hash_is_stored(
    client, campaign, mailbox
):
    sign(client, email=EMAIL)
    send_mail()
    assert "This link works for 30 days." in mail_to(mailbox)
    manage_path = path_of(manage_link_in(mail_to(mailbox)))
    raw = manage_path.rsplit("/", 1)[1]
    [token] = db.session.scalars(
        select(LinkToken).where(LinkToken.purpose == TokenPurpose.MANAGE_SIGNATURE)
    )
    lifetime = token.expires_at - token.created_at
    assert timedelta(days=30) - timedelta(minutes=1) < lifetime <= timedelta(days=30)
    assert raw not in str(db.session.execute(select(LinkToken.__table__)).all())


# --- the manage page ----------------------------------------------------------------------


def test_opening_the_manage_link_changes_nothing_and_shows_no_address(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox, display="full")
    page = client.get(manage_path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
    html = page.get_data(as_text=True)
    assert "Free them all" in html
    assert EMAIL not in html
    assert EMAIL.split("@", maxsplit=1)[0] not in html
    assert 'href="/en/privacy"' in html
    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.FULL


def change_display(client, manage_path: str, display: str, name: str = ""):
    return post_from_page(client, manage_path, f"{manage_path}/display", display=display, name=name)


def test_signer_changes_how_the_signature_appears_again_and_again(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox, display="full")
    for wanted, name, shown in (
        ("initials", "", "Z. W."),
        ("anonymous", "", None),
        ("full", "Zofia W.", "Zofia W."),  # showing more needs the name typed again
    ):
        response = change_display(client, manage_path, wanted, name)
        assert response.status_code == 302
        assert response.headers["Location"] == manage_path
        signature = the_signature()
        assert (signature.display, signature.public_name) == (Display(wanted), shown)
    page = client.get(manage_path).get_data(as_text=True)
    assert "Saved." in page
    assert 'value="full" checked' in page or 'checked id="display-2"' in page
    assert "Lists show you as: <bdi>Zofia W.</bdi>" in page
    assert open_details(the_signature().sealed, CUSTODIAN).name == NAME  # as signed


NAME_NEEDED = "Please type your name to be shown by name or initials."


def tag_with_id(html: str, element_id: str) -> str:
    match = re.search(rf'<[a-z]+ [^>]*\bid="{element_id}"[^>]*>', html)
    assert match, f"no element with id {element_id}"
    return match.group(0)


def test_showing_more_than_now_needs_the_name_typed_again(client, campaign, mailbox):
    """The server keeps the typed name sealed: it cannot show by name what it cannot read."""
    _confirm, manage_path = signed_up(client, mailbox, display="anonymous")
    page = client.get(manage_path).get_data(as_text=True)
    assert "Lists do not name you; you are only counted." in page
    assert NAME not in page

    for wanted in ("full", "initials"):
        refused = change_display(client, manage_path, wanted)
        assert refused.status_code == 422
        html = refused.get_data(as_text=True)
        assert 'role="alert"' in tag_with_id(html, "error-summary")  # announced at once
        assert f'<li><a href="#name">{NAME_NEEDED}</a></li>' in html
        field = tag_with_id(html, "name")
        assert 'aria-invalid="true"' in field
        assert 'aria-describedby="name-hint name-error"' in field
        assert f'<p class="field-error" id="name-error">{NAME_NEEDED}</p>' in html
        signature = the_signature()
        assert (signature.display, signature.public_name) == (Display.ANONYMOUS, None)

    assert change_display(client, manage_path, "initials", "Zofia Nowak").status_code == 302
    assert the_signature().public_name == "Z. N."
    assert change_display(client, manage_path, "full", "Zofia Nowak").status_code == 302
    assert the_signature().public_name == "Zofia Nowak"
    page = client.get(manage_path).get_data(as_text=True)
    assert "Lists show you as: <bdi>Zofia Nowak</bdi>" in page


def test_showing_less_needs_no_name_and_keeps_the_initials_of_the_shown_one(
    client, campaign, mailbox
):
    _confirm, manage_path = signed_up(client, mailbox, display="full")
    assert f"Lists show you as: <bdi>{NAME}</bdi>" in client.get(manage_path).get_data(as_text=True)
    assert change_display(client, manage_path, "initials").status_code == 302
    assert the_signature().public_name == "Z. W."
    assert "Lists show you as: <bdi>Z. W.</bdi>" in client.get(manage_path).get_data(as_text=True)
    assert change_display(client, manage_path, "full").status_code == 422
    signature = the_signature()
    assert (signature.display, signature.public_name) == (Display.INITIALS, "Z. W.")


def test_a_bad_display_value_is_refused_and_changes_nothing(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox, display="initials")
    response = post_from_page(client, manage_path, f"{manage_path}/display", display="loud")
    assert response.status_code == 422
    assert the_signature().display is Display.INITIALS


def test_signer_stops_updates(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox, wants_updates="y")
    assert the_signature().wants_updates is True
    assert "Stop updates" in client.get(manage_path).get_data(as_text=True)
    response = post_from_page(client, manage_path, f"{manage_path}/updates")
    assert response.status_code == 302
    assert the_signature().wants_updates is False
    page = client.get(manage_path).get_data(as_text=True)
    assert "We do not send you updates" in page
    assert "Stop updates" not in page


def test_every_change_needs_the_forms_csrf_token(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox, display="full", wants_updates="y")
    for action, data in (("display", {"display": "anonymous"}), ("updates", {}), ("withdraw", {})):
        assert client.post(f"{manage_path}/{action}", data=data).status_code == 400
    signature = the_signature()
    assert signature.display is Display.FULL
    assert signature.wants_updates is True
    assert signature.status is SignatureStatus.CONFIRMED


def test_changing_the_display_of_a_pending_signature_keeps_its_confirm_link_working(
    client, campaign, mailbox
):
    confirm_path, manage_path = signed_up(client, mailbox, confirm=False, display="full")
    post_from_page(client, manage_path, f"{manage_path}/display", display="initials")
    assert client.post(confirm_path, data=csrf_of(client, confirm_path)).status_code == 302
    signature = the_signature()
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.display is Display.INITIALS


def test_unknown_manage_link_is_a_clear_404(client, campaign):
    for path in ("/en/signature/" + "A" * 43, "/en/signature/" + "A" * 43 + "/withdraw"):
        response = client.get(path)
        assert response.status_code == 404
        assert "This link does not work" in response.get_data(as_text=True)


def test_expired_manage_link_points_to_the_signing_form_for_a_new_one(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox, display="full")
    csrf = hidden_inputs(client.get(manage_path).get_data(as_text=True))["csrf_token"]
    for token in db.session.scalars(select(LinkToken)):
        token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = client.get(manage_path)
    assert page.status_code == 410
    assert 'href="/en/free-them/sign"' in page.get_data(as_text=True)
    response = client.post(
        f"{manage_path}/display", data={"csrf_token": csrf, "display": "anonymous"}
    )
    assert response.status_code == 410
    assert client.post(f"{manage_path}/withdraw", data={"csrf_token": csrf}).status_code == 410
    signature = the_signature()
    assert signature.display is Display.FULL
    assert signature.status is SignatureStatus.CONFIRMED

    # Signing again with the same address brings a fresh link, and counts nobody twice.
    sign(client, email=EMAIL)
    send_mail()
    fresh = path_of(manage_link_in(mail_to(mailbox)))
    assert client.get(fresh).status_code == 200
    assert individuals(client) == 1


# --- withdrawal -------------------------------------------------------------------------


def everything_stored() -> str:
    """Every row of every table, as text."""
    rows = []
    for table in db.metadata.sorted_tables:
        rows.extend(db.session.execute(select(table)).all())
    return repr(rows)


def test_withdrawal_erases_the_person_at_once_and_keeps_only_what_counts_need(
    client, campaign, mailbox
):
    confirm_path, manage_path = signed_up(client, mailbox, display="full", wants_updates="y")
    before = the_signature()
    kept = (
        before.id,
        before.campaign_id,
        before.country,
        before.lang,
        before.statement_sha256,
        before.created_at,
        before.confirmed_at,
    )
    assert before.client_hash is not None
    assert individuals(client) == 1
    # A message still waiting to be sent: someone signs again with the same address.
    sign(client, email=EMAIL)
    queued = select(OutboxMessage).where(
        OutboxMessage.signature_id == before.id, OutboxMessage.status == OutboxStatus.QUEUED
    )
    assert len(db.session.scalars(queued).all()) == 1

    step = client.get(f"{manage_path}/withdraw")
    assert step.status_code == 200
    assert step.headers["Cache-Control"] == "no-store"
    assert "Withdraw and erase my details" in step.get_data(as_text=True)
    assert the_signature().status is SignatureStatus.CONFIRMED  # the step page changes nothing

    done = withdraw(client, manage_path)
    assert done.status_code == 200
    assert "Your signature is withdrawn" in done.get_data(as_text=True)

    after = the_signature()
    person = (
        after.sealed,
        after.public_name,
        after.email_hash,
        after.mailbox_hash,
        after.email_domain,
        after.client_hash,
    )
    assert person == (None,) * len(person)
    assert after.status is SignatureStatus.WITHDRAWN
    assert after.withdrawn_at is not None
    assert after.wants_updates is False
    assert (
        after.id,
        after.campaign_id,
        after.country,
        after.lang,
        after.statement_sha256,
        after.created_at,
        after.confirmed_at,
    ) == kept

    # Out of the counts, at once.
    api = client.get("/api/v1/campaigns/free-them").json
    assert api["counts"]["individuals"] == 0
    assert api["by_country"] == {}
    # Every link ended; nothing left to send.
    assert all(token.used_at is not None for token in db.session.scalars(select(LinkToken)))
    assert db.session.scalars(queued).all() == []
    assert send_mail() == 0
    assert mailbox.to(EMAIL) == []
    # The old confirmation link no longer leads anywhere.
    assert client.get(confirm_path).status_code == 404
    csrf = hidden_inputs(client.get("/en/free-them/sign").get_data(as_text=True))["csrf_token"]
    assert client.post(confirm_path, data={"csrf_token": csrf}).status_code == 404
    # Nothing of the person is stored anywhere any more.
    stored = everything_stored()
    for secret in (NAME, "Zofia", EMAIL, "zofia.withdraw", CITY):
        assert secret not in stored


def test_after_withdrawal_the_link_says_so_and_shows_nothing(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox, display="full")
    csrf = hidden_inputs(client.get(f"{manage_path}/withdraw").get_data(as_text=True))
    assert withdraw(client, manage_path).status_code == 200

    for path in (manage_path, f"{manage_path}/withdraw"):
        page = client.get(path)
        assert page.status_code == 410
        assert page.headers["Cache-Control"] == "no-store"
        html = page.get_data(as_text=True)
        assert "This signature was withdrawn" in html
        for secret in (NAME, EMAIL, CITY, "Free them all"):
            assert secret not in html
    again = client.post(f"{manage_path}/withdraw", data=csrf)
    assert again.status_code == 410
    display = client.post(f"{manage_path}/display", data={**csrf, "display": "full"})
    assert display.status_code == 410
    assert the_signature().display is Display.ANONYMOUS


def test_a_pending_signature_can_be_withdrawn(client, campaign, mailbox):
    confirm_path, manage_path = signed_up(client, mailbox, confirm=False)
    assert withdraw(client, manage_path).status_code == 200
    signature = the_signature()
    assert signature.status is SignatureStatus.WITHDRAWN
    assert signature.confirmed_at is None
    assert (signature.sealed, signature.email_hash, signature.mailbox_hash) == (None, None, None)
    assert client.get(confirm_path).status_code == 404
    assert individuals(client) == 0


def test_after_withdrawal_the_person_can_sign_again_as_new(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox)
    withdraw(client, manage_path)
    old = the_signature().id

    sign(client, name=NAME, email=EMAIL)
    send_mail()
    text = mail_to(mailbox)
    assert "already" not in text
    assert confirm_link(client, link_in(text)).status_code == 302

    db.session.expire_all()
    rows = db.session.scalars(select(Signature).order_by(Signature.id)).all()
    assert [(row.id == old, row.status) for row in rows] == [
        (True, SignatureStatus.WITHDRAWN),
        (False, SignatureStatus.CONFIRMED),
    ]
    assert open_details(rows[1].sealed, CUSTODIAN).email == EMAIL
    assert individuals(client) == 1


def test_a_withdrawn_name_appears_on_no_public_page(client, campaign, mailbox):
    _confirm, manage_path = signed_up(client, mailbox, display="full")
    withdraw(client, manage_path)
    paths = ["/", "/api/v1/campaigns/free-them"]
    for lang in ("en", "uk", "ru"):
        paths += [
            f"/{lang}/",
            f"/{lang}/free-them/",
            f"/{lang}/free-them/sign",
            f"/{lang}/free-them/coalition",
            f"/{lang}/free-them/check-email",
            f"/{lang}/privacy",
            manage_path.replace("/en/", f"/{lang}/", 1),
        ]
    for path in paths:
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, path
        body = response.get_data(as_text=True)
        for secret in (NAME, "Zofia", "Withdrawovna", EMAIL, CITY):
            assert secret not in body, (path, secret)


def test_staff_review_leaves_withdrawn_signatures_alone(client, campaign, mailbox):
    """Invalidating and restoring must never bring a withdrawn signature back into the counts."""
    _confirm, manage_path = signed_up(client, mailbox)
    sign(client, email="other@example.org")
    send_mail()
    confirm_link(client, link_in(mail_to(mailbox, "other@example.org")))
    withdraw(client, manage_path)
    withdrawn = db.session.scalars(
        select(Signature).where(Signature.status == SignatureStatus.WITHDRAWN)
    ).one()
    staff = make_staff(Role.MODERATOR)

    with pytest.raises(review.WrongStatus):
        review.change_signature(
            withdrawn.id, review.ReviewAction.INVALIDATE, reason="test", actor=staff
        )
    everyone = review.SignatureFilter.build(campaign.id)
    counts = review.count_matching(everyone)
    assert (counts.confirmed, counts.invalidated) == (1, 0)
    for action in (review.ReviewAction.INVALIDATE, review.ReviewAction.RESTORE):
        counts = review.count_matching(everyone)
        changed = review.apply_to_matching(
            everyone,
            action,
            expected_total=counts.total,
            expected_invalidated=counts.invalidated,
            reason="test",
            actor=staff,
        )
        assert changed == 1
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Signature, withdrawn.id).status is SignatureStatus.WITHDRAWN
    assert individuals(client) == 1
