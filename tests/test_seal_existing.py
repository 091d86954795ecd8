"""`flask keys seal-existing`: signatures made before sealing get sealed after the upgrade.

A database signed the old way (revision 0007: plain name, email, normalised email, city) is
upgraded to head; the command seals those details to the campaign's custodians, fills in
the shown name and the keyed hashes, and empties the plain columns. Afterwards the old
signers are one person each as before: a custodian's key reads them back, and signing again
is deduplicated.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Boolean, Integer, String, column, func, insert, select, table
from sqlalchemy.engine import make_url

from petition.campaigns.custodians import add_custodian_key
from petition.delivery.package import INDIVIDUALS_CSV, PackageError, build_package
from petition.extensions import db
from petition.models import Campaign, Signature, SignatureStatus, Target
from petition.models.types import UTCDateTime
from petition.personal import email_hash, normalise_email, open_details
from petition.sealing import recipient_of
from petition.signing.legacy import seal_legacy_batch
from tests.conftest import fresh_database, make_app
from tests.delivery.outputs import add_target, package_text
from tests.factories import CUSTODIAN, add_campaign_before_0011, campaign_texts
from tests.mailbox import Mailbox
from tests.pages import confirm_link, link_in, send_mail, sign

SLUG = "free-them"
SIGNED_AT = datetime(2025, 2, 1, 12, 0, tzinfo=UTC)

# The signature table as revision 0007 left it: the details in the clear.
SIGNATURE_0007 = table(
    "signature",
    column("id", Integer),
    column("campaign_id", Integer),
    column("name", String),
    column("email", String),
    column("email_normalised", String),
    column("city", String),
    column("country", String),
    column("display", String),
    column("wants_updates", Boolean),
    column("lang", String),
    column("statement_sha256", String),
    column("status", String),
    column("links_sent", Integer),
    column("created_at", UTCDateTime()),
    column("confirmed_at", UTCDateTime()),
)
PLAIN = ("name", "email", "email_normalised", "city")

# (name, email, city, display, status) as the old signing stored them.
OLD_SIGNERS = (
    ("Mykola Старенко", "Mykola.Old+petition@Example.org", "Dnipro", "full", "confirmed"),
    ("Ганна Коваль", "hanna.koval@example.net", None, "initials", "confirmed"),
    ("Secret Person", "secret.person@example.com", "Odesa", "anonymous", "pending"),
)
FULL, INITIALS, ANONYMOUS = OLD_SIGNERS


def old_row(campaign_id: int, signer: tuple) -> dict[str, object]:
    name, email, city, display, status = signer
    return {
        "campaign_id": campaign_id,
        "name": name,
        "email": email,
        "email_normalised": normalise_email(email),
        "city": city,
        "country": "UA",
        "display": display,
        "wants_updates": False,
        "lang": "en",
        "statement_sha256": "0" * 64,
        "status": status,
        "links_sent": 1,
        "created_at": SIGNED_AT,
        "confirmed_at": SIGNED_AT if status == "confirmed" else None,
    }


@pytest.fixture
def upgraded(tmp_path: Path, mailbox: Mailbox) -> Iterator[Flask]:
    """A campaign signed the old way at revision 0007, then upgraded to head; no key yet."""
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, mailbox)
        with app.app_context():
            upgrade(revision="0007")
            campaign_id = add_campaign_before_0011(slug=SLUG)
            for text in campaign_texts():
                text.campaign_id = campaign_id
                db.session.add(text)
            db.session.commit()  # no custodian key: the upgrade finds campaigns without one
            withdrawn = {**old_row(campaign_id, FULL), **dict.fromkeys(PLAIN)}
            rows = [old_row(campaign_id, signer) for signer in OLD_SIGNERS]
            rows.append({**withdrawn, "status": "withdrawn"})
            with db.engine.begin() as connection:
                connection.execute(insert(SIGNATURE_0007), rows)
            upgrade()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def command(app: Flask, *args: str):
    db.session.commit()
    return app.test_cli_runner().invoke(args=["keys", *args])


def plain_columns() -> list[tuple]:
    columns = [SIGNATURE_0007.c[name] for name in PLAIN]
    return [tuple(row) for row in db.session.execute(select(*columns).order_by("id"))]


def by_email() -> dict[str, Signature]:
    """The signatures that have a person, by the address each was signed with."""
    db.session.expire_all()
    query = select(Signature).where(Signature.sealed.is_not(None))
    return {open_details(s.sealed, CUSTODIAN).email: s for s in db.session.scalars(query)}


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_old_signatures_are_sealed_readable_by_the_custodian_and_deduplicated(
    upgraded, mailbox, tmp_path
):
    refused = command(upgraded, "seal-existing", SLUG)
    assert refused.exit_code == 1
    assert "no custodian key" in refused.output
    assert plain_columns()[0] == (FULL[0], FULL[1], normalise_email(FULL[1]), FULL[2])

    key_file = tmp_path / "custodian.key"
    assert command(upgraded, "new", SLUG, "--identity-out", str(key_file)).exit_code == 0
    sealed = command(upgraded, "seal-existing", SLUG)
    again = command(upgraded, "seal-existing", SLUG)

    assert sealed.exit_code == 0, sealed.output
    assert sealed.stdout == "3 signature(s) sealed.\n0 representative(s) sealed.\n"
    # Off a terminal (cron, a log), progress is plain lines on standard error, not a bar.
    assert "Sealing: 3 of 3\n" in sealed.stderr
    assert again.stdout == "0 signature(s) sealed.\n0 representative(s) sealed.\n"
    assert plain_columns() == [(None, None, None, None)] * 4
    signatures = db.session.scalars(select(Signature).order_by(Signature.id)).all()
    shown = [(s.public_name, s.email_hash, s.email_domain) for s in signatures]
    assert shown == [
        ("Mykola Старенко", email_hash(FULL[1]), "example.org"),
        ("Г. К.", email_hash(INITIALS[1]), "example.net"),
        (None, email_hash(ANONYMOUS[1]), "example.com"),
        (None, None, None),  # withdrawn: nothing to seal
    ]

    out = tmp_path / "signers.csv"
    unseal = upgraded.test_cli_runner().invoke(
        args=["unseal", SLUG, "--identity", str(key_file), "-o", str(out)]
    )
    assert unseal.exit_code == 0, unseal.output
    found = [
        (row["name"], row["email"], row["city"] or None, row["display"], row["status"])
        for row in read_rows(out)
    ]
    assert found == list(OLD_SIGNERS)

    # Signing again: the same person, whichever spelling of the address.
    assert sign(upgraded.test_client(), email="mykola.old@example.org").status_code == 302
    assert sign(upgraded.test_client(), email=FULL[1]).status_code == 302
    assert sign(upgraded.test_client(), email=ANONYMOUS[1], name="Secret Person").status_code == 302
    send_mail()
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 4
    assert [m["Subject"] for m in mailbox.to(FULL[1])] == ["About your signature"]
    assert mailbox.to("mykola.old@example.org") == []  # another mailbox: no mail at all
    [confirmation] = mailbox.to(ANONYMOUS[1])
    confirmed = confirm_link(upgraded.test_client(), link_in(mailbox.text_of(confirmation)))
    assert confirmed.status_code == 302
    db.session.expire_all()
    statuses = db.session.scalars(select(Signature.status).order_by(Signature.id)).all()
    assert statuses[:3] == [SignatureStatus.CONFIRMED] * 3


def test_a_signer_who_signed_again_before_the_sealing_stays_one_signature(upgraded, mailbox):
    add_custodian_key(db.session.scalar(select(Campaign)), recipient_of(CUSTODIAN), actor=None)
    db.session.commit()
    # The old rows have no hash yet, so these make a second signature each.
    sign(upgraded.test_client(), name="Mykola Again", email=FULL[1])
    sign(upgraded.test_client(), name="Secret Again", email=ANONYMOUS[1], display="anonymous")
    send_mail()
    [confirmation] = mailbox.to(ANONYMOUS[1])
    confirm_link(upgraded.test_client(), link_in(mailbox.text_of(confirmation)))
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 6

    result = command(upgraded, "seal-existing", SLUG)

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "2 signature(s) sealed.\n2 duplicate(s) by a signer who signed again removed.\n"
        "0 representative(s) sealed.\n"
    )
    people = by_email()
    assert sorted(people) == sorted([FULL[1], INITIALS[1], ANONYMOUS[1]])
    # The earlier signature stays, as signing would have kept it ...
    assert people[FULL[1]].created_at == SIGNED_AT
    assert people[FULL[1]].status is SignatureStatus.CONFIRMED
    # ... unless only the later one was confirmed: that is what the signer confirmed.
    assert people[ANONYMOUS[1]].created_at > SIGNED_AT
    assert people[ANONYMOUS[1]].status is SignatureStatus.CONFIRMED
    assert plain_columns() == [(None, None, None, None)] * 4


def test_the_sealing_goes_batch_by_batch_and_stops_when_none_is_left(upgraded):
    campaign = db.session.scalar(select(Campaign))
    add_custodian_key(campaign, recipient_of(CUSTODIAN), actor=None)

    handled = []
    while (batch := seal_legacy_batch(campaign, size=2)).handled:
        db.session.commit()
        handled.append(batch.handled)

    assert handled == [2, 1]
    assert seal_legacy_batch(campaign, size=2).sealed == 0


@pytest.mark.sqlite
def test_on_sqlite_the_plain_details_leave_the_database_files(upgraded):
    database = Path(make_url(upgraded.config["SQLALCHEMY_DATABASE_URI"]).database or "")
    files = [database, database.with_name(database.name + "-wal")]

    def stored() -> bytes:
        db.session.commit()
        return b"".join(path.read_bytes() for path in files if path.exists())

    secrets = [FULL[1], FULL[2], INITIALS[0], INITIALS[1], ANONYMOUS[0], ANONYMOUS[1], ANONYMOUS[2]]
    secrets += [normalise_email(FULL[1])]
    assert all(secret.encode() in stored() for secret in secrets)

    add_custodian_key(db.session.scalar(select(Campaign)), recipient_of(CUSTODIAN), actor=None)
    assert command(upgraded, "seal-existing", SLUG).exit_code == 0

    left = stored()
    assert [secret for secret in secrets if secret.encode() in left] == []


def test_no_package_is_built_while_old_signatures_wait_to_be_sealed(upgraded, tmp_path):
    """They have no shown name yet: a package would silently leave them out of its lists."""
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
    target_id = add_target(campaign, "en", name="A negotiating party").id
    db.session.commit()
    target = db.session.get(Target, target_id)
    cutoff = datetime.now(UTC)
    with pytest.raises(PackageError, match=r"3 signature.* from before sealing.*seal-existing"):
        build_package(campaign, target, cutoff=cutoff, out_dir=tmp_path / "early")
    db.session.rollback()

    key_file = tmp_path / "custodian.key"
    assert command(upgraded, "new", SLUG, "--identity-out", str(key_file)).exit_code == 0
    assert command(upgraded, "seal-existing", SLUG).exit_code == 0
    campaign = db.session.scalar(select(Campaign).where(Campaign.slug == SLUG))
    target = db.session.get(Target, target_id)
    package = build_package(campaign, target, cutoff=cutoff, out_dir=tmp_path / "sealed")
    assert FULL[0] in package_text(Path(package.folder))[INDIVIDUALS_CSV]
