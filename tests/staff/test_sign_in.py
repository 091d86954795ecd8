"""Staff sign-in: password, then a second factor, always; sessions that end."""

from __future__ import annotations

import re

import pyotp
import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import AuditEvent, Role, StaffUser
from petition.models.types import utcnow
from petition.staff.auth import replace_recovery_codes
from tests.factories import STAFF_PASSWORD, make_staff
from tests.pages import hidden_inputs, post_from_page, sign_in_staff, submit_form, totp_now


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_cli_creates_an_account_that_enrols_at_first_sign_in(app, client, clock):
    result = app.test_cli_runner().invoke(
        args=["staff", "add", "New.Admin@staff.example.org", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    uri = re.search(r"otpauth://totp/\S+", result.output).group(0)
    link = re.search(r"http://localhost(/staff/password/\S+)", result.output).group(1)
    secret = pyotp.parse_uri(uri).secret

    assert submit_form(client, link, password="short", confirm="short").status_code == 422
    done = submit_form(client, link, password=STAFF_PASSWORD, confirm=STAFF_PASSWORD)
    assert done.status_code == 302
    assert client.get(link).status_code == 404  # the link worked once

    first = submit_form(
        client, "/staff/sign-in", email="new.admin@staff.example.org", password=STAFF_PASSWORD
    )
    assert first.headers["Location"].startswith("/staff/sign-in/enrol")
    enrol_page = client.get(first.headers["Location"]).get_data(as_text=True)
    assert '<svg role="img"' in enrol_page
    assert secret in enrol_page
    assert client.get("/staff/").status_code == 302  # not in yet

    done = submit_form(client, first.headers["Location"], code=pyotp.TOTP(secret).at(utcnow()))
    assert done.status_code == 200
    codes = re.findall(r"<code>([0-9A-F]{5}-[0-9A-F]{5})</code>", done.get_data(as_text=True))
    assert len(codes) == 8
    assert client.get("/staff/").status_code == 200
    assert "staff.second_factor_enrolled" in audit_actions()


def test_nobody_gets_in_with_only_a_password(client):
    user = make_staff(Role.ADMIN)
    first = submit_form(client, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
    assert first.headers["Location"].startswith("/staff/sign-in/code")
    assert client.get("/staff/").headers["Location"].startswith("/staff/sign-in")
    wrong = submit_form(client, "/staff/sign-in/code", code="000000")
    assert wrong.status_code == 401
    assert client.get("/staff/").status_code == 302
    assert audit_actions()[-1] == "staff.sign_in_failed"


def test_unknown_address_and_wrong_password_look_the_same(client):
    user = make_staff(Role.ADMIN)
    wrong = submit_form(client, "/staff/sign-in", email=user.email, password="wrong password!")
    unknown = submit_form(
        client, "/staff/sign-in", email="nobody@staff.example.org", password="wrong password!"
    )
    assert wrong.status_code == unknown.status_code == 401

    def without_tokens(html: str) -> str:
        for value in hidden_inputs(html).values():
            html = html.replace(value, "")
        return html.replace("nobody@staff.example.org", user.email)

    assert without_tokens(wrong.get_data(as_text=True)) == without_tokens(
        unknown.get_data(as_text=True)
    )


def test_a_totp_code_works_once_and_recovery_codes_once(client, clock):
    user = make_staff(Role.MODERATOR)
    assert sign_in_staff(client, user).status_code == 302
    code = totp_now(user)
    post_from_page(client, "/staff/", "/staff/sign-out")
    other = client.application.test_client()
    first = submit_form(other, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
    assert first.status_code == 302
    assert submit_form(other, "/staff/sign-in/code", code=code).status_code == 401

    codes = replace_recovery_codes(db.session.get(StaffUser, user.id))
    db.session.commit()
    assert submit_form(other, "/staff/sign-in/code", code=codes[0].lower()).status_code == 302
    third = client.application.test_client()
    submit_form(third, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
    assert submit_form(third, "/staff/sign-in/code", code=codes[0]).status_code == 401


def test_sessions_end_after_30_idle_minutes(client, clock):
    user = make_staff(Role.EXPORTER)
    sign_in_staff(client, user)
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    assert client.get("/staff/").headers["Location"].startswith("/staff/sign-in")


def test_sessions_end_after_12_hours_however_active(client, clock):
    user = make_staff(Role.EXPORTER)
    sign_in_staff(client, user)
    for _ in range(11 * 3):
        clock.advance(minutes=20)
        assert client.get("/staff/").status_code == 200
    clock.advance(minutes=61)
    assert client.get("/staff/").status_code == 302


def test_sign_out_everywhere_ends_other_sessions(app, clock):
    user = make_staff(Role.ADMIN)
    laptop, phone = app.test_client(), app.test_client()
    sign_in_staff(laptop, user)
    clock.advance(seconds=30)
    sign_in_staff(phone, user)
    assert laptop.get("/staff/").status_code == 200
    post_from_page(phone, "/staff/", "/staff/sign-out-everywhere")
    assert laptop.get("/staff/").status_code == 302
    assert phone.get("/staff/").status_code == 302
    assert "staff.sign_out_everywhere" in audit_actions()


def test_a_cookie_from_before_sign_in_is_not_signed_in_afterwards(app):
    user = make_staff(Role.ADMIN)
    victim = app.test_client()
    victim.get("/staff/sign-in")
    planted = victim.get_cookie("session").value
    sign_in_staff(victim, user)
    assert victim.get_cookie("session").value != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/staff/").status_code == 302


def test_disabled_account_cannot_sign_in_and_is_signed_out(client):
    user = make_staff(Role.ADMIN)
    sign_in_staff(client, user)
    db.session.get(StaffUser, user.id).disabled_at = utcnow()
    db.session.commit()
    assert client.get("/staff/").status_code == 302
    again = submit_form(client, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
    assert again.status_code == 401


def test_cookies_and_headers_of_staff_pages(client):
    user = make_staff(Role.ADMIN)
    response = sign_in_staff(client, user)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    page = client.get("/staff/")
    assert page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]


def test_sign_in_and_failures_are_audited(client, clock):
    user = make_staff(Role.ADMIN)
    submit_form(client, "/staff/sign-in", email=user.email, password="not the password")
    sign_in_staff(client, user)
    events = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    failed = [e for e in events if e.action == "staff.sign_in_failed"]
    assert failed[0].actor_id == user.id
    assert failed[0].detail == "password"
    assert events[-1].action == "staff.sign_in"


@pytest.mark.parametrize("app_config", [{"RATELIMIT_STAFF_SIGN_IN_ACCOUNT": "3 per 10 minutes"}])
def test_failed_attempts_are_throttled_per_account(app):
    user = make_staff(Role.ADMIN)
    attacker = app.test_client()
    statuses = [
        submit_form(attacker, "/staff/sign-in", email=user.email, password=f"guess {n}").status_code
        for n in range(5)
    ]
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]
    other = make_staff(Role.MODERATOR)
    assert (
        submit_form(
            attacker, "/staff/sign-in", email=other.email, password=STAFF_PASSWORD
        ).status_code
        == 302
    )


@pytest.mark.parametrize("app_config", [{"RATELIMIT_STAFF_SIGN_IN_CLIENT": "4 per 10 minutes"}])
def test_failed_attempts_are_throttled_per_client(app):
    make_staff(Role.ADMIN)
    attacker = app.test_client()
    statuses = [
        submit_form(
            attacker, "/staff/sign-in", email=f"guess{n}@staff.example.org", password="x" * 12
        ).status_code
        for n in range(6)
    ]
    assert statuses == [401] * 4 + [429] * 2
    someone_else = app.test_client()
    page = someone_else.get("/staff/sign-in", environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert page.status_code == 200


@pytest.mark.parametrize("app_config", [{"RATELIMIT_STAFF_SIGN_IN_ACCOUNT": "3 per 10 minutes"}])
def test_wrong_codes_are_throttled_per_account_whatever_address_is_posted(app):
    """The code step's account is the one whose password was checked, not a posted field."""
    user = make_staff(Role.ADMIN)
    attacker = app.test_client()
    first = submit_form(attacker, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
    assert first.status_code == 302
    statuses = [
        submit_form(
            attacker, first.headers["Location"], code="000000", email=f"decoy{n}@example.org"
        ).status_code
        for n in range(5)
    ]
    assert statuses == [401, 401, 401, 429, 429]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_STAFF_SIGN_IN_CLIENT": "4 per 10 minutes"}])
def test_only_failures_count_against_an_office_signing_in_together(app, clock):
    """Colleagues enrolling and signing in from one address are never throttled."""
    colleagues = [
        make_staff(Role.MODERATOR, f"colleague{n}@staff.example.org", enrolled=False)
        for n in range(6)
    ]
    for user in colleagues:
        browser = app.test_client()
        first = submit_form(browser, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
        assert first.headers["Location"].startswith("/staff/sign-in/enrol")
        enrolled = submit_form(browser, first.headers["Location"], code=totp_now(user))
        assert enrolled.status_code == 200
        assert browser.get("/staff/").status_code == 200
    clock.advance(seconds=30)  # a new code: each is accepted once
    for user in colleagues:
        assert sign_in_staff(app.test_client(), user).status_code == 302
    statuses = [
        submit_form(
            app.test_client(), "/staff/sign-in", email=user.email, password="wrong password!"
        ).status_code
        for user in colleagues
    ]
    assert statuses == [401] * 4 + [429] * 2


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "ü" * 6])
@pytest.mark.parametrize("enrolled", [True, False])
def test_a_code_in_other_digits_or_letters_is_just_wrong(client, code, enrolled):
    user = make_staff(Role.ADMIN, enrolled=enrolled)
    first = submit_form(client, "/staff/sign-in", email=user.email, password=STAFF_PASSWORD)
    assert submit_form(client, first.headers["Location"], code=code).status_code == 401
