"""Updates reach only signers who asked, at the address they typed (opened with the
custodian's key), and one click in the mail client stops them."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from petition.extensions import db
from petition.models import AuditEvent, CampaignUpdate, OutboxMessage, Signature
from petition.personal import email_hash
from petition.sealing import new_identity, write_identity
from tests.factories import CUSTODIAN, make_campaign
from tests.pages import (
    confirm_link,
    hidden_inputs,
    link_in,
    manage_link_in,
    path_of,
    send_mail,
    sign,
)


def signed_and_confirmed(client, mailbox, email: str, **fields) -> None:
    sign(client, email=email, **fields)
    send_mail()
    confirm_link(client, link_in(mailbox.text_of(mailbox.to(email)[-1])))


def key_file(tmp_path: Path, identity=CUSTODIAN) -> Path:
    """The custodian's identity file, as `keys new` or `age-keygen` writes it."""
    path = tmp_path / f"custodian-{len(list(tmp_path.glob('custodian-*')))}.key"
    write_identity(identity, path)
    return path


def run_send(app, tmp_path, lang: str, identity: Path):
    """`flask updates send` in `lang` with the key file `identity`."""
    body = tmp_path / "body.txt"
    body.write_text("Новини кампанії.\n\nДякуємо!", encoding="utf-8")
    args = ["updates", "send", "free-them", "--lang", lang, "--subject", "Новини"]
    args += ["--body-file", str(body), "--identity", str(identity)]
    return app.test_cli_runner().invoke(args=args)


def send_update(app, tmp_path, lang: str) -> str:
    """Queue an update in `lang` as staff do from the command line; what it says."""
    result = run_send(app, tmp_path, lang, key_file(tmp_path))
    assert result.exit_code == 0, result.output
    return result.output.strip()


def signature_of(email: str) -> Signature:
    db.session.expire_all()
    return db.session.scalar(select(Signature).where(Signature.email_hash == email_hash(email)))


def unsubscribe_url(update) -> str:
    return re.fullmatch(r"<(https?://[^>]+)>", update["List-Unsubscribe"]).group(1)


def one_click(app, url: str):
    """What a mail client does for RFC 8058: a bare POST, no cookie, no CSRF token."""
    return app.test_client().post(path_of(url), data={"List-Unsubscribe": "One-Click"})


def test_update_goes_only_to_consenting_signers_with_one_click_unsubscribe(
    app, client, mailbox, tmp_path
):
    make_campaign()
    # Typed with capitals and a sub-address: the update goes to exactly what was typed.
    typed = "Wants+News@Example.org"
    signed_and_confirmed(client, mailbox, typed, lang="uk", wants_updates="y")
    signed_and_confirmed(client, mailbox, "quiet@example.org", lang="uk")
    signed_and_confirmed(client, mailbox, "english@example.org", wants_updates="y")
    sign(client, email="pending@example.org", lang="uk", wants_updates="y")
    send_mail()
    mailbox.clear()

    assert send_update(app, tmp_path, "uk") == "1 update(s) queued."
    send_mail()
    assert [str(m["To"]) for m in mailbox.messages] == [typed]
    assert [e.recipients for e in mailbox.envelopes] == [(typed,)]
    [update] = mailbox.messages
    assert update["Subject"] == "Новини"
    assert "Новини кампанії." in mailbox.text_of(update)
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    response = one_click(app, unsubscribe_url(update))
    assert response.status_code == 200
    wants = signature_of(typed)
    assert wants.wants_updates is False
    assert wants.status.value == "confirmed"  # the signature itself stays


def test_unknown_unsubscribe_link_is_a_clear_404(client):
    page = client.post("/en/signature/not-a-token/unsubscribe")
    assert page.status_code == 404
    assert "This link does not work" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_the_unsubscribe_header_can_only_stop_updates(app, client, mailbox, tmp_path):
    """Mail systems log and forward headers: the header's link must not be the one that
    withdraws the signature or shows it."""
    make_campaign()
    signed_and_confirmed(client, mailbox, "wants@example.org", wants_updates="y")
    mailbox.clear()
    send_update(app, tmp_path, "en")
    send_mail()
    [update] = mailbox.messages
    header = path_of(unsubscribe_url(update))
    token = header.split("/")[-2]
    manage = path_of(manage_link_in(mailbox.text_of(update)))
    assert token not in manage

    csrf = {"csrf_token": hidden_inputs(client.get(manage).get_data(as_text=True))["csrf_token"]}
    for method, path, data in (
        ("GET", f"/en/signature/{token}", None),
        ("GET", f"/en/signature/{token}/withdraw", None),
        ("POST", f"/en/signature/{token}/withdraw", csrf),
        ("POST", f"/en/signature/{token}/display", {**csrf, "display": "anonymous"}),
        ("POST", f"/en/signature/{token}/updates", csrf),
    ):
        response = client.open(path, method=method, data=data)
        assert response.status_code == 404, (method, path)
        assert "wants@example.org" not in response.get_data(as_text=True)
    signature = signature_of("wants@example.org")
    assert (signature.status.value, signature.display.value) == ("confirmed", "full")
    assert signature.wants_updates is True

    assert one_click(app, unsubscribe_url(update)).status_code == 200
    assert one_click(app, unsubscribe_url(update)).status_code == 200  # clients may retry
    db.session.expire_all()
    assert signature.wants_updates is False
    assert signature.status.value == "confirmed"
    assert client.get(manage).status_code == 200  # the body's link still manages it all


def test_the_unsubscribe_link_of_a_withdrawn_signature_stops_nothing_more(
    app, client, mailbox, tmp_path
):
    make_campaign()
    signed_and_confirmed(client, mailbox, "wants@example.org", wants_updates="y")
    mailbox.clear()
    send_update(app, tmp_path, "en")
    send_mail()
    [update] = mailbox.messages
    manage = path_of(manage_link_in(mailbox.text_of(update)))
    page = client.get(f"{manage}/withdraw").get_data(as_text=True)
    assert client.post(f"{manage}/withdraw", data=hidden_inputs(page)).status_code == 200
    assert one_click(app, unsubscribe_url(update)).status_code == 410


def queued_updates() -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == "campaign_update")
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def test_the_outbox_holds_the_address_only_until_the_update_is_sent(app, client, mailbox, tmp_path):
    make_campaign()
    signed_and_confirmed(client, mailbox, "wants@example.org", wants_updates="y")
    mailbox.clear()
    send_update(app, tmp_path, "en")
    assert [m.recipient for m in queued_updates()] == ["wants@example.org"]
    send_mail()
    db.session.expire_all()
    [sent] = queued_updates()
    assert (sent.status.value, sent.recipient) == ("sent", None)


def test_a_key_that_cannot_open_the_addresses_queues_nothing_and_a_retry_works(
    app, client, mailbox, tmp_path
):
    make_campaign()
    signed_and_confirmed(client, mailbox, "wants@example.org", wants_updates="y")
    mailbox.clear()

    result = run_send(app, tmp_path, "en", key_file(tmp_path, new_identity()))
    assert result.exit_code == 1
    assert (
        "that key cannot open the signer data of 'free-them': nothing was queued" in result.output
    )
    db.session.expire_all()
    assert queued_updates() == []
    assert db.session.scalar(select(func.count()).select_from(CampaignUpdate)) == 0
    queued = select(func.count()).where(AuditEvent.action == "campaign.update_queued")
    assert db.session.scalar(queued) == 0

    assert send_update(app, tmp_path, "en") == "1 update(s) queued."
    send_mail()
    assert [str(m["To"]) for m in mailbox.messages] == ["wants@example.org"]


def test_a_file_without_a_key_is_refused_clearly(app, client, mailbox, tmp_path):
    make_campaign()
    signed_and_confirmed(client, mailbox, "wants@example.org", wants_updates="y")
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_bytes(b"\x89PNG\r\n\x1a\n not a key at all")
    result = run_send(app, tmp_path, "en", not_a_key)
    assert result.exit_code == 1
    assert f"{not_a_key} holds no age identity" in result.output
    assert queued_updates() == []


def test_a_withdrawn_signature_gets_no_update(app, client, mailbox, tmp_path):
    make_campaign()
    signed_and_confirmed(client, mailbox, "stays@example.org", wants_updates="y")
    signed_and_confirmed(client, mailbox, "leaves@example.org", wants_updates="y")
    manage = path_of(manage_link_in(mailbox.text_of(mailbox.to("leaves@example.org")[-1])))
    page = client.get(f"{manage}/withdraw").get_data(as_text=True)
    assert client.post(f"{manage}/withdraw", data=hidden_inputs(page)).status_code == 200
    mailbox.clear()
    assert send_update(app, tmp_path, "en") == "1 update(s) queued."
    send_mail()
    assert [str(m["To"]) for m in mailbox.messages] == ["stays@example.org"]
