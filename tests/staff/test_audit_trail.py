"""The audit trail page: newest first, filtered, paged; read-only for admins, closed to others."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import Flask

from petition import audit
from petition.audit import PAGE_SIZE
from petition.extensions import db
from petition.models import Role
from tests.factories import make_staff
from tests.pages import post_from_page, sign_in_staff


def record(action: str, **fields) -> None:
    """An event stamped with the clock's time now (the time is set when the row is written)."""
    audit.record(action, **fields)
    db.session.flush()


def details(html: str) -> list[str]:
    """The detail column of each row shown, top to bottom."""
    return re.findall(r"<td>(event [^<]*)</td>", html)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def next_link(html: str, label: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)"[^>]*>{label}</a>', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def admin(clock):
    clock.now = datetime(2025, 1, 28, 9, 0, tzinfo=UTC)
    return make_staff(Role.ADMIN)


def signed_in(app: Flask, user, clock):
    """A browser signed in now; events recorded before stay in the past."""
    clock.advance(minutes=1)
    client = app.test_client()
    assert sign_in_staff(client, user).status_code == 302
    return client


def test_events_show_newest_first_with_actor_object_and_utc_time(app, admin, clock):
    clock.now = datetime(2025, 2, 1, 13, 45, 7, tzinfo=UTC)
    record(
        "campaign.published", actor=admin, object_type="campaign", object_id=7, detail="event one"
    )
    clock.advance(minutes=1)
    record(
        "staff.account_disabled",
        actor=None,
        object_type="staff",
        object_id=admin.id,
        detail="event two",
    )
    db.session.commit()
    client = signed_in(app, admin, clock)

    html = page_of(client, "/staff/audit")
    assert details(html) == ["event two", "event one"]
    assert "2025-02-01 13:45:07" in html
    assert 'datetime="2025-02-01T13:45:07+00:00"' in html
    assert admin.email in html
    assert "campaign 7" in html
    assert f'href="/staff/accounts/{admin.id}"' in html  # staff objects link to the account
    assert "nobody signed in" in html
    # The action filter offers every action recorded, the sign-in included.
    options = re.findall(r'<option[^>]*value="([^"]*)"', html)
    assert options == ["", "campaign.published", "staff.account_disabled", "staff.sign_in"]


def test_filters(app, admin, clock):
    other = make_staff(Role.MODERATOR, "mod@staff.example.org")
    clock.now = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    record(
        "campaign.edited",
        actor=admin,
        object_type="campaign",
        object_id=1,
        detail="event march admin",
    )
    clock.now = datetime(2025, 3, 2, 23, 59, tzinfo=UTC)
    record("target.added", actor=other, object_type="target", object_id=5, detail="event march mod")
    clock.now = datetime(2025, 3, 3, 0, 0, tzinfo=UTC)
    record(
        "campaign.edited", actor=other, object_type="campaign", object_id=2, detail="event march 3"
    )
    db.session.commit()
    client = signed_in(app, admin, clock)

    def shown(query: str) -> list[str]:
        return details(page_of(client, f"/staff/audit?{query}"))

    assert shown("action=campaign.edited") == ["event march 3", "event march admin"]
    assert shown("actor=MOD%40staff.example.org") == ["event march 3", "event march mod"]
    assert shown("actor=nobody%40staff.example.org") == []
    assert shown("object_type=campaign&object_id=2") == ["event march 3"]
    assert shown("object_type=target") == ["event march mod"]
    assert shown("since=2025-03-02&until=2025-03-02") == ["event march mod"]
    assert shown("since=2025-03-03") == ["event march 3"]
    assert shown("until=2025-03-01") == ["event march admin"]
    assert shown("action=campaign.edited&actor=admin%40staff.example.org") == ["event march admin"]
    html = page_of(client, "/staff/audit?action=target.added")
    assert '<option selected value="target.added">' in html
    assert "Clear the filter" in html

    reversed_range = client.get("/staff/audit?since=2025-03-03&until=2025-03-01")
    assert reversed_range.status_code == 422
    assert "The end date must not be before the start date." in reversed_range.get_data(
        as_text=True
    )
    assert client.get("/staff/audit?since=yesterday").status_code == 422
    assert client.get("/staff/audit?action=no.such.action").status_code == 422


def test_pages_of_fifty_newest_first_keeping_the_filter(app, admin, clock):
    total = 2 * PAGE_SIZE + 20
    for n in range(total):
        clock.advance(seconds=1)
        record("test.event", actor=admin, detail=f"event {n:03d}")
    # Two at the very same moment still page in a stable order.
    record("test.event", actor=admin, detail=f"event {total:03d}")
    db.session.commit()
    client = signed_in(app, admin, clock)
    everything = [f"event {n:03d}" for n in range(total, -1, -1)]

    first = page_of(client, "/staff/audit?action=test.event")
    assert details(first) == everything[:PAGE_SIZE]
    assert next_link(first, "Newer") is None
    second_url = next_link(first, "Older")
    assert "action=test.event" in second_url
    second = page_of(client, second_url)
    assert details(second) == everything[PAGE_SIZE : 2 * PAGE_SIZE]
    third = page_of(client, next_link(second, "Older"))
    assert details(third) == everything[2 * PAGE_SIZE :]
    assert next_link(third, "Older") is None

    back = page_of(client, next_link(third, "Newer"))
    assert details(back) == details(second)
    back_again = page_of(client, next_link(back, "Newer"))
    assert details(back_again) == details(first)
    assert next_link(back_again, "Newer") is None


def test_the_trail_cannot_be_changed_from_the_console(app, admin, clock):
    client = signed_in(app, admin, clock)
    methods = {
        method
        for rule in app.url_map.iter_rules()
        if rule.endpoint == "staff.audit_trail"
        for method in rule.methods
    }
    assert methods <= {"GET", "HEAD", "OPTIONS"}
    assert post_from_page(client, "/staff/audit", "/staff/audit").status_code == 405
    html = page_of(client, "/staff/audit")
    assert html.count('method="post"') == 1  # signing out is the only thing to send


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.EXPORTER])
def test_only_admins_read_the_trail(client, role):
    user = make_staff(role)
    sign_in_staff(client, user)
    assert client.get("/staff/audit").status_code == 403
    assert client.get("/staff/audit?action=staff.sign_in").status_code == 403
    assert "Audit trail" not in client.get("/staff/").get_data(as_text=True)
