"""Updates reach only signers who asked, and one click in the mail client stops them."""

from __future__ import annotations

import re

from sqlalchemy import select

from petition.extensions import db
from petition.models import Signature
from tests.factories import make_campaign
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


def send_update(app, tmp_path, lang: str) -> str:
    """Queue an update in `lang` as staff do from the command line; what it says."""
    body = tmp_path / "body.txt"
    body.write_text("Новини кампанії.\n\nДякуємо!", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=[
            "updates",
            "send",
            "free-them",
            "--lang",
            lang,
            "--subject",
            "Новини",
            "--body-file",
            str(body),
        ]
    )
    assert result.exit_code == 0, result.output
    return result.output.strip()


def unsubscribe_url(update) -> str:
    return re.fullmatch(r"<(https?://[^>]+)>", update["List-Unsubscribe"]).group(1)


def one_click(app, url: str):
    """What a mail client does for RFC 8058: a bare POST, no cookie, no CSRF token."""
    return app.test_client().post(path_of(url), data={"List-Unsubscribe": "One-Click"})


def test_update_goes_only_to_consenting_signers_with_one_click_unsubscribe(
    app, client, mailbox, tmp_path
):
    make_campaign()
    signed_and_confirmed(client, mailbox, "wants@example.org", lang="uk", wants_updates="y")
    signed_and_confirmed(client, mailbox, "quiet@example.org", lang="uk")
    signed_and_confirmed(client, mailbox, "english@example.org", wants_updates="y")
    sign(client, email="pending@example.org", lang="uk", wants_updates="y")
    send_mail()
    mailbox.clear()

    assert send_update(app, tmp_path, "uk") == "1 update(s) queued."
    send_mail()
    assert [str(m["To"]) for m in mailbox.messages] == ["wants@example.org"]
    [update] = mailbox.messages
    assert update["Subject"] == "Новини"
    assert "Новини кампанії." in mailbox.text_of(update)
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    response = one_click(app, unsubscribe_url(update))
    assert response.status_code == 200
    db.session.expire_all()
    wants = db.session.scalar(select(Signature).where(Signature.email == "wants@example.org"))
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
    db.session.expire_all()
    signature = db.session.scalar(select(Signature).where(Signature.email == "wants@example.org"))
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
