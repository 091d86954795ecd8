"""A representative is readable while staff may have to answer them, and sealed once the
review decision has been mailed: then no column of the organisation or the outbox names
them, later mail goes only to the mailbox that signed on, and the custodian's key reads
them back."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import delete, func, select

from petition.campaigns.custodians import add_custodian_key
from petition.extensions import db
from petition.mail.outbox import enqueue
from petition.models import (
    AuditEvent,
    CustodianKey,
    Organisation,
    OrganisationStatus,
    OutboxMessage,
)
from petition.personal import Representative, email_hash, open_representative
from petition.sealing import recipient_of
from petition.worker import run_worker
from tests.factories import CUSTODIAN, make_campaign, make_organisation
from tests.pages import hidden_inputs, join, send_mail
from tests.staff.test_organisation_review import decide, joined, organisation

ADDRESS = "mariia.canary@rights.example.org"
TYPED = {"rep_name": "Mariia Zeltravna", "rep_role": "Chair of the Board", "rep_email": ADDRESS}


@pytest.fixture
def campaign(app, tmp_path):
    app.config["LOGO_FOLDER"] = str(tmp_path / "logos")
    return make_campaign()


def organisations() -> list[Organisation]:
    db.session.expire_all()
    return list(db.session.scalars(select(Organisation).order_by(Organisation.id)))


def clear_text_of_everything() -> str:
    """Every column of every organisation and outbox row, as text."""
    db.session.expire_all()
    rows = [
        *db.session.execute(select(Organisation.__table__)),
        *db.session.execute(select(OutboxMessage.__table__)),
    ]
    return "\n".join(str(tuple(row)) for row in rows)


def assert_sealed(organisation_id: int) -> None:
    found = organisation(organisation_id)
    assert (found.rep_name, found.rep_role, found.rep_email, found.rep_email_normalised) == (
        None,
        None,
        None,
        None,
    )
    everything = clear_text_of_everything()
    for typed in (*TYPED.values(), "mariia.canary", "Zeltravna"):
        assert typed not in everything
    assert open_representative(found.rep_sealed or b"", CUSTODIAN) == Representative(
        name="Mariia Zeltravna", role="Chair of the Board", email=ADDRESS
    )
    assert found.rep_email_hash == email_hash(ADDRESS)
    assert found.rep_email_domain == "rights.example.org"


# --- attacks first ----------------------------------------------------------------------


def test_two_spellings_of_one_address_make_one_organisation(client, campaign, mailbox):
    assert join(client, rep_email="Ana.Rep+coalition@gmail.com").status_code == 302
    assert join(client, rep_email="anarep@googlemail.com", name="Other").status_code == 302
    [only] = organisations()
    assert only.rep_email_hash == email_hash("anarep@gmail.com")
    assert only.rep_email_domain == "gmail.com"
    assert only.name == "Invented Rights Group"  # the second sign-on changed nothing


SUBMITTERS = 20


def test_concurrent_duplicate_sign_ons_make_one_organisation(app, campaign):
    clients = [app.test_client() for _ in range(SUBMITTERS)]
    forms = [
        {
            **hidden_inputs(c.get("/en/free-them/join").get_data(as_text=True)),
            "name": "Racing Rights Group",
            "country": "UA",
            "kind": "human_rights",
            "rep_name": "Same Person",
            "rep_role": "Director",
            # Two spellings of one person, racing each other.
            "rep_email": "same.person@example.org" if i % 2 else "Same.Person+x@Example.org",
            "authorised": "y",
            "listing": "public",
        }
        for i, c in enumerate(clients)
    ]
    start = threading.Barrier(SUBMITTERS)
    statuses: list[int] = []
    lock = threading.Lock()

    def submit(index: int) -> None:
        start.wait()
        address = f"10.9.{index}.1"
        response = clients[index].post(
            "/en/free-them/join", data=forms[index], environ_base={"REMOTE_ADDR": address}
        )
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert statuses == [302] * SUBMITTERS
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_after_the_approval_mail_is_sent_nothing_names_the_representative(
    client, campaign, mailbox, moderator
):
    organisation_id = joined(client, mailbox, **TYPED)
    assert organisation(organisation_id).rep_email == ADDRESS  # staff can answer meanwhile
    decide(client, organisation_id, "approve")
    assert organisation(organisation_id).rep_name == "Mariia Zeltravna"  # not mailed yet

    assert run_worker(once=True) == 1
    [approved] = mailbox.to(ADDRESS)
    assert "/coalition/manage/" in mailbox.text_of(approved)
    assert_sealed(organisation_id)

    page = client.get(f"/staff/organisations/{organisation_id}").get_data(as_text=True)
    assert "An address at rights.example.org" in page
    assert "Invented Rights Group" in page
    assert "mariia.canary" not in page
    assert "Zeltravna" not in page


def test_after_the_rejection_mail_is_sent_the_representative_is_sealed(
    client, campaign, mailbox, moderator
):
    organisation_id = joined(client, mailbox, **TYPED)
    decide(client, organisation_id, "reject", reason="Not an organisation we could verify.")
    run_worker(once=True)
    assert "could verify" in mailbox.text_of(mailbox.to(ADDRESS)[0])
    assert_sealed(organisation_id)


def test_not_sealed_while_a_decision_mail_waits(client, campaign, mailbox, moderator):
    """A rejection mailed, then an approval queued before the worker seals: the approval
    still reaches the representative, and only then is the address sealed."""
    organisation_id = joined(client, mailbox, **TYPED)
    decide(client, organisation_id, "reject", reason="Not verified yet.")
    send_mail()  # the bare outbox: sends, seals nothing
    decide(client, organisation_id, "approve")
    mailbox.clear()
    run_worker(once=True)
    [approved] = mailbox.to(ADDRESS)
    assert "/coalition/manage/" in mailbox.text_of(approved)
    assert_sealed(organisation_id)


def sealed_organisation(client, mailbox) -> int:
    organisation_id = joined(client, mailbox, **TYPED)
    decide(client, organisation_id, "approve")
    run_worker(once=True)
    mailbox.clear()
    return organisation_id


def test_manage_link_after_sealing_goes_only_to_the_same_mailbox(
    client, campaign, mailbox, moderator
):
    organisation_id = sealed_organisation(client, mailbox)
    other_mailbox = "mariia.canary+x@rights.example.org"  # the same person, maybe not the box
    assert join(client, rep_email=other_mailbox).status_code == 302
    page = client.get("/en/free-them/coalition/manage")
    form = hidden_inputs(page.get_data(as_text=True))
    asked = client.post("/en/free-them/coalition/manage", data={**form, "email": other_mailbox})
    assert asked.status_code in (200, 302)
    queued = select(func.count()).where(OutboxMessage.kind == "organisation_manage_link")
    assert db.session.scalar(queued) == 0
    assert send_mail() == 0
    assert mailbox.messages == []

    typed = "Mariia.Canary@Rights.example.org"  # the same mailbox, spelt otherwise
    assert join(client, rep_email=typed).status_code == 302
    send_mail()
    [link] = mailbox.to(typed)
    assert "/coalition/manage/" in mailbox.text_of(link)
    assert "Hello," in mailbox.text_of(link)
    assert_sealed(organisation_id)  # and the typed address left the outbox once sent


def test_self_service_by_token_works_after_sealing(client, campaign, mailbox, moderator):
    sealed_organisation(client, mailbox)
    assert join(client, rep_email=ADDRESS).status_code == 302
    send_mail()
    [link] = mailbox.to(ADDRESS)
    text = mailbox.text_of(link)
    url = text[text.index("http") :].split()[0]
    page = client.get(url[url.index("/en/") :])
    assert page.status_code == 200
    assert "Invented Rights Group" in page.get_data(as_text=True)


def test_a_later_decision_after_sealing_says_so_first_and_queues_no_mail(
    client, campaign, mailbox, moderator
):
    """The address is gone: the page says no email can be sent before staff decide, the
    decision queues none (not one that fails later), and the flash and audit say so."""
    organisation_id = sealed_organisation(client, mailbox)
    page = client.get(f"/staff/organisations/{organisation_id}").get_data(as_text=True)
    assert "No email can be sent about a new decision" in page
    assert "gets an email with your reason" not in page
    queued = select(func.count()).select_from(OutboxMessage)
    before = db.session.scalar(queued)

    url = f"/staff/organisations/{organisation_id}"
    form = {**hidden_inputs(page), "action": "reject", "reason": "Left the coalition's aims."}
    decided = client.post(url, data=form, follow_redirects=True).get_data(as_text=True)

    assert db.session.scalar(queued) == before
    assert "No email was sent: the representative’s address is sealed." in decided
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "organisation.rejected")
    )
    assert event.detail.startswith("not mailed")
    assert run_worker(once=True) == 0
    assert mailbox.messages == []
    page = client.get(f"/staff/organisations/{organisation_id}").get_data(as_text=True)
    assert "No email is sent." in page  # approving it again would not mail either

    decide(client, organisation_id, "approve")
    assert db.session.scalar(queued) == before
    assert organisation(organisation_id).status is OrganisationStatus.APPROVED


def test_a_readable_representative_is_told_of_the_decision_as_before(
    client, campaign, mailbox, moderator
):
    organisation_id = joined(client, mailbox, **TYPED)
    page = client.get(f"/staff/organisations/{organisation_id}").get_data(as_text=True)
    assert "No email can be sent" not in page
    assert "gets an email with a link to manage the entry" in page


def test_a_campaign_without_a_key_keeps_its_representative_waiting_quietly(
    client, campaign, mailbox, moderator, caplog
):
    """Only a campaign from before keys were required: nothing to seal to, so the row stays
    readable until a key is added, and the worker's every round says nothing about it."""
    organisation_id = joined(client, mailbox, **TYPED)
    decide(client, organisation_id, "approve")
    db.session.execute(delete(CustodianKey))
    db.session.commit()
    run_worker(once=True)
    run_worker(once=True)
    assert organisation(organisation_id).rep_email == ADDRESS
    assert "custodian" not in caplog.text

    add_custodian_key(campaign, recipient_of(CUSTODIAN), actor=None)
    db.session.commit()
    run_worker(once=True)
    assert_sealed(organisation_id)


# --- representatives decided before sealing: `keys seal-existing` ------------------------


def seal_existing(app):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["keys", "seal-existing", "free-them"])


def readable(organisation_id: int) -> bool:
    return organisation(organisation_id).rep_email is not None


def test_seal_existing_seals_the_decided_whose_mail_is_gone_and_keeps_the_undecided(app, campaign):
    """Decided before the release, their decision mail since removed by retention: the
    worker, which seals after sending, never will. Undecided ones stay readable for staff,
    and one whose decision mail still waits keeps the address it goes to."""
    approved = make_organisation(campaign, sealed=False, **TYPED).id
    rejected = make_organisation(
        campaign, sealed=False, status=OrganisationStatus.REJECTED, rep_email="no@x.example.org"
    ).id
    pending = [
        make_organisation(campaign, sealed=False, status=status).id
        for status in (OrganisationStatus.PENDING, OrganisationStatus.AWAITING_REVIEW)
    ]
    waiting = make_organisation(campaign, sealed=False, rep_email="waits@x.example.org")
    enqueue("organisation_approved", lang="en", organisation=waiting)

    result = seal_existing(app)

    assert result.exit_code == 0, result.output
    assert result.stdout == "0 signature(s) sealed.\n2 representative(s) sealed.\n"
    assert_sealed(approved)
    assert not readable(rejected)
    assert open_representative(organisation(rejected).rep_sealed, CUSTODIAN).email == (
        "no@x.example.org"
    )
    assert [readable(i) for i in (*pending, waiting.id)] == [True, True, True]
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.representatives_sealed")
    )
    assert event.detail == "2 representative(s) sealed"
    assert seal_existing(app).output.endswith("\n0 representative(s) sealed.\n")
