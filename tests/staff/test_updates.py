"""Staff send a campaign update: write, preview with the count, confirm once."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import (
    AuditEvent,
    Campaign,
    CampaignStatus,
    CampaignUpdate,
    OutboxMessage,
    Role,
    Signature,
    SignatureStatus,
)
from tests.factories import make_campaign, make_signature, make_staff
from tests.pages import hidden_inputs, path_of, post_from_page, send_mail, sign_in_staff
from tests.staff.test_permissions import signed_in_client

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


def send(client, campaign: Campaign, form: dict[str, str]):
    return client.post(f"{compose_url(campaign)}/send", data=form)


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
    db.session.expire_all()
    one = db.session.scalar(select(Signature).where(Signature.email == "wants.one@example.org"))
    assert one.wants_updates is False

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
        response = clients[index].post(url, data=forms[index])
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


def test_a_draft_has_nobody_to_send_to(app, client, admin):
    campaign = make_campaign(status=CampaignStatus.DRAFT)
    page = client.get(compose_url(campaign)).get_data(as_text=True)
    assert "nobody has signed it yet" in page
    assert 'name="subject"' not in page
    assert preview(client, campaign).status_code == 409
    result = app.test_cli_runner().invoke(
        args=["updates", "send", "free-them", "--lang", "uk", "--subject", "News"],
        input="Body",
    )
    assert result.exit_code != 0
    assert queued_updates() == 0


def test_command_line_updates_share_the_record_and_the_history(app, client, admin, tmp_path):
    campaign = make_campaign()
    make_signature(campaign, lang="en", wants_updates=True)
    body = tmp_path / "body.txt"
    body.write_text("News.", encoding="utf-8")
    args = ["updates", "send", "free-them", "--lang", "en", "--subject", "News"]
    result = app.test_cli_runner().invoke(args=[*args, "--body-file", str(body)])
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
