"""Representatives no decision mail will ever reach are sealed too: a duplicate merged into
another organisation and one that withdrew at the moment it happens (or, if a mail to
their readable address still waits, as soon as it has gone), and one whose decision mail
the outbox gave up on as soon as it gave up. Until then staff can still answer them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from petition.extensions import db
from petition.mail.outbox import enqueue
from petition.mail.sending import MAX_ATTEMPTS
from petition.models import OrganisationStatus, OutboxMessage, OutboxStatus
from petition.models.types import utcnow
from petition.worker import run_worker
from tests.coalition.test_joining import link_to
from tests.coalition.test_sealed_representatives import (
    ADDRESS,
    TYPED,
    assert_sealed,
    readable,
    seal_existing,
)
from tests.factories import make_campaign, make_organisation
from tests.pages import hidden_inputs, join, send_mail, submit_form
from tests.staff.test_organisation_review import decide, joined, organisation

KEPT = {
    "name": "Invented Rights Group of Kyiv",
    "rep_name": "Kept Representative",
    "rep_email": "kept@rights.example.org",
}


@pytest.fixture
def campaign(app, tmp_path):
    app.config["LOGO_FOLDER"] = str(tmp_path / "logos")
    return make_campaign()


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def kept_organisation(client, mailbox) -> int:
    kept = joined(client, mailbox, **KEPT)
    decide(client, kept, "approve")
    return kept


# --- merged --------------------------------------------------------------------------


def test_a_merged_duplicate_is_sealed_when_it_is_merged(client, campaign, mailbox, moderator):
    kept = kept_organisation(client, mailbox)
    duplicate = joined(client, mailbox, **TYPED)
    assert readable(duplicate)

    assert decide(client, duplicate, "merge", keep=str(kept)).status_code == 302

    assert organisation(duplicate).status is OrganisationStatus.MERGED
    assert_sealed(duplicate)  # at once: no mail will ever be sent about it
    page = client.get(f"/staff/organisations/{duplicate}").get_data(as_text=True)
    assert "Sealed when the organisation was merged into another" in page
    assert organisation(kept).status is OrganisationStatus.APPROVED
    assert organisation(kept).merged_into_id is None


def test_an_approved_duplicate_whose_approval_waits_is_sealed_when_merged(
    client, campaign, mailbox, moderator
):
    """The merge withdraws the approval mail that had not gone yet, and with it the reason
    to keep the address readable."""
    kept = kept_organisation(client, mailbox)
    duplicate = joined(client, mailbox, **TYPED)
    decide(client, duplicate, "approve")

    decide(client, duplicate, "merge", keep=str(kept))

    assert_sealed(duplicate)
    run_worker(once=True)
    assert mailbox.to(ADDRESS) == []


def test_a_merged_duplicate_waits_for_its_confirmation_link_to_go(
    client, campaign, mailbox, moderator
):
    """Merged before it confirmed, with its link still in the outbox (addressed by the
    readable address): sealed once the worker has sent it, not before and not never."""
    kept = kept_organisation(client, mailbox)
    send_mail()
    mailbox.clear()
    assert join(client, name="Invented Rights Group", **TYPED).status_code == 302
    duplicate = db.session.scalars(
        select(OutboxMessage.organisation_id).where(OutboxMessage.kind == "confirm_organisation")
    ).all()[-1]
    assert organisation(duplicate).status is OrganisationStatus.PENDING

    decide(client, duplicate, "merge", keep=str(kept))
    assert organisation(duplicate).status is OrganisationStatus.MERGED
    assert readable(duplicate)  # its mail is still to be addressed

    run_worker(once=True)
    assert len(mailbox.to(ADDRESS)) == 1
    assert_sealed(duplicate)


# --- withdrawn -----------------------------------------------------------------------


def withdraw_by_manage_link(client, mailbox) -> None:
    mailbox.clear()
    asked = submit_form(client, "/en/free-them/coalition/manage", email=ADDRESS)
    assert asked.status_code == 302
    send_mail()
    [message] = mailbox.to(ADDRESS)
    path = "/" + link_to(mailbox.text_of(message), "/coalition/manage/").split("/", 3)[3]
    page = client.get(path)
    assert page.status_code == 200
    token = hidden_inputs(page.get_data(as_text=True))["csrf_token"]
    assert client.post(path + "/withdraw", data={"csrf_token": token}).status_code == 302


def test_a_representative_who_withdraws_before_the_decision_is_sealed_at_once(
    client, campaign, mailbox, moderator
):
    organisation_id = joined(client, mailbox, **TYPED)  # awaiting review: never decided

    withdraw_by_manage_link(client, mailbox)

    assert organisation(organisation_id).status is OrganisationStatus.WITHDRAWN
    assert_sealed(organisation_id)
    page = client.get(f"/staff/organisations/{organisation_id}").get_data(as_text=True)
    assert "An address at rights.example.org" in page
    assert "Sealed when the organisation withdrew" in page


def test_a_rejected_representative_who_withdraws_before_the_mail_goes_is_sealed_once_it_has(
    client, campaign, mailbox, moderator
):
    """The rejection (addressed by the readable address) still goes out after the
    withdrawal; the address is sealed once it has gone."""
    organisation_id = joined(client, mailbox, **TYPED)
    decide(client, organisation_id, "reject", reason="Not verified.")
    later = utcnow() + timedelta(hours=1)
    rejection = update(OutboxMessage).where(OutboxMessage.kind == "organisation_rejected")
    db.session.execute(rejection.values(next_attempt_at=later))  # not due yet
    db.session.commit()

    withdraw_by_manage_link(client, mailbox)
    assert organisation(organisation_id).status is OrganisationStatus.WITHDRAWN
    assert readable(organisation_id)  # the rejection still needs the address

    db.session.execute(rejection.values(next_attempt_at=utcnow()))
    db.session.commit()
    run_worker(once=True)
    assert "Not verified." in mailbox.text_of(mailbox.to(ADDRESS)[-1])
    assert_sealed(organisation_id)


# --- the decision mail fails for good --------------------------------------------------


def test_a_decision_mail_refused_for_good_seals_the_representative(
    client, campaign, mailbox, moderator
):
    organisation_id = joined(client, mailbox, **TYPED)
    decide(client, organisation_id, "approve")
    mailbox.refusals = [550]  # the representative's mailbox does not exist (any more)

    assert run_worker(once=True) == 1

    [approval] = [m for m in outbox() if m.kind == "organisation_approved"]
    assert approval.status is OutboxStatus.FAILED
    assert mailbox.to(ADDRESS) == []
    assert_sealed(organisation_id)
    page = client.get(f"/staff/organisations/{organisation_id}").get_data(as_text=True)
    assert "Sealed once the review decision was mailed (or the mail failed for good)" in page


def test_a_decision_mail_the_outbox_gives_up_on_seals_the_representative(
    client, campaign, mailbox, moderator
):
    """Refused for now at every try: readable while it is retried, sealed when the outbox
    gives up after its last attempt."""
    organisation_id = joined(client, mailbox, **TYPED)
    decide(client, organisation_id, "reject", reason="Not verified.")
    mailbox.refusals = [451]
    run_worker(once=True)
    [rejection] = [m for m in outbox() if m.kind == "organisation_rejected"]
    assert rejection.status is OutboxStatus.QUEUED
    assert readable(organisation_id)  # it will be tried again: the address is needed

    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == rejection.id)
        .values(attempts=MAX_ATTEMPTS - 1, next_attempt_at=OutboxMessage.created_at)
    )
    db.session.commit()
    mailbox.refusals = [451]
    run_worker(once=True)

    [rejection] = [m for m in outbox() if m.kind == "organisation_rejected"]
    assert rejection.status is OutboxStatus.FAILED
    assert_sealed(organisation_id)


# --- left before this release: the worker's pass and `keys seal-existing` ---------------


def test_the_worker_seals_a_duplicate_merged_before_this_release(app, campaign):
    merged = make_organisation(campaign, sealed=False, status=OrganisationStatus.MERGED, **TYPED).id
    awaiting = make_organisation(
        campaign, sealed=False, status=OrganisationStatus.AWAITING_REVIEW
    ).id
    run_worker(once=True)
    assert_sealed(merged)
    assert readable(awaiting)  # staff must still answer them


def test_seal_existing_seals_the_merged_and_the_withdrawn(app, campaign):
    merged = make_organisation(
        campaign, sealed=False, status=OrganisationStatus.MERGED, rep_email="m@x.example.org"
    ).id
    withdrawn = make_organisation(
        campaign, sealed=False, status=OrganisationStatus.WITHDRAWN, **TYPED
    ).id
    waiting = make_organisation(
        campaign, sealed=False, status=OrganisationStatus.MERGED, rep_email="w@x.example.org"
    )
    enqueue("confirm_organisation", lang="en", organisation=waiting)

    result = seal_existing(app)

    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("\n2 representative(s) sealed.\n")
    assert_sealed(withdrawn)
    assert not readable(merged)
    assert readable(waiting.id)  # its link goes to the readable address first
