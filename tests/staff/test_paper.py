"""Staff record signatures gathered on paper as batches: counted on their own line in the
public counts, audited, voidable, and entered once however often the form is sent."""

from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from petition.extensions import db
from petition.models import AuditEvent, PaperBatch, Role
from petition.models.types import utcnow
from tests.factories import make_campaign, make_signature, make_staff
from tests.pages import hidden_inputs, sign_in_staff
from tests.staff.test_permissions import signed_in_client

SCAN = hashlib.sha256(b"scanned forms, street stall, Kharkiv").hexdigest()
BATCH = {
    "country": "UA",
    "count": "240",
    "source": "street stall, Kharkiv, 14 November",
    "gathered_on": "2025-11-14",
    "scan_sha256": SCAN,
}


@pytest.fixture
def campaign(app):
    return make_campaign()


@pytest.fixture
def admin(client):
    user = make_staff(Role.ADMIN)
    sign_in_staff(client, user)
    return user


def paper_url(campaign) -> str:
    return f"/staff/campaigns/{campaign.id}/paper"


def batch_form(client, campaign) -> dict[str, str]:
    """The new-batch form as the page gives it (CSRF token, idempotency key), filled in."""
    page = client.get(paper_url(campaign))
    assert page.status_code == 200
    return {**hidden_inputs(page.get_data(as_text=True)), **BATCH}


def record(client, campaign, **fields: str):
    return client.post(paper_url(campaign), data={**batch_form(client, campaign), **fields})


def batches() -> list[PaperBatch]:
    db.session.expire_all()
    return list(db.session.scalars(select(PaperBatch).order_by(PaperBatch.id)))


def audit_actions() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def public_counts(app, campaign) -> dict:
    """The API as a visitor without cookies sees it (the page cache's kept copy, if any)."""
    return app.test_client().get(f"/api/v1/campaigns/{campaign.slug}").json


def test_a_batch_counts_as_signed_on_paper_apart_from_online_signatures(
    app, client, admin, campaign, monotonic
):
    make_signature(campaign, country="UA")
    make_signature(campaign, country="PL")
    before = public_counts(app, campaign)
    assert before["counts"] == {"individuals": 2, "organisations": 0, "paper": 0}

    response = record(client, campaign)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The batch is recorded: it counts as signed on paper." in page
    assert "street stall, Kharkiv, 14 November" in page
    assert SCAN in page

    monotonic[0] += 11  # past the counts' lifetime: every visitor sees the new numbers
    after = public_counts(app, campaign)
    assert after["counts"] == {"individuals": 2, "organisations": 0, "paper": 240}
    assert after["by_country"] == {"UA": 1, "PL": 1}  # online signatures only
    assert after["paper_by_country"] == {"UA": 240}
    html = app.test_client().get(f"/uk/{campaign.slug}/").get_data(as_text=True)
    assert "Підписали на папері" in html
    assert "240" in html
    assert "Kharkiv" not in html  # the source is for staff only
    embed = app.test_client().get(f"/embed/{campaign.slug}/counter?lang=en").get_data(as_text=True)
    assert "Signed on paper" in embed

    [batch] = batches()
    assert (batch.country, batch.count, batch.scan_sha256) == ("UA", 240, SCAN)
    assert batch.recorded_by_id == admin.id
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action.like("paper.%")))
    assert event.action == "paper.batch_recorded"
    assert event.actor_id == admin.id
    assert (event.object_type, event.object_id) == ("paper_batch", str(batch.id))
    assert "count=240" in event.detail
    assert SCAN in event.detail


def test_a_voided_batch_no_longer_counts_but_stays_listed(app, client, admin, campaign, monotonic):
    record(client, campaign)
    record(client, campaign, country="DE", count="12")
    [_kept, void] = batches()
    url = f"{paper_url(campaign)}/{void.id}/void"
    form = hidden_inputs(client.get(url).get_data(as_text=True))
    response = client.post(url, data={**form, "reason": "Entered twice by mistake"})
    assert response.status_code == 302

    monotonic[0] += 11
    counts = public_counts(app, campaign)
    assert counts["counts"]["paper"] == 240
    assert counts["paper_by_country"] == {"UA": 240}
    page = client.get(paper_url(campaign)).get_data(as_text=True)
    assert "The batch is voided: it no longer counts anywhere." in page
    assert "Entered twice by mistake" in page
    assert unescape(page).count("Void…") == 1  # the one still counted
    assert batches()[1].void_reason == "Entered twice by mistake"
    assert batches()[1].voided_by_id == admin.id

    again = client.post(url, data={**form, "reason": "Once more"})
    assert again.status_code == 200
    assert "This batch was already voided." in again.get_data(as_text=True)
    assert audit_actions().count("paper.batch_voided") == 1
    voided = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paper.batch_voided"))
    assert "reason=Entered twice by mistake" in voided.detail
    assert batches()[1].void_reason == "Entered twice by mistake"


def test_voiding_needs_a_reason(client, admin, campaign):
    record(client, campaign)
    [batch] = batches()
    url = f"{paper_url(campaign)}/{batch.id}/void"
    form = hidden_inputs(client.get(url).get_data(as_text=True))
    for reason in ("", "   ", "x" * 501, "bad\x00byte"):
        response = client.post(url, data={**form, "reason": reason})
        assert response.status_code == 422, reason
    assert not batches()[0].is_void
    assert "paper.batch_voided" not in audit_actions()


def test_a_batch_of_another_campaign_cannot_be_voided_from_this_one(client, admin, campaign):
    other = make_campaign("other-campaign")
    record(client, other)
    [batch] = batches()
    url = f"{paper_url(campaign)}/{batch.id}/void"
    form = hidden_inputs(client.get(paper_url(campaign)).get_data(as_text=True))
    assert client.get(url).status_code == 404
    assert client.post(url, data={**form, "reason": "not mine"}).status_code == 404
    assert client.get(f"{paper_url(campaign)}/99999/void").status_code == 404
    assert not batches()[0].is_void


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.EXPORTER])
def test_staff_without_the_permission_are_refused(app, campaign, role):
    admin = make_staff(Role.ADMIN)
    owner = signed_in_client(app, admin)
    record(owner, campaign)
    [batch] = batches()
    user = make_staff(role, f"{role.value}.paper@staff.example.org")
    client = signed_in_client(app, user)
    token = hidden_inputs(client.get("/staff/").get_data(as_text=True))["csrf_token"]
    assert client.get(paper_url(campaign)).status_code == 403
    posted = client.post(paper_url(campaign), data={**BATCH, "csrf_token": token})
    assert posted.status_code == 403
    void_url = f"{paper_url(campaign)}/{batch.id}/void"
    assert client.post(void_url, data={"csrf_token": token, "reason": "no"}).status_code == 403
    assert len(batches()) == 1
    assert not batches()[0].is_void
    edit = client.get(f"/staff/campaigns/{campaign.id}").get_data(as_text=True)
    assert paper_url(campaign) not in edit


TOMORROW = (utcnow() + timedelta(days=2)).date().isoformat()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"count": "0"}, "Please enter a whole number from 1 to 100000."),
        ({"count": "-5"}, "Please enter a whole number from 1 to 100000."),
        ({"count": "100001"}, "Please enter a whole number from 1 to 100000."),
        ({"count": "9" * 40}, "Please enter a whole number from 1 to 100000."),
        ({"count": "12.5"}, "Not a valid integer value."),
        ({"count": "abc"}, "Not a valid integer value."),
        ({"count": ""}, "Please enter the number of signatures."),
        ({"country": "XX"}, "Please choose the country."),
        ({"country": ""}, "Please choose the country."),
        ({"country": "<script>"}, "Please choose the country."),
        ({"source": ""}, "Please say where the signatures were gathered."),
        ({"source": "x" * 201}, "Please use at most 200 characters."),
        ({"source": "x" * 200_000}, "Please use at most 200 characters."),
        ({"source": "stall\x00Kharkiv"}, "This contains characters we cannot accept."),
        ({"gathered_on": TOMORROW}, "The day cannot be in the future."),
        ({"gathered_on": "2025-13-45"}, "Not a valid date value."),
        ({"gathered_on": "1999-12-31"}, "Please enter a date between 2000-01-01 and 2099-12-31."),
        ({"scan_sha256": ""}, "Please enter the SHA-256 of the scan."),
        ({"scan_sha256": "abc123"}, "This is not a SHA-256"),
        ({"scan_sha256": "g" * 64}, "This is not a SHA-256"),
        ({"scan_sha256": SCAN + "0"}, "This is not a SHA-256"),
        ({"scan_sha256": f"SHA256({SCAN})"}, "This is not a SHA-256"),
        ({"scan_sha256": "a" * 500_000}, "This is not a SHA-256"),
        ({"idempotency_key": ""}, "Please reload the page and try again."),
        ({"idempotency_key": "short"}, "Please reload the page and try again."),
        ({"idempotency_key": "k" * 65}, "Please reload the page and try again."),
        ({"idempotency_key": "k" * 30 + "\n"}, "Please reload the page and try again."),
    ],
)
def test_hostile_input_gets_a_clear_error_and_records_nothing(
    client, admin, campaign, fields, error
):
    response = record(client, campaign, **fields)
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert error in page
    assert 'role="alert"' in page
    assert batches() == []
    assert "paper.batch_recorded" not in audit_actions()


def test_a_pasted_sha256sum_line_or_upper_case_digest_is_taken_as_the_digest(
    client, admin, campaign
):
    record(client, campaign, scan_sha256=f"{SCAN.upper()}  forms-kharkiv.pdf\n")
    record(client, campaign, scan_sha256=" ".join(SCAN[i : i + 2] for i in range(0, 64, 2)))
    assert [batch.scan_sha256 for batch in batches()] == [SCAN, SCAN]


def test_the_same_form_sent_twice_records_one_batch(client, admin, campaign):
    form = batch_form(client, campaign)
    assert client.post(paper_url(campaign), data=form).status_code == 302
    again = client.post(paper_url(campaign), data=form)
    assert again.status_code == 302
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This batch was already recorded. It was not recorded again." in page
    assert len(batches()) == 1
    assert audit_actions().count("paper.batch_recorded") == 1
    # A new form (a new key) is a new batch, even with the same figures.
    assert record(client, campaign).status_code == 302
    assert len(batches()) == 2


SENDERS = 10


def test_many_sessions_sending_one_form_at_once_record_one_batch(app, campaign):
    """A double click, two tabs and a retry, all at the same moment, by two admins."""
    first, second = make_staff(Role.ADMIN), make_staff(Role.ADMIN, "second@staff.example.org")
    clients = [signed_in_client(app, first if i % 2 else second) for i in range(SENDERS)]
    form = batch_form(clients[0], campaign)
    forms = [
        form | {"csrf_token": hidden_inputs(c.get(paper_url(campaign)).text)["csrf_token"]}
        for c in clients
    ]
    url = paper_url(campaign)  # the threads have no app context to load ids in
    db.session.close()  # on SQLite, even a read here holds the write lock
    start = threading.Barrier(SENDERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def send(index: int) -> None:
        start.wait()
        response = clients[index].post(url, data=forms[index])
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [302] * SENDERS
    assert len(batches()) == 1
    recorded = select(func.count()).where(AuditEvent.action == "paper.batch_recorded")
    assert db.session.scalar(recorded) == 1


def test_two_staff_voiding_at_once_void_it_once(app, campaign):
    admins = [make_staff(Role.ADMIN, f"voider{i}@staff.example.org") for i in range(2)]
    clients = [signed_in_client(app, admins[i % 2]) for i in range(SENDERS)]
    record(clients[0], campaign)
    [batch] = batches()
    url = f"{paper_url(campaign)}/{batch.id}/void"
    tokens = [hidden_inputs(c.get(url).text)["csrf_token"] for c in clients]
    db.session.close()
    start = threading.Barrier(SENDERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def void(index: int) -> None:
        start.wait()
        data = {"csrf_token": tokens[index], "reason": f"reason {index}"}
        response = clients[index].post(url, data=data)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=void, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(status in {200, 302} for status in statuses), statuses
    assert batches()[0].is_void
    assert audit_actions().count("paper.batch_voided") == 1
