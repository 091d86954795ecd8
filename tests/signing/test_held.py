"""A signer asks what the server holds about their signature, on the manage page and as a
JSON download, and gets only their own, never a hash value or a sealed detail in the clear."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import LinkToken, Signature
from petition.models.types import utcnow
from tests.factories import make_campaign
from tests.pages import hidden_inputs, link_in, manage_link_in, path_of, post_from_page, sign
from tests.pages import send_mail as run_outbox

FIRST = {"name": "Zofia Heldovna", "email": "zofia.held@example.org", "city": "Canaryville"}
SECOND = {"name": "Marek Otherson", "email": "marek.other@mail.example.net", "city": "Elsewhere"}


@pytest.fixture
def campaign(app):
    return make_campaign()


def signed(client, mailbox, signer: dict[str, str], **fields: str) -> str:
    """Sign and confirm as `signer`; the path of their manage link."""
    sign(client, **{"display": "initials", **signer, **fields})
    run_outbox()
    [message] = mailbox.to(signer["email"])
    text = mailbox.text_of(message)
    confirm = path_of(link_in(text))
    client.post(confirm, data=hidden_inputs(client.get(confirm).get_data(as_text=True)))
    mailbox.clear()
    return path_of(manage_link_in(text))


def signature_of(email_domain: str) -> Signature:
    db.session.expire_all()
    return db.session.scalars(select(Signature).filter_by(email_domain=email_domain)).one()


def download(client, manage_path: str):
    return post_from_page(client, manage_path, f"{manage_path}/held")


def hash_values(signature: Signature) -> list[str]:
    values = [signature.email_hash, signature.mailbox_hash, signature.client_hash]
    return [value for value in values if value]


def assert_private(response) -> None:
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"


def held_section(html: str) -> str:
    start = html.index('id="held-heading"')
    return html[start : html.index("</section>", start)]


def test_manage_page_says_in_plain_words_what_is_held(client, campaign, mailbox):
    manage = signed(client, mailbox, FIRST, country="PL", wants_updates="y")
    page = client.get(manage)
    assert page.status_code == 200
    assert_private(page)
    section = held_section(page.get_data(as_text=True))
    for fact in (
        "Free them all",
        "English",
        "Initials only",
        "Z. H.",
        "Poland",
        "Confirmed",
        "you asked for them",
        "example.org",
        "Keyed hashes of your email address",
        "Keyed hash of your internet address",
        signature_of("example.org").statement_sha256,
        "Name as typed, email address and city: sealed — only the campaign’s custodians",
        "Download as JSON",
    ):
        assert fact in section, fact


def test_download_is_a_private_json_file_of_the_same_facts(client, campaign, mailbox):
    manage = signed(client, mailbox, FIRST, country="PL")
    response = download(client, manage)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert_private(response)
    held = response.json
    signature = signature_of("example.org")
    assert held["campaign"] == {"slug": "free-them", "title": "Free them all"}
    assert (held["language"], held["country"], held["status"]) == ("en", "PL", "confirmed")
    assert (held["display"], held["public_name"]) == ("initials", "Z. H.")
    assert held["email_domain"] == "example.org"
    assert held["email_address_hashes"]["stored"] is True
    assert held["connection_hash"]["stored"] is True
    assert held["statement_sha256"] == signature.statement_sha256
    assert held["confirmed_at"] is not None
    assert held["mail_queued"]["queued"] is False
    assert held["name_email_city"]["sealed"] is True
    assert "custodians" in held["name_email_city"]["note"]


def test_neither_the_page_nor_the_file_holds_a_sealed_detail_or_a_hash(client, campaign, mailbox):
    manage = signed(client, mailbox, FIRST)
    signature = signature_of("example.org")
    assert signature.email_hash
    page = client.get(manage).get_data(as_text=True)
    body = download(client, manage).get_data(as_text=True)
    for text in (page, body, json.dumps(json.loads(body), ensure_ascii=False)):
        for secret in (FIRST["name"], FIRST["email"], FIRST["city"], *hash_values(signature)):
            assert secret not in text


def test_each_link_shows_only_its_own_signature(client, campaign, mailbox):
    first = signed(client, mailbox, FIRST, country="PL")
    second = signed(client, mailbox, SECOND, country="DE", display="full")
    for manage, own, other, shown in (
        (first, "example.org", "mail.example.net", "Z. H."),
        (second, "mail.example.net", "example.org", SECOND["name"]),
    ):
        page = held_section(client.get(manage).get_data(as_text=True))
        held = download(client, manage).json
        assert own in page
        assert other not in page
        assert held["email_domain"] == own
        assert held["public_name"] == shown
        everything = page + json.dumps(held, ensure_ascii=False)
        for secret in hash_values(signature_of(other)):
            assert secret not in everything
    assert download(client, first).json["country"] == "PL"
    assert download(client, second).json["country"] == "DE"


def test_a_mail_waiting_to_be_sent_is_said(client, campaign, mailbox):
    manage = signed(client, mailbox, FIRST)
    sign(client, **FIRST)  # again: an "already signed" mail is queued
    assert download(client, manage).json["mail_queued"]["queued"] is True
    section = held_section(client.get(manage).get_data(as_text=True))
    assert "Until a message to you is sent, the server keeps your email address" in section
    run_outbox()
    assert download(client, manage).json["mail_queued"]["queued"] is False
    assert "Until a message" not in held_section(client.get(manage).get_data(as_text=True))


def test_an_unsealed_signature_from_before_sealing_is_not_called_sealed(client, campaign, mailbox):
    manage = signed(client, mailbox, FIRST)
    signature = signature_of("example.org")
    signature.legacy_name = FIRST["name"]
    db.session.commit()
    held = download(client, manage).json
    assert held["name_email_city"]["sealed"] is False
    assert FIRST["name"] not in json.dumps(held, ensure_ascii=False)


def test_a_get_never_downloads_and_a_post_needs_the_forms_csrf_token(client, campaign, mailbox):
    manage = signed(client, mailbox, FIRST)
    assert client.get(f"{manage}/held").status_code == 405
    assert client.post(f"{manage}/held").status_code == 400


def test_unknown_withdrawn_and_expired_links_answer_as_every_manage_action(
    client, campaign, mailbox
):
    form = hidden_inputs(client.get("/en/free-them/sign").get_data(as_text=True))
    csrf = {"csrf_token": form["csrf_token"]}
    unknown = client.post("/en/signature/" + "A" * 43 + "/held", data=csrf)
    assert unknown.status_code == 404
    assert "This link does not work" in unknown.get_data(as_text=True)
    assert_private(unknown)

    manage = signed(client, mailbox, FIRST)
    for token in db.session.scalars(select(LinkToken)):
        token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.post(f"{manage}/held", data=csrf)
    assert expired.status_code == 410
    assert expired.mimetype == "text/html"

    withdrawn = signed(client, mailbox, SECOND)
    post_from_page(client, f"{withdrawn}/withdraw", f"{withdrawn}/withdraw")
    gone = client.post(f"{withdrawn}/held", data=csrf)
    assert gone.status_code == 410
    assert "This signature was withdrawn" in gone.get_data(as_text=True)
    assert SECOND["email"] not in gone.get_data(as_text=True)
