"""Signing and confirming, as a signer and as their mailbox see it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import (
    CampaignStatus,
    LinkToken,
    OutboxMessage,
    Signature,
    SignatureStatus,
    TokenPurpose,
)
from petition.models.types import utcnow
from petition.personal import Details, email_hash, open_details
from tests.factories import CUSTODIAN, make_campaign
from tests.pages import hidden_inputs, link_in, path_of, send_mail, sign, submit_form


@pytest.fixture
def campaign(app):
    return make_campaign()


def signatures() -> list[Signature]:
    return list(db.session.scalars(select(Signature)))


def confirm(client, url: str):
    page = client.get(path_of(url))
    return client.post(path_of(url), data=hidden_inputs(page.get_data(as_text=True)))


def test_sign_form_defaults_to_anonymous_and_no_updates(client, campaign):
    html = client.get("/en/free-them/sign").get_data(as_text=True)
    assert 'value="anonymous" checked' in html or 'checked id="display-0"' in html
    assert "checked" not in html.split('name="wants_updates"')[0].rsplit("<input", 1)[1]
    assert '<label for="name">Your name</label>' in html


def test_new_signature_is_pending_until_confirmed(client, campaign, mailbox):
    response = sign(client, lang="uk", name="Оксана Тест", email="Oksana@Example.org")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/uk/free-them/check-email")
    [signature] = signatures()
    assert signature.status is SignatureStatus.PENDING
    assert signature.lang == "uk"
    assert open_details(signature.sealed, CUSTODIAN).email == "Oksana@Example.org"
    assert signature.email_hash == email_hash("oksana@example.org")
    assert signature.email_domain == "example.org"
    assert signature.statement_sha256 == campaign.texts["uk"].sha256
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["individuals"] == 0

    send_mail()
    [message] = mailbox.to("Oksana@Example.org")
    assert "/uk/confirm/" in link_in(mailbox.text_of(message))
    with force_locale("uk"):
        assert mailbox.text_of(message).startswith(gettext("Hello,"))
    assert "Оксана" not in mailbox.text_of(message)  # the mail is built without the name


def test_the_signing_post_seals_exactly_what_was_typed(client, campaign):
    typed = {"name": "Оксана Тест-Коваль", "email": "Oksana+Petition@Example.org", "city": "Київ"}
    sign(client, display="initials", **typed)
    [signature] = signatures()
    assert open_details(signature.sealed, CUSTODIAN) == Details(**typed)
    assert signature.public_name == "О. Т."
    for clear in typed.values():
        assert clear.encode() not in signature.sealed


def test_once_its_mail_is_sent_no_row_holds_what_the_signer_typed(client, campaign, mailbox):
    canaries = {"name": "Kanarka Zhovta", "email": "kanarka.zhovta@example.org", "city": "Ptashyne"}
    sign(client, display="initials", **canaries)
    sign(client, display="anonymous", name="Anon Canary", email="anon.canary@example.org")
    assert send_mail() == 2
    secrets = [*canaries.values(), "kanarka.zhovta", "Anon Canary", "anon.canary"]
    assert clear_text_found(secrets) == []

    confirm(client, link_in(mailbox.text_of(mailbox.to(canaries["email"])[0])))
    assert clear_text_found(secrets) == []


def clear_text_found(secrets: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, secret) for each secret found, in any case, in any column of the
    signatures and the outbox (the sealed bytes included, read as text)."""
    found = []
    for table in (Signature.__table__, OutboxMessage.__table__):
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
                found += [(table.name, column, s) for s in secrets if s.lower() in text.lower()]
    return found


def test_opening_the_link_confirms_nothing_pressing_confirm_does(client, campaign, mailbox):
    sign(client)
    send_mail()
    url = link_in(mailbox.text_of(mailbox.to("olena@example.org")[0]))

    page = client.get(path_of(url))
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert "Confirm" in page.get_data(as_text=True)
    assert signatures()[0].status is SignatureStatus.PENDING

    response = client.post(path_of(url), data=hidden_inputs(page.get_data(as_text=True)))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/en/free-them/")
    db.session.expire_all()
    assert signatures()[0].status is SignatureStatus.CONFIRMED
    shown = client.get("/en/free-them/").get_data(as_text=True)
    assert "Your signature is confirmed" in shown
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["individuals"] == 1


def test_confirming_twice_is_harmless(client, campaign, mailbox):
    sign(client)
    send_mail()
    url = link_in(mailbox.text_of(mailbox.to("olena@example.org")[0]))
    form = hidden_inputs(client.get(path_of(url)).get_data(as_text=True))
    assert client.post(path_of(url), data=form).status_code == 302
    again = client.post(path_of(url), data=form)
    assert again.status_code == 302
    reopened = client.get(path_of(url)).get_data(as_text=True)
    assert "already confirmed" in reopened
    assert client.get("/api/v1/campaigns/free-them").json["counts"]["individuals"] == 1


def test_confirm_post_without_csrf_token_is_refused(client, campaign, mailbox):
    sign(client)
    send_mail()
    url = link_in(mailbox.text_of(mailbox.to("olena@example.org")[0]))
    response = client.post(path_of(url), data={})
    assert response.status_code == 400
    assert signatures()[0].status is SignatureStatus.PENDING


def test_same_response_for_new_pending_and_confirmed_address(client, campaign, mailbox):
    first = sign(client)
    send_mail()
    confirm(client, link_in(mailbox.text_of(mailbox.to("olena@example.org")[0])))
    mailbox.clear()

    second = sign(client, email="OLENA@example.org")
    other = sign(client, email="someone.new@example.org")
    for response in (first, second, other):
        assert response.status_code == 302
        assert response.headers["Location"] == first.headers["Location"]
    page_after_known = client.get(second.headers["Location"]).get_data(as_text=True)
    page_after_new = client.get(other.headers["Location"]).get_data(as_text=True)
    assert page_after_known == page_after_new

    send_mail()
    [known] = mailbox.to("OLENA@example.org")  # the same mailbox, as it was just typed
    [new] = mailbox.to("someone.new@example.org")
    assert "already confirmed" in mailbox.text_of(known)
    assert "/confirm/" not in mailbox.text_of(known)
    assert "/confirm/" in mailbox.text_of(new)
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 2


def test_pending_address_gets_a_fresh_link_up_to_a_cap(client, campaign, mailbox, app):
    cap = app.config["CONFIRM_LINKS_PER_SIGNATURE"]
    assert sign(client).status_code == 302
    for _ in range(cap + 2):
        assert sign(client, name="Olena Changed").status_code == 302
    send_mail()
    received = mailbox.to("olena@example.org")
    assert len(received) == cap
    links = {link_in(mailbox.text_of(m)) for m in received}
    assert len(links) == cap
    [signature] = signatures()
    # Only a link's holder changes what was first sent.
    assert open_details(signature.sealed, CUSTODIAN).name == "Olena Test"
    assert signature.public_name == "Olena Test"


def test_expired_link_offers_a_new_one_without_revealing_anything(client, campaign, mailbox):
    sign(client)
    send_mail()
    url = link_in(mailbox.text_of(mailbox.to("olena@example.org")[0]))
    for token in db.session.scalars(select(LinkToken)):
        token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = client.get(path_of(url))
    assert page.status_code == 410
    assert "expired" in page.get_data(as_text=True)
    assert confirm(client, url).status_code == 410
    assert signatures()[0].status is SignatureStatus.PENDING

    mailbox.clear()
    known = submit_form(client, "/en/free-them/resend", email="olena@example.org")
    unknown = submit_form(client, "/en/free-them/resend", email="nobody@example.org")
    assert known.headers["Location"] == unknown.headers["Location"]
    send_mail()
    assert len(mailbox.to("olena@example.org")) == 1
    assert mailbox.to("nobody@example.org") == []
    fresh = link_in(mailbox.text_of(mailbox.to("olena@example.org")[0]))
    assert confirm(client, fresh).status_code == 302


def test_unknown_link_is_a_clear_404(client, campaign):
    response = client.get("/en/confirm/" + "A" * 43)
    assert response.status_code == 404
    assert "This link does not work" in response.get_data(as_text=True)


def test_raw_tokens_are_never_stored(client, campaign, mailbox):
    sign(client)
    send_mail()
    url = link_in(mailbox.text_of(mailbox.to("olena@example.org")[0]))
    raw = url.rsplit("/", 1)[1]
    assert len(raw) >= 43  # 256 bits in URL-safe base64
    confirming = select(LinkToken).where(LinkToken.purpose == TokenPurpose.CONFIRM_SIGNATURE)
    [token] = db.session.scalars(confirming)
    assert token.token_hash != raw
    assert raw not in str(db.session.execute(select(LinkToken.__table__)).all())


def test_honeypot_looks_like_success_but_stores_nothing(client, campaign, mailbox):
    response = sign(client, website_url="http://spam.example")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/check-email")
    assert signatures() == []
    assert send_mail() == 0


@pytest.mark.parametrize("app_config", [{"SIGN_MIN_SECONDS": 3600}])
def test_a_form_sent_too_quickly_is_returned_with_an_explanation(client, campaign):
    response = sign(client)
    assert response.status_code == 422
    assert "very quick" in response.get_data(as_text=True)
    assert signatures() == []


def test_invalid_fields_are_explained_next_to_each_field(client, campaign):
    response = submit_form(client, "/uk/free-them/sign", name="", email="not-an-email")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html
    assert 'id="email-error"' in html
    assert 'aria-invalid="true"' in html
    assert 'role="alert"' in html
    assert signatures() == []


def test_statement_changed_while_reading_is_shown_again(client, campaign):
    page = client.get("/en/free-them/sign")
    fields = hidden_inputs(page.get_data(as_text=True))
    campaign.texts["en"].statement = "A revised statement."
    db.session.commit()
    response = client.post(
        "/en/free-them/sign",
        data={**fields, "name": "A", "email": "a@example.org", "country": "UA", "display": "full"},
    )
    assert response.status_code == 422
    assert "A revised statement." in response.get_data(as_text=True)
    assert signatures() == []


def test_closed_campaign_shows_a_clear_page_and_takes_no_signature(client, app):
    make_campaign(status=CampaignStatus.CLOSED)
    page = client.get("/ru/free-them/sign")
    assert page.status_code == 410
    with force_locale("ru"):
        closed = gettext("This campaign is closed")
    assert closed != "This campaign is closed"
    assert closed in page.get_data(as_text=True)
    assert client.get("/ru/free-them/").status_code == 200


def test_draft_campaign_is_not_public(client, app):
    make_campaign(status=CampaignStatus.DRAFT)
    assert client.get("/en/free-them/").status_code == 404
    assert client.get("/en/free-them/sign").status_code == 404
    assert client.get("/api/v1/campaigns/free-them").status_code == 404


def test_client_address_is_stored_only_as_a_keyed_hash(client, campaign):
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    sign(client)
    [signature] = signatures()
    assert signature.client_hash
    assert "203.0.113.7" not in signature.client_hash
    assert len(signature.client_hash) == 64
