"""Retention rules, tested by travelling in time: each removes what it should, no more."""

from __future__ import annotations

import logging
import os
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from petition.coalition.representatives import seal_representative
from petition.delivery.package import build_package
from petition.extensions import db
from petition.models import (
    Campaign,
    CampaignStatus,
    DeliveryPackage,
    LinkToken,
    Organisation,
    OrganisationStatus,
    OutboxMessage,
    OutboxStatus,
    PackageStatus,
    Role,
    Signature,
    SignatureStatus,
    StaffSession,
    Target,
)
from petition.models.organisation import REPRESENTATIVE_COLUMNS
from petition.models.signature import PERSONAL_COLUMNS
from petition.models.types import utcnow
from petition.personal import email_hash, open_details
from petition.retention import PurgeReport, PurgeSchedule, closed_since, erasure_anchor, purge
from tests.conftest import Clock
from tests.factories import CUSTODIAN, make_campaign, make_signature, make_staff
from tests.mailbox import Mailbox
from tests.pages import confirm_link, join, link_in, send_mail, sign, sign_in_staff, submit_form

SLUG = "free-them"
LOGO_NAME = "0123456789abcdef0123456789abcdef.png"


@pytest.fixture
def app_config(tmp_path: Path) -> dict[str, Any]:
    return {"COUNTS_TTL_SECONDS": 0, "LOGO_FOLDER": str(tmp_path / "logos")}


@pytest.fixture
def campaign(app: Flask) -> Campaign:
    return make_campaign(SLUG)


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def signatures() -> list[Signature]:
    db.session.expire_all()
    return list(db.session.scalars(select(Signature).order_by(Signature.id)))


def signature_of(email: str) -> Signature | None:
    """The signature made with `email`, found as signing finds it: by the address's hash."""
    db.session.expire_all()
    return db.session.scalar(select(Signature).where(Signature.email_hash == email_hash(email)))


def email_of(signature: Signature) -> str:
    """The address sealed in the signature, as its custodian reads it."""
    assert signature.sealed is not None
    return open_details(signature.sealed, CUSTODIAN).email


def personal_data(signature: Signature) -> dict[str, Any]:
    return {column: getattr(signature, column) for column in PERSONAL_COLUMNS}


def signed_and_confirmed(
    client: FlaskClient, mailbox: Mailbox, email: str, country: str = "UA", **fields: Any
) -> Signature:
    """A signer who signed through the form and confirmed through the link in the mail."""
    assert sign(client, email=email, country=country, **fields).status_code == 302
    assert send_mail() >= 1
    [message] = mailbox.to(email)
    assert confirm_link(client, link_in(mailbox.text_of(message))).status_code == 302
    signature = signature_of(email)
    assert signature is not None
    assert signature.status is SignatureStatus.CONFIRMED
    return signature


def joined_and_confirmed(client: FlaskClient, mailbox: Mailbox, email: str, name: str) -> int:
    """An organisation that joined and whose representative confirmed; approved by staff."""
    assert join(client, name=name, rep_email=email).status_code == 302
    assert send_mail() >= 1
    [message] = mailbox.to(email)
    assert confirm_link(client, link_in(mailbox.text_of(message))).status_code == 200
    organisation = db.session.scalar(select(Organisation).where(Organisation.rep_email == email))
    assert organisation is not None
    organisation.status = OrganisationStatus.APPROVED
    db.session.commit()
    return organisation.id


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, to show that a second purge changes nothing."""
    db.session.expire_all()
    return {
        table.name: sorted(
            (tuple(str(value) for value in row) for row in db.session.execute(table.select())),
        )
        for table in db.metadata.sorted_tables
    }


def api(client: FlaskClient, slug: str = SLUG) -> dict[str, Any]:
    data: dict[str, Any] = client.get(f"/api/v1/campaigns/{slug}").get_json()
    return {"counts": data["counts"], "by_country": data["by_country"]}


# Unconfirmed signatures


def test_unconfirmed_signature_goes_after_seven_days_with_its_links_and_mail(
    client, campaign, mailbox, clock: Clock
):
    confirmed = signed_and_confirmed(client, mailbox, "confirmed@example.org")
    assert sign(client, email="pending@example.org").status_code == 302
    send_mail()
    pending = signature_of("pending@example.org")
    assert pending is not None
    assert pending.status is SignatureStatus.PENDING
    pending_id = pending.id
    # A mail still queued for it is removed with it (and with its address).
    db.session.add(OutboxMessage(kind="confirm_signature", lang="en", signature_id=pending_id))
    db.session.commit()
    its_links = select(func.count()).where(LinkToken.signature_id == pending_id)
    links = db.session.scalar(its_links)
    assert links

    clock.advance(days=6, hours=23)
    report = purge()
    assert report.counts["unconfirmed_signatures"] == 0
    assert {email_of(s) for s in signatures()} == {"confirmed@example.org", "pending@example.org"}

    clock.advance(hours=2)
    report = purge()
    assert report.counts["unconfirmed_signatures"] == 1
    assert report.counts["unconfirmed_signature_links"] == links
    assert report.counts["unconfirmed_signature_mail"] == 2  # the sent one and the queued one
    assert [s.id for s in signatures()] == [confirmed.id]  # the row, sealed record and all
    assert signature_of("pending@example.org") is None  # not even its address's hash is left
    db.session.expire_all()
    assert db.session.scalar(its_links) == 0
    queued = select(func.count()).where(OutboxMessage.signature_id == pending_id)
    assert db.session.scalar(queued) == 0


def test_a_fresh_link_keeps_a_pending_signature_until_it_too_is_a_week_old(
    client, campaign, mailbox, clock: Clock
):
    assert sign(client, email="late@example.org").status_code == 302
    send_mail()
    clock.advance(days=6)
    assert sign(client, email="late@example.org").status_code == 302  # asks for a new link
    send_mail()
    _first, second = mailbox.to("late@example.org")

    clock.advance(days=2)  # eight days after signing, two after the new link
    assert purge().counts["unconfirmed_signatures"] == 0
    assert confirm_link(client, link_in(mailbox.text_of(second))).status_code == 302
    signature = signature_of("late@example.org")
    assert signature is not None
    assert signature.status is SignatureStatus.CONFIRMED


def test_a_pending_signature_whose_new_link_is_a_week_old_goes(
    client, campaign, mailbox, clock: Clock
):
    assert sign(client, email="late@example.org").status_code == 302
    send_mail()
    clock.advance(days=6)
    assert sign(client, email="late@example.org").status_code == 302
    send_mail()
    clock.advance(days=7, minutes=1)
    assert purge().counts["unconfirmed_signatures"] == 1
    assert signatures() == []


def test_unconfirmed_organisation_goes_after_seven_days(client, campaign, mailbox, clock):
    approved = joined_and_confirmed(client, mailbox, "rep@approved.example.org", "Approved Org")
    assert join(client, name="Never Confirmed", rep_email="rep@pending.example.org").status_code
    send_mail()
    clock.advance(days=6)
    assert purge().counts["unconfirmed_organisations"] == 0
    clock.advance(days=1, minutes=1)
    report = purge()
    assert report.counts["unconfirmed_organisations"] == 1
    assert report.counts["unconfirmed_organisation_links"] >= 1
    assert report.counts["unconfirmed_organisation_mail"] == 1
    db.session.expire_all()
    assert list(db.session.scalars(select(Organisation.id))) == [approved]


# Links


def make_token(name: str, *, expires_in: timedelta, used: bool = False) -> None:
    now = utcnow()
    db.session.add(
        LinkToken(
            token_hash=name.ljust(64, "0"),
            purpose="confirm_sig",
            expires_at=now + expires_in,
            used_at=now if used else None,
        )
    )
    db.session.commit()


def token_names() -> set[str]:
    db.session.expire_all()
    return {hash_.rstrip("0") for hash_ in db.session.scalars(select(LinkToken.token_hash))}


def test_links_go_a_week_after_they_expired_or_were_used(app, clock: Clock):
    make_token("used", expires_in=timedelta(days=30), used=True)
    make_token("expired", expires_in=timedelta(hours=1))
    make_token("unused", expires_in=timedelta(days=30))  # long-lived, never used

    clock.advance(days=7, minutes=30)  # used 7 days 30 minutes ago; expired 6 days 23.5 h ago
    assert purge().counts["spent_links"] == 1
    assert token_names() == {"expired", "unused"}

    clock.advance(hours=1)
    assert purge().counts["spent_links"] == 1
    assert token_names() == {"unused"}

    clock.advance(days=29)  # expired 6 days ago
    assert purge().counts["spent_links"] == 0
    clock.advance(days=1, minutes=1)
    assert purge().counts["spent_links"] == 1
    assert token_names() == set()


# Client-address hashes


def test_client_hashes_live_30_days(app, client, campaign, mailbox, clock):
    client.environ_base["REMOTE_ADDR"] = "198.51.100.23"
    signed_and_confirmed(client, mailbox, "hashed@example.org")
    signature = signature_of("hashed@example.org")
    assert signature is not None
    assert signature.client_hash

    clock.advance(days=29, hours=23)
    assert purge().counts["client_hashes"] == 0
    clock.advance(hours=1, minutes=1)
    assert purge().counts["client_hashes"] == 1
    signature = signature_of("hashed@example.org")
    assert signature is not None
    assert signature.client_hash is None
    assert signature.status is SignatureStatus.CONFIRMED
    assert signature.sealed is not None  # only the client hash goes
    assert open_details(signature.sealed, CUSTODIAN).name == "Olena Test"
    assert signature.public_name == "Olena Test"


# Mail


def make_message(status: OutboxStatus, *, recipient: str | None, sent: bool) -> int:
    now = utcnow()
    message = OutboxMessage(
        kind="already_signed",
        lang="en",
        recipient=recipient,
        payload={"note": "x"},
        status=status,
        next_attempt_at=now,
        sent_at=now if sent else None,
    )
    db.session.add(message)
    db.session.commit()
    return message.id


def test_done_mail_forgets_its_address_at_once_and_goes_after_a_week(app, clock: Clock):
    sent = make_message(OutboxStatus.SENT, recipient="straggler@example.org", sent=True)
    failed = make_message(OutboxStatus.FAILED, recipient=None, sent=False)
    queued = make_message(OutboxStatus.QUEUED, recipient="waiting@example.org", sent=False)

    report = purge()
    assert report.counts["done_mail_addresses"] == 1
    assert report.counts["done_mail"] == 0
    db.session.expire_all()
    message = db.session.get(OutboxMessage, sent)
    assert message is not None
    assert message.recipient is None
    assert message.payload == {}
    waiting = db.session.get(OutboxMessage, queued)
    assert waiting is not None
    assert waiting.recipient == "waiting@example.org"  # not sent yet: it still needs it

    clock.advance(days=6)
    assert purge().counts["done_mail"] == 0
    clock.advance(days=1, minutes=1)
    assert purge().counts["done_mail"] == 2
    db.session.expire_all()
    assert db.session.scalars(select(OutboxMessage.id)).all() == [queued]
    assert db.session.get(OutboxMessage, failed) is None


# Erasure after a campaign closes


def close_through_staff_console(client: FlaskClient, campaign_id: int) -> None:
    """Close the campaign the way staff do, so the audit trail records when."""
    moderator = make_staff(Role.MODERATOR)
    sign_in_staff(client, moderator)
    fields = {"slug": SLUG, "status": "closed", "goal": "", "opens_on": "", "last_day": ""}
    response = submit_form(client, f"/staff/campaigns/{campaign_id}", **fields)
    assert response.status_code == 302, response.status_code
    db.session.expire_all()
    closed = db.session.get(Campaign, campaign_id)
    assert closed is not None
    assert closed.status is CampaignStatus.CLOSED


def test_personal_data_is_erased_180_days_after_closing_and_counts_stay(
    client, campaign, mailbox, clock: Clock
):
    signed_and_confirmed(client, mailbox, "ua@example.org", city="Kyiv")
    signed_and_confirmed(client, mailbox, "ru@example.org", country="RU", display="anonymous")
    signed_and_confirmed(client, mailbox, "ua2@example.org", name="Second Signer")
    organisation_id = joined_and_confirmed(
        client, mailbox, "rep@rights.example.org", "Invented Rights Group"
    )
    readable = joined_and_confirmed(client, mailbox, "rep@second.example.org", "Second Group")
    assert seal_representative(db.session.get(Organisation, organisation_id))  # decision mailed
    db.session.commit()
    other = make_campaign("still-open")
    assert sign(client, slug="still-open", email="other@example.org").status_code == 302
    before = api(client)
    assert before == {
        "counts": {"individuals": 3, "organisations": 2, "paper": 0},
        "by_country": {"RU": 1, "UA": 2},
    }

    clock.advance(days=10)
    closed_at = utcnow()
    close_through_staff_console(client, campaign.id)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).closed_at == closed_at
    assert closed_since(db.session.get(Campaign, campaign.id)) == closed_at

    clock.advance(days=179, hours=23)
    report = purge()
    assert report.counts["erased_signers"] == 0
    assert signature_of("ua@example.org") is not None

    held = [s for s in signatures() if s.campaign_id == campaign.id]
    assert all(s.sealed and s.email_hash and s.mailbox_hash for s in held)  # client hash: gone
    assert sorted(s.email_domain for s in held) == ["example.org"] * 3
    assert sorted(s.public_name or "" for s in held) == ["", "Olena Test", "Second Signer"]

    clock.advance(hours=2)
    report = purge()
    assert report.counts["erased_signers"] == 3
    assert report.counts["erased_representatives"] == 2

    erased = [s for s in signatures() if s.campaign_id == campaign.id]
    assert len(erased) == 3
    for signature in erased:
        assert personal_data(signature) == dict.fromkeys(PERSONAL_COLUMNS)
        assert (signature.sealed, signature.public_name) == (None, None)
        assert (signature.email_hash, signature.mailbox_hash) == (None, None)
        assert (signature.email_domain, signature.client_hash) == (None, None)
        assert signature.status is SignatureStatus.CONFIRMED
        assert signature.confirmed_at is not None
        assert signature.lang == "en"
        assert signature.statement_sha256 == campaign.texts["en"].sha256
    assert sorted(s.country for s in erased) == ["RU", "UA", "UA"]
    # The other campaign is open: its (pending, since deleted) signer is not touched by this.
    for erased_id in (organisation_id, readable):  # one sealed, one still readable
        representative = db.session.get(Organisation, erased_id)
        assert representative is not None
        assert {c: getattr(representative, c) for c in REPRESENTATIVE_COLUMNS} == dict.fromkeys(
            REPRESENTATIVE_COLUMNS
        )
    organisation = db.session.get(Organisation, organisation_id)
    assert organisation is not None
    assert organisation.name == "Invented Rights Group"
    assert organisation.website == "https://rights.example.org"
    assert organisation.status is OrganisationStatus.APPROVED
    assert api(client) == before
    page = client.get(f"/en/{SLUG}/coalition").get_data(as_text=True)
    assert "Invented Rights Group" in page
    assert other.status is CampaignStatus.OPEN


def test_erasure_also_empties_what_a_signature_from_before_sealing_holds(app, campaign, clock):
    """A row signed before sealing that `keys seal-existing` never reached is erased too."""
    old = make_signature(campaign, email="before@example.org", city="Odesa")
    old.legacy_name, old.legacy_city = "Before Sealing", "Odesa"
    old.legacy_email = old.legacy_email_normalised = "before@example.org"
    campaign.status = CampaignStatus.CLOSED
    campaign.closes_at = utcnow()
    db.session.commit()
    clock.advance(days=180, minutes=1)
    assert purge().counts["erased_signers"] == 1
    [erased] = signatures()
    assert personal_data(erased) == dict.fromkeys(PERSONAL_COLUMNS)
    assert (erased.legacy_name, erased.legacy_email, erased.legacy_city) == (None,) * 3


def test_an_open_campaign_past_its_date_is_not_erased(client, campaign, mailbox, clock):
    campaign.closes_at = utcnow()
    db.session.commit()
    signed_and_confirmed(client, mailbox, "stays@example.org")
    clock.advance(days=400)
    assert purge().counts["erased_signers"] == 0
    assert signature_of("stays@example.org") is not None


def test_the_stored_closing_moment_counts_before_the_scheduled_one(
    client, campaign, mailbox, clock
):
    signed_and_confirmed(client, mailbox, "early@example.org")
    campaign.status = CampaignStatus.CLOSED
    campaign.closed_at = utcnow()  # closed by staff 60 days before its last day
    campaign.closes_at = utcnow() + timedelta(days=60)
    db.session.commit()
    assert closed_since(campaign) == campaign.closed_at
    clock.advance(days=179, hours=23)
    assert purge().counts["erased_signers"] == 0
    clock.advance(hours=2)
    assert purge().counts["erased_signers"] == 1
    assert signature_of("early@example.org") is None


def test_without_a_staff_record_the_closing_date_counts(client, campaign, mailbox, clock):
    signed_and_confirmed(client, mailbox, "dated@example.org")
    campaign.status = CampaignStatus.CLOSED
    campaign.closes_at = utcnow() + timedelta(days=20)
    db.session.commit()
    assert closed_since(campaign) == campaign.closes_at
    clock.advance(days=199)
    assert purge().counts["erased_signers"] == 0
    clock.advance(days=1, minutes=1)
    assert purge().counts["erased_signers"] == 1


def test_without_any_date_the_last_sign_on_counts(client, campaign, mailbox, clock):
    signed_and_confirmed(client, mailbox, "first@example.org")
    clock.advance(days=30)
    last = signed_and_confirmed(client, mailbox, "last@example.org")
    campaign.status = CampaignStatus.CLOSED
    db.session.commit()
    assert closed_since(campaign) == last.created_at
    clock.advance(days=179)
    assert purge().counts["erased_signers"] == 0
    clock.advance(days=1, minutes=1)
    assert purge().counts["erased_signers"] == 2


def test_a_later_delivery_package_moves_erasure_to_180_days_after_it(
    client, campaign, mailbox, clock, tmp_path
):
    signed_and_confirmed(client, mailbox, "delivered@example.org")
    campaign.status = CampaignStatus.CLOSED
    campaign.closes_at = utcnow()
    target = Target(name="The Office of Test", lang="en")
    db.session.add(target)
    db.session.commit()
    clock.advance(days=105)
    package = build_package(campaign, target, cutoff=utcnow(), out_dir=tmp_path / "packages")
    db.session.commit()
    folder = Path(package.folder or "")
    assert "Olena" in (folder / "annex_individuals.csv").read_text(encoding="utf-8-sig")
    assert erasure_anchor(campaign) == package.generated_at

    clock.advance(days=179)  # 284 days after closing, 179 after the package
    assert purge().counts["erased_signers"] == 0
    clock.advance(days=1, minutes=1)
    assert purge().counts["erased_signers"] == 1
    db.session.expire_all()
    kept = db.session.get(DeliveryPackage, package.id)
    assert kept is not None  # the delivery record stays
    assert kept.status is PackageStatus.READY
    assert kept.manifest_sha256
    assert not folder.exists()  # the delivered files held names: they are gone
    assert kept.folder is None


def test_a_package_being_built_holds_off_erasure(client, campaign, mailbox, clock):
    signed_and_confirmed(client, mailbox, "building@example.org")
    campaign.status = CampaignStatus.CLOSED
    campaign.closes_at = utcnow()
    target = Target(name="The Office of Test", lang="en")
    db.session.add(target)
    db.session.commit()
    clock.advance(days=180)
    db.session.add(
        DeliveryPackage(campaign_id=campaign.id, target_id=target.id, cutoff_at=utcnow())
    )
    db.session.commit()
    clock.advance(minutes=1)
    assert purge().counts["erased_signers"] == 0


@pytest.mark.parametrize("app_config", [{"RETENTION_AFTER_CLOSE_DAYS": 30}])
def test_the_period_after_closing_is_a_setting(client, campaign, mailbox, clock):
    signed_and_confirmed(client, mailbox, "short@example.org")
    campaign.status = CampaignStatus.CLOSED
    campaign.closes_at = utcnow()
    db.session.commit()
    clock.advance(days=30, minutes=1)
    assert purge().counts["erased_signers"] == 1


# Staff sessions


def make_session(name: str, *, ended: bool) -> None:
    user = make_staff(Role.EXPORTER, email=f"{name}@staff.example.org")
    now = utcnow()
    db.session.add(
        StaffSession(
            token_hash=name.ljust(64, "0"),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            ended_at=now if ended else None,
        )
    )
    db.session.commit()


def session_names() -> set[str]:
    db.session.expire_all()
    return {hash_.rstrip("0") for hash_ in db.session.scalars(select(StaffSession.token_hash))}


def test_ended_staff_sessions_go_after_30_days(app, clock: Clock):
    make_session("ended", ended=True)
    make_session("abandoned", ended=False)  # never signed out: ended when it went idle
    clock.advance(days=29)
    make_session("recent", ended=True)
    make_session("active", ended=False)
    clock.advance(days=1, minutes=1)
    assert purge().counts["staff_sessions"] == 1
    assert session_names() == {"abandoned", "recent", "active"}
    clock.advance(minutes=30)
    assert purge().counts["staff_sessions"] == 1
    assert session_names() == {"recent", "active"}


# Logos


def age(path: Path, *, hours: float) -> None:
    then = (utcnow() - timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


def test_orphan_logo_files_go_after_a_day(app, campaign, tmp_path: Path):
    folder = tmp_path / "logos"
    folder.mkdir()
    used, orphan, young = LOGO_NAME, "f" * 32 + ".png", "e" * 32 + ".png"
    unfinished, foreign = ".upload-abc_12.tmp", "notes.txt"
    for name in (used, orphan, young, unfinished, foreign):
        (folder / name).write_bytes(b"x")
        age(folder / name, hours=25)
    age(folder / young, hours=23)
    db.session.add(
        Organisation(
            campaign_id=campaign.id,
            name="Has a logo",
            country="UA",
            kind="human_rights",
            listing="public",
            status=OrganisationStatus.APPROVED,
            lang="en",
            statement_sha256="0" * 64,
            logo=used,
        )
    )
    db.session.commit()
    assert purge().counts["orphan_logos"] == 2
    assert sorted(path.name for path in folder.iterdir()) == sorted((used, young, foreign))


def test_without_a_logo_folder_nothing_happens(app):
    assert purge().counts["orphan_logos"] == 0


# The whole purge


def busy_history(client: FlaskClient, mailbox: Mailbox, clock: Clock, campaign: Campaign) -> None:
    """A bit of everything every rule looks at, across several months."""
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    signed_and_confirmed(client, mailbox, "early@example.org", city="Lviv")
    sign(client, email="never@example.org")
    joined_and_confirmed(client, mailbox, "rep@one.example.org", "Org One")
    join(client, name="Org Two", rep_email="rep@two.example.org")
    send_mail()
    make_session("old", ended=True)
    clock.advance(days=40)
    signed_and_confirmed(client, mailbox, "later@example.org")
    sign(client, email="fresh@example.org")
    send_mail()
    campaign.status = CampaignStatus.CLOSED
    campaign.closes_at = utcnow()
    db.session.commit()
    clock.advance(days=181)
    sign(client, slug="second", email="new@example.org")


def test_purge_twice_changes_nothing_the_second_time(client, campaign, mailbox, clock):
    make_campaign("second")
    busy_history(client, mailbox, clock, campaign)
    first = purge()
    assert first.total > 0
    after_first = snapshot()
    second = purge()
    assert second.total == 0, second.summary()
    assert snapshot() == after_first


def test_purge_command_prints_counts(app, client, campaign, mailbox, clock):
    make_campaign("second")
    busy_history(client, mailbox, clock, campaign)
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "unconfirmed_signatures: 2" in result.output
    assert "erased_signers: 2" in result.output
    assert "removed in all." in result.output
    again = app.test_cli_runner().invoke(args=["purge"])
    assert "0 removed in all." in again.output


@pytest.mark.usefixtures("live_loggers")
def test_purge_logs_counts_only(client, campaign, mailbox, clock, caplog):
    make_campaign("second")
    busy_history(client, mailbox, clock, campaign)
    with caplog.at_level(logging.DEBUG):
        report = purge()
    lines = [r.getMessage() for r in caplog.records if r.name == "petition.retention"]
    assert lines == [f"purge removed: {report.summary()}"]
    assert "@" not in "\n".join(r.getMessage() for r in caplog.records)


def test_two_purges_at_once_remove_everything_once(app, client, campaign, mailbox, clock):
    make_campaign("second")
    busy_history(client, mailbox, clock, campaign)
    reports: list[PurgeReport] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work() -> None:
        try:
            with app.app_context():
                start.wait(timeout=10)
                reports.append(purge())
                db.session.remove()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    assert len(reports) == 2
    # Each rule's rows were removed exactly once, by one purge or the other.
    combined = {name: sum(r.counts[name] for r in reports) for name in reports[0].counts}
    assert combined["unconfirmed_signatures"] == 2
    assert combined["erased_signers"] == 2
    assert purge().total == 0


# The worker's schedule


def test_the_worker_purges_at_start_then_once_an_hour(app, client, campaign, clock: Clock):
    sign(client, email="stale@example.org")
    clock.advance(days=8)
    schedule = PurgeSchedule.from_config()
    assert schedule.is_due(utcnow())
    report = schedule.run_if_due()
    assert report is not None
    assert report.counts["unconfirmed_signatures"] == 1

    clock.advance(minutes=59)
    assert not schedule.is_due(utcnow())
    assert schedule.run_if_due() is None
    clock.advance(minutes=1)
    assert schedule.is_due(utcnow())
    assert schedule.run_if_due() is not None
    assert not schedule.is_due(utcnow())


@pytest.mark.parametrize("app_config", [{"PURGE_INTERVAL_MINUTES": 5}])
def test_the_interval_is_a_setting(app, clock: Clock):
    schedule = PurgeSchedule.from_config()
    schedule.run_if_due()
    clock.advance(minutes=4)
    assert not schedule.is_due(utcnow())
    clock.advance(minutes=1)
    assert schedule.is_due(utcnow())


def test_a_clock_set_back_does_not_stop_purging(app, clock: Clock):
    schedule = PurgeSchedule.from_config()
    schedule.run_if_due()
    clock.advance(hours=-3)
    assert schedule.is_due(utcnow())


@pytest.mark.usefixtures("live_loggers")
def test_a_failing_purge_is_logged_and_does_not_stop_the_worker(app, clock, caplog):
    schedule = PurgeSchedule.from_config()
    # A rule that fails: a setting that cannot be read as a number.
    app.config["RETENTION_SPENT_LINK_DAYS"] = "not a number"
    with caplog.at_level(logging.WARNING, logger="petition.retention"):
        assert schedule.run_if_due() is None
    assert "purge failed (ValueError)" in caplog.text
    assert not schedule.is_due(utcnow())  # tried again at the next interval, not at once
    app.config["RETENTION_SPENT_LINK_DAYS"] = 7
    clock.advance(hours=1)
    assert schedule.run_if_due() is not None
