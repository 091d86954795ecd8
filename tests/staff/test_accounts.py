"""Staff accounts: admins create, change, disable and reset them; nobody locks the console."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import AuditEvent, LinkToken, OutboxMessage, Role, StaffUser
from petition.models.types import utcnow
from petition.tokens import hash_token
from tests.factories import STAFF_PASSWORD, make_staff
from tests.mailbox import Mailbox
from tests.pages import post_from_page, send_mail, sign_in_staff, submit_form

NEW_PASSWORD = "a brand new passphrase for staff"


def account_url(user: StaffUser) -> str:
    return f"/staff/accounts/{user.id}"


def press(client, user: StaffUser, action: str, **fields: str):
    """Press a button on the account's page."""
    url = account_url(user)
    return post_from_page(client, url, url, action=action, **fields)


def fresh(user: StaffUser) -> StaffUser:
    """The account as the database has it now (requests run in their own sessions)."""
    db.session.expire_all()
    return db.session.get(StaffUser, user.id)


def audit_of(user: StaffUser) -> list[AuditEvent]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.object_type == "staff", AuditEvent.object_id == str(user.id))
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(query))


def password_link(mailbox: Mailbox, address: str) -> str:
    mails = mailbox.to(address)
    assert len(mails) == 1, [m["Subject"] for m in mails]
    text = Mailbox.text_of(mails[0])
    found = re.search(r"http://localhost(/staff/password/[\w-]+)", text)
    assert found, text
    assert found.group(0) in Mailbox.html_of(mails[0])
    return found.group(1)


@pytest.fixture
def admin(client) -> StaffUser:
    user = make_staff(Role.ADMIN)
    assert sign_in_staff(client, user).status_code == 302
    return user


def test_admin_creates_an_account_whose_person_sets_a_password_and_enrols(
    app, client, admin, mailbox
):
    assert client.get("/staff/accounts/new").status_code == 200
    created = submit_form(
        client, "/staff/accounts/new", email=" New.Person@Staff.Example.org ", role="moderator"
    )
    assert created.status_code == 302
    user = db.session.scalar(
        select(StaffUser).where(StaffUser.email == "new.person@staff.example.org")
    )
    assert user is not None
    assert created.headers["Location"] == account_url(user)
    assert user.role is Role.MODERATOR
    assert user.password_hash is None
    assert user.totp_enrolled_at is None
    queued = db.session.scalars(select(OutboxMessage)).one()
    assert queued.kind == "staff_password_link"
    assert queued.payload == {"staff_user_id": user.id, "reason": "new_account"}

    listing = client.get("/staff/accounts").get_data(as_text=True)
    assert "new.person@staff.example.org" in listing

    assert send_mail() == 1
    assert mailbox.to("new.person@staff.example.org")[0]["Subject"] == (
        "Your staff account: choose a password"
    )
    link = password_link(mailbox, "new.person@staff.example.org")

    newcomer = app.test_client()
    done = submit_form(newcomer, link, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.status_code == 302
    assert newcomer.get(link).status_code == 404  # once only
    first = submit_form(
        newcomer, "/staff/sign-in", email="new.person@staff.example.org", password=NEW_PASSWORD
    )
    assert first.headers["Location"].startswith("/staff/sign-in/enrol")
    assert newcomer.get("/staff/").status_code == 302  # not in before enrolling

    secret = fresh(user).totp_secret
    enrolled = submit_form(
        newcomer, first.headers["Location"], code=pyotp.TOTP(secret).at(utcnow())
    )
    assert enrolled.status_code == 200
    assert newcomer.get("/staff/").status_code == 200

    events = audit_of(user)
    assert [(e.action, e.actor_id) for e in events] == [
        ("staff.account_created", admin.id),
        ("staff.password_link_sent", admin.id),
    ]
    assert events[0].detail == "role=moderator"


def test_an_address_can_have_one_account_only(client, admin):
    make_staff(Role.EXPORTER, "taken@staff.example.org")
    again = submit_form(
        client, "/staff/accounts/new", email="Taken@staff.example.org", role="admin"
    )
    assert again.status_code == 422
    assert "There is already a staff account with this email address." in again.get_data(
        as_text=True
    )
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_new_account_form_checks_its_input(client, admin):
    response = submit_form(client, "/staff/accounts/new", email="not an address", role="root")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please enter a valid email address" in page
    assert 'class="error-summary"' in page
    assert db.session.scalar(select(StaffUser).where(StaffUser.email == "not an address")) is None


def test_role_change_is_audited_and_takes_effect_at_once(app, client, admin):
    colleague = make_staff(Role.MODERATOR)
    theirs = app.test_client()
    sign_in_staff(theirs, colleague)
    assert theirs.get("/staff/accounts").status_code == 403

    changed = press(client, colleague, "role", role="admin")
    assert changed.status_code == 302
    assert fresh(colleague).role is Role.ADMIN
    assert theirs.get("/staff/accounts").status_code == 200

    unchanged = press(client, colleague, "role", role="admin")
    assert unchanged.status_code == 302
    events = [e for e in audit_of(colleague) if e.action == "staff.role_changed"]
    assert [(e.actor_id, e.detail) for e in events] == [(admin.id, "moderator → admin")]


def test_disabling_ends_every_session_and_blocks_sign_in(app, client, admin, clock, mailbox):
    colleague = make_staff(Role.MODERATOR)
    laptop = app.test_client()
    sign_in_staff(laptop, colleague)
    assert laptop.get("/staff/").status_code == 200

    disabled = press(client, colleague, "disable")
    assert disabled.status_code == 302
    assert "signed out everywhere" in client.get(disabled.headers["Location"]).get_data(
        as_text=True
    )
    assert fresh(colleague).disabled_at is not None
    assert laptop.get("/staff/").headers["Location"].startswith("/staff/sign-in")
    again = submit_form(laptop, "/staff/sign-in", email=colleague.email, password=STAFF_PASSWORD)
    assert again.status_code == 401

    # No password link for a disabled account, neither from an admin nor by asking.
    refused = press(client, colleague, "send_password_link")
    assert refused.status_code == 409
    assert "Enable it before sending a password link." in refused.get_data(as_text=True)
    submit_form(app.test_client(), "/staff/forgot-password", email=colleague.email)
    send_mail()
    assert mailbox.to(colleague.email) == []

    assert press(client, colleague, "enable").status_code == 302
    assert fresh(colleague).disabled_at is None
    assert laptop.get("/staff/").status_code == 302  # old sessions stay ended
    clock.advance(seconds=30)  # a new TOTP step for the second sign-in
    assert sign_in_staff(laptop, colleague).status_code == 302
    assert laptop.get("/staff/").status_code == 200

    actions = [(e.action, e.actor_id) for e in audit_of(colleague)]
    assert ("staff.account_disabled", admin.id) in actions
    assert ("staff.account_enabled", admin.id) in actions
    assert ("staff.password_link_sent", admin.id) not in actions


def test_an_admin_cannot_lock_themselves_out(client, admin):
    page = client.get(account_url(admin)).get_data(as_text=True)
    assert 'value="disable"' not in page  # no button to press, and pressing it anyway fails:

    disabled = press(client, admin, "disable")
    assert disabled.status_code == 409
    assert "You cannot disable your own account." in disabled.get_data(as_text=True)
    demoted = press(client, admin, "role", role="moderator")
    assert demoted.status_code == 409
    assert "You cannot remove your own admin role." in demoted.get_data(as_text=True)

    me = fresh(admin)
    assert me.disabled_at is None
    assert me.role is Role.ADMIN
    assert client.get("/staff/accounts").status_code == 200
    assert audit_of(admin) == []


def test_another_admin_can_disable_an_admin(app, client, admin):
    other = make_staff(Role.ADMIN, "second.admin@staff.example.org")
    assert press(client, other, "role", role="exporter").status_code == 302
    assert press(client, other, "disable").status_code == 302
    assert fresh(other).role is Role.EXPORTER
    assert fresh(other).disabled_at is not None


def test_second_factor_reset_forces_enrolment_of_a_new_authenticator(app, client, admin, mailbox):
    colleague = make_staff(Role.EXPORTER)
    phone = app.test_client()
    sign_in_staff(phone, colleague)
    old_secret = colleague.totp_secret

    assert press(client, colleague, "reset_second_factor").status_code == 302
    user = fresh(colleague)
    assert user.totp_enrolled_at is None
    assert user.totp_secret != old_secret
    assert user.recovery_codes == []
    assert phone.get("/staff/").status_code == 302  # signed out everywhere

    # The old password no longer works: a leaked password cannot enrol a new phone.
    old = submit_form(phone, "/staff/sign-in", email=colleague.email, password=STAFF_PASSWORD)
    assert old.status_code == 401
    send_mail()
    assert "reset the second factor" in Mailbox.text_of(mailbox.to(colleague.email)[0])
    link = password_link(mailbox, colleague.email)
    submit_form(phone, link, password=NEW_PASSWORD, confirm=NEW_PASSWORD)

    first = submit_form(phone, "/staff/sign-in", email=colleague.email, password=NEW_PASSWORD)
    assert first.headers["Location"].startswith("/staff/sign-in/enrol")
    assert phone.get("/staff/sign-in/code").status_code == 302  # no code step: enrol first
    assert phone.get("/staff/").status_code == 302
    old_code = pyotp.TOTP(old_secret).at(utcnow())
    assert submit_form(phone, "/staff/sign-in/enrol", code=old_code).status_code == 401
    new_code = pyotp.TOTP(user.totp_secret).at(utcnow())
    assert submit_form(phone, "/staff/sign-in/enrol", code=new_code).status_code == 200
    assert phone.get("/staff/").status_code == 200

    events = [(e.action, e.actor_id) for e in audit_of(colleague)]
    assert ("staff.second_factor_reset", admin.id) in events


def test_a_new_password_link_replaces_the_old_one(app, client, admin, mailbox):
    colleague = make_staff(Role.MODERATOR)
    assert press(client, colleague, "send_password_link").status_code == 302
    send_mail()
    first = password_link(mailbox, colleague.email)
    mailbox.clear()
    press(client, colleague, "send_password_link")
    send_mail()
    second = password_link(mailbox, colleague.email)
    assert "An admin sent you a link" in Mailbox.text_of(mailbox.to(colleague.email)[0])

    browser = app.test_client()
    assert browser.get(first).status_code == 404
    done = submit_form(browser, second, password=NEW_PASSWORD, confirm=NEW_PASSWORD)
    assert done.status_code == 302
    events = [e for e in audit_of(colleague) if e.action == "staff.password_link_sent"]
    assert [(e.actor_id, e.detail) for e in events] == [(admin.id, "by an admin")] * 2
    # Only hashes of the tokens are kept.
    hashes = db.session.scalars(select(LinkToken.token_hash)).all()
    assert hash_token(second.rsplit("/", 1)[1]) in hashes
    assert not any(link.rsplit("/", 1)[1] in h for h in hashes for link in (first, second))


def test_account_page_refuses_nonsense(client, admin):
    colleague = make_staff(Role.MODERATOR)
    assert press(client, colleague, "delete").status_code == 422
    assert press(client, colleague, "role", role="superuser").status_code == 422
    assert client.get("/staff/accounts/999999").status_code == 404
    assert fresh(colleague).role is Role.MODERATOR


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.EXPORTER])
def test_only_admins_manage_staff(client, role):
    other = make_staff(Role.ADMIN)
    user = make_staff(role)
    sign_in_staff(client, user)
    for url in ("/staff/accounts", "/staff/accounts/new", account_url(other), "/staff/audit"):
        assert client.get(url).status_code == 403, url
    for url in ("/staff/accounts/new", account_url(other)):
        response = post_from_page(
            client, "/staff/", url, action="disable", email="x@staff.example.org", role="admin"
        )
        assert response.status_code == 403, url
    assert fresh(other).disabled_at is None
    assert "Staff accounts" not in client.get("/staff/").get_data(as_text=True)


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in ("/staff/accounts", "/staff/accounts/new", "/staff/accounts/1", "/staff/audit"):
        assert client.get(url).headers["Location"].startswith("/staff/sign-in"), url
