"""A forgotten staff password: a mail link for real accounts, the same answer for everyone."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import AuditEvent, OutboxMessage, Role
from petition.tokens import hash_token
from tests.factories import STAFF_PASSWORD, make_staff
from tests.mailbox import Mailbox
from tests.pages import hidden_inputs, send_mail, sign_in_staff, submit_form, totp_now

NEW_PASSWORD = "my memorable new staff passphrase"


def ask_for_link(client, email: str):
    return submit_form(client, "/staff/forgot-password", email=email)


def link_in_mail(message) -> str:
    found = re.search(r"http://localhost(/staff/password/([\w-]+))", Mailbox.text_of(message))
    assert found, Mailbox.text_of(message)
    return found.group(1)


def dump_tables(*names: str) -> str:
    """Every row of these tables, as text."""
    rows = []
    for name in names:
        rows += db.session.execute(select(db.metadata.tables[name])).all()
    return repr(rows)


def test_sign_in_page_links_to_the_reset(client):
    page = client.get("/staff/sign-in").get_data(as_text=True)
    assert 'href="/staff/forgot-password"' in page
    form = client.get("/staff/forgot-password")
    assert form.status_code == 200
    assert '<label for="email">' in form.get_data(as_text=True)


def test_known_and_unknown_addresses_get_the_same_answer_and_only_one_gets_mail(app, mailbox):
    user = make_staff(Role.MODERATOR)
    known = ask_for_link(app.test_client(), user.email.upper())
    unknown = ask_for_link(app.test_client(), "nobody@staff.example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()
    assert known.headers.get("Set-Cookie") is None
    assert unknown.headers.get("Set-Cookie") is None
    assert "Check your email" in known.get_data(as_text=True)

    assert send_mail() == 1
    assert len(mailbox.to(user.email)) == 1
    assert mailbox.to("nobody@staff.example.org") == []
    assert len(mailbox.messages) == 1
    assert mailbox.to(user.email)[0]["Subject"] == "Choose a new password for your staff account"

    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    requests = [e for e in events if e.action == "staff.password_reset_requested"]
    assert [(e.object_id, e.actor_id, e.detail) for e in requests] == [
        (str(user.id), None, "link mailed"),
        (None, None, "unknown address"),
    ]
    assert "nobody@staff.example.org" not in dump_tables("audit_event", "outbox_message")


def test_a_form_error_looks_the_same_too(client):
    response = ask_for_link(client, "not an address")
    assert response.status_code == 422
    assert "Please enter a valid email address" in response.get_data(as_text=True)


def test_new_password_then_the_second_factor_still_applies(app, mailbox, clock):
    user = make_staff(Role.ADMIN)
    elsewhere = app.test_client()
    sign_in_staff(elsewhere, user)
    assert elsewhere.get("/staff/").status_code == 200

    ask_for_link(app.test_client(), user.email)
    send_mail()
    link = link_in_mail(mailbox.to(user.email)[0])
    browser = app.test_client()
    done = submit_form(browser, link, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.status_code == 302
    assert done.headers["Location"] == "/staff/sign-in"
    assert elsewhere.get("/staff/").status_code == 302  # a new password ends every session

    old = submit_form(browser, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
    assert old.status_code == 401
    first = submit_form(browser, "/staff/sign-in", email=user.email, password=NEW_PASSWORD)
    assert first.status_code == 302
    assert first.headers["Location"].startswith("/staff/sign-in/code")
    assert browser.get("/staff/").headers["Location"].startswith("/staff/sign-in")
    wrong = submit_form(browser, first.headers["Location"], code="000000")
    assert wrong.status_code == 401
    clock.advance(seconds=30)  # the first sign-in used this step's code
    second = submit_form(browser, first.headers["Location"], code=totp_now(user))
    assert second.status_code == 302
    assert browser.get("/staff/").status_code == 200

    actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert "staff.password_reset_requested" in actions
    assert actions.index("staff.password_reset_requested") < actions.index("staff.password_set")


def test_the_raw_token_is_never_stored(app, mailbox):
    user = make_staff(Role.EXPORTER)
    ask_for_link(app.test_client(), user.email)
    queued = db.session.scalars(select(OutboxMessage)).one()
    assert queued.payload == {"staff_user_id": user.id, "reason": "reset"}
    before = dump_tables("outbox_message")

    send_mail()
    path = link_in_mail(mailbox.to(user.email)[0])
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 bits
    assert token not in before
    assert token not in dump_tables("outbox_message", "link_token", "audit_event")
    assert hash_token(token) in dump_tables("link_token")
    sent = db.session.scalars(select(OutboxMessage)).one()
    assert sent.payload == {}
    assert sent.recipient is None


def test_each_new_link_replaces_the_last_and_works_once(app, mailbox):
    user = make_staff(Role.MODERATOR)
    ask_for_link(app.test_client(), user.email)
    send_mail()
    ask_for_link(app.test_client(), user.email)
    send_mail()
    first, second = (link_in_mail(m) for m in mailbox.to(user.email))
    browser = app.test_client()
    assert browser.get(first).status_code == 404
    done = submit_form(browser, second, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.status_code == 302
    assert browser.get(second).status_code == 404


def test_a_disabled_account_gets_no_link(app, mailbox):
    user = make_staff(Role.MODERATOR)
    user.disabled_at = user.created_at
    db.session.commit()
    response = ask_for_link(app.test_client(), user.email)
    assert response.status_code == 200
    send_mail()
    assert mailbox.messages == []
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "staff.password_reset_requested")
    ).one()
    assert event.object_id == str(user.id)
    assert event.detail == "account disabled: no mail"


def test_a_link_queued_before_the_account_was_disabled_is_not_sent(app, mailbox):
    user = make_staff(Role.MODERATOR)
    ask_for_link(app.test_client(), user.email)
    user.disabled_at = user.created_at
    db.session.commit()
    send_mail()
    assert mailbox.messages == []


@pytest.mark.parametrize("app_config", [{"RATELIMIT_STAFF_PASSWORD_RESET": "2 per hour"}])
def test_requests_are_rate_limited_per_client(app, mailbox):
    user = make_staff(Role.MODERATOR)
    asker = app.test_client()
    statuses = [ask_for_link(asker, user.email).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert asker.get("/staff/forgot-password").status_code == 200  # only sending counts
    someone_else = app.test_client()
    page = someone_else.get("/staff/forgot-password", environ_base={"REMOTE_ADDR": "198.51.100.7"})
    sent = someone_else.post(
        "/staff/forgot-password",
        data={**hidden_inputs(page.get_data(as_text=True)), "email": user.email},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert sent.status_code == 200
    assert send_mail() == 3
