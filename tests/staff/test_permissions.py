"""The role matrix: every staff route, for every role and for a signed-out visitor."""

from __future__ import annotations

import pytest
from flask import Flask
from werkzeug.routing import Rule

from petition.delivery.background import queue_package
from petition.extensions import db
from petition.models import Organisation, Role, Signature, StaffUser, Target, types
from petition.staff.auth import start_session
from petition.staff.permissions import ENDPOINT_PERMISSIONS, ROLE_PERMISSIONS, Permission
from tests.factories import make_campaign, make_staff
from tests.pages import hidden_inputs, join, sign

# Reachable without signing in: the steps of signing in, and the one-time password link.
OPEN_ENDPOINTS = {
    "staff.sign_in",
    "staff.second_factor",
    "staff.enrol",
    "staff.set_password",
    "staff.forgot_password",
    "staff.static",
}

# Their job is to end the session, so they send a permitted caller to the sign-in page.
SIGN_OUTS = {"staff.sign_out", "staff.sign_out_everywhere"}


def staff_rules(app: Flask) -> list[Rule]:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("staff.")]
    return sorted(rules, key=lambda r: r.endpoint)


def test_every_staff_route_declares_its_permission(app):
    unguarded = [
        rule.endpoint
        for rule in staff_rules(app)
        if rule.endpoint not in OPEN_ENDPOINTS and rule.endpoint not in ENDPOINT_PERMISSIONS
    ]
    assert unguarded == []


def test_each_role_holds_what_the_matrix_says():
    assert ROLE_PERMISSIONS[Role.ADMIN] == frozenset(Permission)
    assert Permission.MANAGE_STAFF not in ROLE_PERMISSIONS[Role.MODERATOR]
    assert Permission.VIEW_AUDIT not in ROLE_PERMISSIONS[Role.MODERATOR]
    assert Permission.SEND_UPDATES not in ROLE_PERMISSIONS[Role.MODERATOR]
    assert Permission.RECORD_PAPER not in ROLE_PERMISSIONS[Role.MODERATOR]
    assert ROLE_PERMISSIONS[Role.EXPORTER] == {
        Permission.SIGNED_IN,
        Permission.VIEW_DASHBOARD,
        Permission.EXPORT,
    }


@pytest.fixture
def sample_ids(client) -> dict[str, object]:
    campaign = make_campaign()
    sign(client)
    join(client)
    target = Target(name="Test Party", lang="en")
    db.session.add(target)
    campaign.targets.append(target)
    package = queue_package(campaign, target, cutoff=types.utcnow(), actor=None)
    db.session.commit()
    signature = db.session.query(Signature).one()
    organisation = db.session.query(Organisation).one()
    other = make_staff(Role.EXPORTER, "someone.else@staff.example.org")
    return {
        "campaign_id": campaign.id,
        "target_id": target.id,
        "package_id": package.id,
        "user_id": other.id,
        "signature_id": signature.id,
        "organisation_id": organisation.id,
        "batch_id": 1,  # none yet: a permitted role gets 404, never 403 or 500
        "lang": "uk",
        "token": "not-a-real-token",
    }


def signed_in_client(app: Flask, user: StaffUser | None):
    """A browser with its own fresh session for `user` (None: signed out)."""
    client = app.test_client()
    if user is not None:
        session_id = start_session(user)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True
    return client


def test_role_matrix(app, sample_ids):
    users = {None: None} | {
        role: make_staff(role, f"matrix.{role.value}@staff.example.org") for role in Role
    }
    problems = []
    for rule in staff_rules(app):
        if rule.endpoint in OPEN_ENDPOINTS:
            continue
        url = rule.build({a: sample_ids[a] for a in rule.arguments})[1]
        permission = ENDPOINT_PERMISSIONS[rule.endpoint]
        for method in sorted(rule.methods & {"GET", "POST"}):
            for role, user in users.items():
                client = signed_in_client(app, user)
                form_page = "/staff/sign-in" if role is None else "/staff/"
                token = hidden_inputs(client.get(form_page).get_data(as_text=True))
                assert "csrf_token" in token
                response = client.open(url, method=method, data=token if method == "POST" else None)
                status = response.status_code
                location = response.headers.get("Location", "")
                if role is None:
                    ok = status == 302 and location.startswith("/staff/sign-in")
                elif permission not in ROLE_PERMISSIONS[role]:
                    ok = status == 403
                else:
                    to_sign_in = location.startswith("/staff/sign-in")
                    allowed_through = rule.endpoint in SIGN_OUTS or not to_sign_in
                    ok = status < 500 and status != 403 and allowed_through
                if "frame-ancestors 'none'" not in response.headers["Content-Security-Policy"]:
                    problems.append(f"{method} {url} as {role}: no CSP")
                if response.headers.get("Cache-Control") != "no-store":
                    problems.append(f"{method} {url} as {role}: cacheable")
                if not ok:
                    problems.append(f"{method} {url} as {role}: {status} {location}")
    assert problems == []
