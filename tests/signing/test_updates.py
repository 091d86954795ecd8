"""Updates reach only signers who asked, and one click in the mail client stops them."""

from __future__ import annotations

import re

from sqlalchemy import select

from petition.extensions import db
from petition.models import Signature
from tests.factories import make_campaign
from tests.pages import confirm_link, link_in, send_mail, sign


def signed_and_confirmed(client, mailbox, email: str, **fields) -> None:
    sign(client, email=email, **fields)
    send_mail()
    confirm_link(client, link_in(mailbox.text_of(mailbox.to(email)[-1])))


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

    body = tmp_path / "body.txt"
    body.write_text("Новини кампанії.\n\nДякуємо!", encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=[
            "updates",
            "send",
            "free-them",
            "--lang",
            "uk",
            "--subject",
            "Новини",
            "--body-file",
            str(body),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "1 update(s) queued." in result.output
    send_mail()
    assert [str(m["To"]) for m in mailbox.messages] == ["wants@example.org"]
    [update] = mailbox.messages
    assert update["Subject"] == "Новини"
    assert "Новини кампанії." in mailbox.text_of(update)
    assert update["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https?://[^>]+)>", update["List-Unsubscribe"]).group(1)

    # What a mail client does for RFC 8058: a bare POST, no cookie, no CSRF token.
    response = app.test_client().post(
        "/" + url.split("/", 3)[3], data={"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    wants = db.session.scalar(select(Signature).where(Signature.email == "wants@example.org"))
    assert wants.wants_updates is False
    assert wants.status.value == "confirmed"  # the signature itself stays


def test_unknown_unsubscribe_link_is_a_clear_404(client):
    assert client.post("/en/signature/not-a-token/unsubscribe").status_code == 404
