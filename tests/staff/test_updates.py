"""Staff send a campaign update: write, preview with the count, confirm once with a
custodian's key file, which opens the signers' addresses and is kept nowhere."""

from __future__ import annotations

import re
import threading
from html import unescape
from io import BytesIO
from pathlib import Path

import pytest
from flask import request
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    CampaignUpdate,
    Display,
    OutboxMessage,
    Role,
    Signature,
    SignatureStatus,
)
from petition.personal import Details, email_hash, person_columns
from petition.sealing import new_identity, recipient_of, write_identity
from petition.signing import updates
from petition.staff.updates.forms import KEY_FILE_MAX_BYTES
from tests.factories import CUSTODIAN, make_campaign, make_signature, make_staff
from tests.pages import hidden_inputs, path_of, post_from_page, send_mail, sign_in_staff
from tests.staff.test_permissions import signed_in_client
from tests.test_no_leaks import every_log, everything_logged  # noqa: F401 - a fixture

UPDATE = {"lang": "uk", "subject": "Новини кампанії", "body": "Пакет передано.\n\nДякуємо!"}


@pytest.fixture
def admin(client):
    user = make_staff(Role.ADMIN)
    sign_in_staff(client, user)
    return user


def compose_url(campaign: Campaign) -> str:
    return f"/staff/campaigns/{campaign.id}/updates"


def preview(client, campaign: Campaign, **fields: str):
    url = f"{compose_url(campaign)}/preview"
    return post_from_page(client, compose_url(campaign), url, **(UPDATE | fields))


def confirmation(client, campaign: Campaign, **fields: str) -> dict[str, str]:
    """The confirmation form of the preview page, as its "Send" button would post it."""
    page = preview(client, campaign, **fields)
    assert page.status_code == 200, page.get_data(as_text=True)
    return hidden_inputs(page.get_data(as_text=True))


def key_file(identity=CUSTODIAN) -> bytes:
    """An identity file as `age-keygen` (or `keys new`) writes it."""
    return f"# public key: {recipient_of(identity)}\n{identity}\n".encode()


def send(client, campaign: Campaign, form: dict[str, str], key: bytes | None = None):
    """Post the confirmation form with the key file chosen in it (the custodian's own, unless
    `key` says otherwise)."""
    upload = (BytesIO(key_file() if key is None else key), "custodian.key")
    return client.post(f"{compose_url(campaign)}/send", data={**form, "identity_file": upload})


def signature_of(email: str) -> Signature:
    db.session.expire_all()
    return db.session.scalar(select(Signature).where(Signature.email_hash == email_hash(email)))


def queued_updates() -> int:
    query = select(func.count()).where(OutboxMessage.kind == "campaign_update")
    return db.session.scalar(query)


def sent_records() -> list[CampaignUpdate]:
    return list(db.session.scalars(select(CampaignUpdate).order_by(CampaignUpdate.id)))


def signers_of_every_kind(campaign: Campaign) -> None:
    """Two who should get a Ukrainian update, and one of each kind who should not."""
    make_signature(campaign, email="wants.one@example.org", lang="uk", wants_updates=True)
    make_signature(campaign, email="wants.two@example.org", lang="uk", wants_updates=True)
    make_signature(campaign, email="quiet@example.org", lang="uk", wants_updates=False)
    make_signature(campaign, email="english@example.org", lang="en", wants_updates=True)
    pending = SignatureStatus.PENDING
    make_signature(
        campaign, email="pending@example.org", lang="uk", wants_updates=True, status=pending
    )


def test_admin_previews_then_sends_to_exactly_the_consenting_signers(app, client, admin, mailbox):
    campaign = make_campaign()
    signers_of_every_kind(campaign)
    assert "Send an update to signers" in client.get(f"/staff/campaigns/{campaign.id}").text

    page = preview(client, campaign)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "This update will go to 2 signers who asked for updates in Ukrainian." in html
    assert "Send to 2 signers" in html
    assert "Пакет передано." in html
    assert "Новини кампанії" in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label for="identity_file">Custodian key file</label>' in html
    assert "for this one send and is never stored" in html
    assert 'aria-describedby="identity_file-hint"' in html
    assert queued_updates() == 0  # nothing before the confirmation

    response = send(client, campaign, hidden_inputs(html))
    assert response.status_code == 302
    assert path_of("http://x" + response.headers["Location"]) == compose_url(campaign)
    page = client.get(compose_url(campaign)).get_data(as_text=True)
    assert "The update is queued for 2 signers." in page
    assert "Новини кампанії" in page  # in the list of updates sent

    send_mail()
    received = sorted(str(m["To"]) for m in mailbox.messages)
    assert received == ["wants.one@example.org", "wants.two@example.org"]
    update = mailbox.to("wants.one@example.org")[0]
    assert update["Subject"] == "Новини кампанії"
    assert "Пакет передано.\n\nДякуємо!" in mailbox.text_of(update).replace("\r\n", "\n")

    unsubscribe = re.fullmatch(r"<(https?://[^>]+)>", update["List-Unsubscribe"]).group(1)
    bare = app.test_client().post(path_of(unsubscribe), data={"List-Unsubscribe": "One-Click"})
    assert bare.status_code == 200
    assert signature_of("wants.one@example.org").wants_updates is False

    [record] = sent_records()
    assert (record.lang, record.recipients, record.created_by_id) == ("uk", 2, admin.id)
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.update_queued")
    )
    assert event.actor_id == admin.id
    assert event.detail == f"lang=uk; recipients=2; update={record.id}"
    assert "@" not in event.detail


def test_reloading_or_double_clicking_the_confirmation_queues_once(client, admin):
    campaign = make_campaign()
    signers_of_every_kind(campaign)
    form = confirmation(client, campaign)
    assert send(client, campaign, form).status_code == 302
    again = send(client, campaign, form)
    assert again.status_code == 302
    page = client.get(compose_url(campaign)).get_data(as_text=True)
    assert "This update was already sent. It was not sent again." in page
    assert queued_updates() == 2
    assert len(sent_records()) == 1


CONFIRMERS = 12


def test_staff_pressing_send_at_once_queue_one_set_of_mails(app, admin):
    """The same confirmation sent at the same moment from many sessions of two admins."""
    campaign = make_campaign()
    signers_of_every_kind(campaign)
    other = make_staff(Role.ADMIN, "second.admin@staff.example.org")
    clients = [signed_in_client(app, admin if i % 2 else other) for i in range(CONFIRMERS)]
    form = confirmation(clients[0], campaign)
    forms = [
        form | {"csrf_token": hidden_inputs(c.get(compose_url(campaign)).text)["csrf_token"]}
        for c in clients
    ]
    url = f"{compose_url(campaign)}/send"  # the threads have no app context to load ids in
    db.session.close()  # on SQLite, even a read here holds the write lock (BEGIN IMMEDIATE)
    start = threading.Barrier(CONFIRMERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def confirm(index: int) -> None:
        start.wait()
        upload = (BytesIO(key_file()), "custodian.key")
        response = clients[index].post(url, data={**forms[index], "identity_file": upload})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=confirm, args=(i,)) for i in range(CONFIRMERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [302] * CONFIRMERS
    db.session.expire_all()
    assert queued_updates() == 2
    assert len(sent_records()) == 1


def test_back_to_edit_shows_the_update_in_the_form_again(client, admin):
    campaign = make_campaign()
    form = confirmation(client, campaign)
    page = client.post(compose_url(campaign), data=form)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="Новини кампанії"' in html
    assert "Пакет передано." in html
    assert queued_updates() == 0


LONG = "x" * 151


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"subject": LONG}, "Please use at most 150 characters."),
        ({"subject": "News\r\nBcc: everyone@example.org"}, "characters we cannot accept"),
        ({"subject": ""}, "Please enter a subject."),
        ({"body": "  "}, "Please write the message."),
        ({"body": "y" * 10_001}, "Please use at most 10000 characters."),
        ({"body": "Hello\x00"}, "characters we cannot accept"),
        ({"lang": "de"}, "Not a valid choice"),
        ({"lang": ""}, "Please choose a language."),
    ],
)
def test_bad_update_is_refused_clearly_at_preview(client, admin, fields, error):
    campaign = make_campaign()
    response = preview(client, campaign, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'role="alert"' in html
    assert error in html
    assert queued_updates() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"key": "forged.key"},
        {"key": ""},
        {"subject": "Something else"},
        {"body": "Another text"},
        {"lang": "ru"},
        {"subject": "x" * 151},
    ],
)
def test_confirmation_changed_after_the_preview_is_refused(client, admin, change):
    campaign = make_campaign()
    make_signature(campaign, lang="uk", wants_updates=True)
    response = send(client, campaign, confirmation(client, campaign) | change)
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert queued_updates() == 0
    assert sent_records() == []


def test_a_changed_confirmation_with_a_bad_key_file_starts_over(client, admin):
    campaign = make_campaign()
    form = confirmation(client, campaign) | {"subject": "Something else"}
    response = send(client, campaign, form, key=b"not a key")
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "This is not the update that was previewed." in html
    assert "This file holds no custodian key" not in html
    assert 'name="subject"' in html  # the form to write it again


def test_tampered_key_says_to_preview_again(client, admin):
    campaign = make_campaign()
    form = confirmation(client, campaign)
    nonce, _, seal = form["key"].partition(".")
    response = send(client, campaign, form | {"key": f"{nonce[::-1]}.{seal}"})
    assert response.status_code == 422
    assert "Please preview it again before sending." in response.get_data(as_text=True)


def test_a_closed_campaign_can_still_send_news(client, admin, mailbox):
    campaign = make_campaign(status=CampaignStatus.CLOSED)
    make_signature(campaign, email="closed@example.org", lang="uk", wants_updates=True)
    assert send(client, campaign, confirmation(client, campaign)).status_code == 302
    send_mail()
    assert [str(m["To"]) for m in mailbox.messages] == ["closed@example.org"]


def test_a_draft_has_nobody_to_send_to(app, client, admin, tmp_path):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    page = client.get(compose_url(campaign)).get_data(as_text=True)
    assert "nobody has signed it yet" in page
    assert 'name="subject"' not in page
    assert preview(client, campaign).status_code == 409
    body, identity = tmp_path / "body.txt", tmp_path / "custodian.key"
    body.write_text("Body", encoding="utf-8")
    write_identity(CUSTODIAN, identity)
    args = ["updates", "send", "free-them", "--lang", "uk", "--subject", "News"]
    args += ["--body-file", str(body), "--identity", str(identity)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert "'free-them' is a draft: nobody has signed it" in result.output
    assert queued_updates() == 0


def test_command_line_updates_share_the_record_and_the_history(app, client, admin, tmp_path):
    campaign = make_campaign()
    make_signature(campaign, lang="en", wants_updates=True)
    body, identity = tmp_path / "body.txt", tmp_path / "custodian.key"
    body.write_text("News.", encoding="utf-8")
    write_identity(CUSTODIAN, identity)
    args = ["updates", "send", "free-them", "--lang", "en", "--subject", "News"]
    args += ["--body-file", str(body), "--identity", str(identity)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "1 update(s) queued." in result.output
    [record] = sent_records()
    assert (record.recipients, record.created_by_id) == (1, None)
    assert "command line" in client.get(compose_url(campaign)).get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.EXPORTER])
def test_only_admins_send_updates(client, role):
    campaign = make_campaign()
    sign_in_staff(client, make_staff(role))
    assert client.get(compose_url(campaign)).status_code == 403
    assert "Send an update" not in client.get(f"/staff/campaigns/{campaign.id}").text


def update_events() -> int:
    query = select(func.count()).where(AuditEvent.action == "campaign.update_queued")
    return db.session.scalar(query)


WRONG_KEY = "This key cannot open the addresses of this campaign's signers."


def assert_refused_on_the_key_field(response, error: str) -> None:
    """The confirmation page again, the error announced on the key file field."""
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert "Check the update before sending it" in html
    assert "Send to 2 signers" in html
    assert 'role="alert"' in html
    assert '<a href="#identity_file">' in html
    assert error in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="identity_file-hint identity_file-error"' in html
    assert queued_updates() == 0
    assert sent_records() == []
    assert update_events() == 0


def test_a_key_that_cannot_open_the_addresses_sends_nothing_and_the_right_one_then_does(
    client, admin, mailbox
):
    campaign = make_campaign()
    signers_of_every_kind(campaign)
    form = confirmation(client, campaign)
    refused = send(client, campaign, form, key=key_file(new_identity()))
    assert_refused_on_the_key_field(refused, WRONG_KEY)
    assert "Nothing was sent" in refused.get_data(as_text=True)
    # The page to try again carries the same confirmation: sending it still mails once.
    assert hidden_inputs(refused.get_data(as_text=True))["key"] == form["key"]

    assert send(client, campaign, form).status_code == 302
    assert send(client, campaign, form).status_code == 302  # and once only
    assert queued_updates() == 2
    assert len(sent_records()) == 1
    assert update_events() == 1
    send_mail()
    received = sorted(str(m["To"]) for m in mailbox.messages)
    assert received == ["wants.one@example.org", "wants.two@example.org"]


def test_a_key_that_opens_only_some_signers_sends_to_none(client, admin, monkeypatch):
    """Signatures sealed before this custodian's key was added cannot be opened with it: a
    partial send, then another with the older key, would mail those opened twice."""
    monkeypatch.setattr(updates, "QUEUE_BATCH", 1)  # two batches are queued before the third
    campaign = make_campaign()
    signers_of_every_kind(campaign)
    older = new_identity()
    sealed_to_older = person_columns(
        Details(name="Earlier Signer", email="earlier@example.org"),
        Display.FULL,
        [recipient_of(older)],
    )
    make_signature(campaign, lang="uk", wants_updates=True, **sealed_to_older)
    response = send(client, campaign, confirmation(client, campaign))
    assert response.status_code == 422
    assert WRONG_KEY in unescape(response.get_data(as_text=True))
    assert queued_updates() == 0
    assert sent_records() == []


OVERSIZED = b"# " + b"x" * KEY_FILE_MAX_BYTES + b"\n" + key_file()
NO_KEY = "This file holds no custodian key (a line starting AGE-SECRET-KEY-1)."


@pytest.mark.parametrize(
    ("upload", "error"),
    [
        (None, "Please choose the custodian key file."),
        (b"", NO_KEY),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", NO_KEY),
        (f"{recipient_of(CUSTODIAN)}\n".encode(), NO_KEY),  # the public key, not the private
        (b"AGE-SECRET-KEY-1NOTAVALIDKEY\n", NO_KEY),
        (OVERSIZED, "This file is too large to be a custodian key file."),
        (b"x" * 600_000, "This file is too large to be a custodian key file."),
    ],
    ids=["missing", "empty", "binary", "public-key", "damaged", "over-4-KB", "600-KB"],
)
def test_a_file_that_is_no_key_is_refused_on_its_field(client, admin, upload, error):
    campaign = make_campaign()
    signers_of_every_kind(campaign)
    form = confirmation(client, campaign)
    if upload is None:
        response = client.post(f"{compose_url(campaign)}/send", data=form)
    else:
        response = send(client, campaign, form, key=upload)
    assert_refused_on_the_key_field(response, error)


def everything_stored() -> str:
    """Every row of every table as text, and on SQLite the database files' bytes."""
    db.session.expire_all()
    parts = []
    for table in db.metadata.sorted_tables:
        parts += [repr(row) for row in db.session.execute(select(table))]
    database = db.engine.url.database
    if db.engine.dialect.name == "sqlite" and database:
        for suffix in ("", "-wal", "-journal"):
            path = Path(database + suffix)
            if path.exists():
                parts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(parts)


@pytest.mark.usefixtures("every_log")
def test_the_key_file_is_kept_nowhere(client, admin, mailbox, caplog):
    """Not in the database (records, outbox, audit trail), the logs, any page or the mail."""
    campaign = make_campaign()
    signers_of_every_kind(campaign)
    wrong = new_identity()
    form = confirmation(client, campaign)
    responses = [send(client, campaign, form, key=key_file(wrong))]
    responses.append(send(client, campaign, form))
    responses.append(client.get(compose_url(campaign)))
    send_mail()
    assert queued_updates() == 2

    secrets = [str(key).removeprefix("AGE-SECRET-KEY-1").casefold() for key in (CUSTODIAN, wrong)]
    pages = "\n".join(r.get_data(as_text=True) + str(r.headers) for r in responses)
    mails = "\n".join(m.as_string() for m in mailbox.messages)
    for where, text in (
        ("the database", everything_stored()),
        ("the logs", everything_logged(caplog)),
        ("the pages", pages),
        ("the mail", mails),
    ):
        assert not any(secret in text.casefold() for secret in secrets), where


def test_an_upload_is_read_in_memory_never_into_a_temporary_file(app):
    """Werkzeug would spool an upload over 500 KB to a temporary file on disk."""
    large = b"# " + b"x" * 600_000 + b"\n" + key_file()
    data = {"identity_file": (BytesIO(large), "custodian.key")}
    with app.test_request_context("/", method="POST", data=data):
        assert isinstance(request.files["identity_file"].stream, BytesIO)


def test_back_to_edit_does_not_carry_the_key_file(client, admin):
    campaign = make_campaign()
    html = preview(client, campaign).get_data(as_text=True)
    back = html[html.rindex("<form") :]
    assert f'action="{compose_url(campaign)}"' in back
    assert "multipart" not in back
    assert 'type="file"' not in back


def test_recipients_are_opened_and_queued_batch_by_batch(client, admin, monkeypatch):
    monkeypatch.setattr(updates, "QUEUE_BATCH", 1)
    campaign = make_campaign()
    signers_of_every_kind(campaign)
    assert send(client, campaign, confirmation(client, campaign)).status_code == 302
    query = select(OutboxMessage.recipient).where(OutboxMessage.kind == "campaign_update")
    assert sorted(db.session.scalars(query)) == ["wants.one@example.org", "wants.two@example.org"]
    [record] = sent_records()
    assert record.recipients == 2
