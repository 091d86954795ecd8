"""Issue 17's "done when": nothing the server holds names a signer, and the custodian's key
names them all.

Canary signers, with strings found nowhere else, sign through the real HTTP handling
(anonymous, by initials, by full name, and one who never confirms); the outbox worker sends
their mail to a real SMTP server. Then every byte the server keeps is searched for each
one's email address, city and typed name: the database (SQLite: its file with -wal and
-shm, once the app has closed its connections; PostgreSQL: a plain `pg_dump` of the whole
test database), everything in the instance folder, and every log record at DEBUG. A
full-display name is public by the signer's choice, so only that one may appear. Then the
custodian's identity, through `flask unseal`, gives back every canary as they typed
themselves, and Debian's `age` opens a sealed value on its own.

An organisation's representative is a canary too: the organisation signs on, confirms, is
approved, and once the worker has mailed the decision the representative's name, role and
address are nowhere either; the custodian's key opens them from the sealed column.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.engine import make_url

from petition.coalition.review import approve
from petition.extensions import db
from petition.models import Organisation, OrganisationStatus, Role, Signature
from petition.personal import Representative, open_representative
from petition.sealing import write_identity
from tests.conftest import fresh_database, make_app
from tests.factories import CUSTODIAN, make_campaign, make_staff
from tests.mailbox import Mailbox
from tests.pages import confirm_link, join, link_in, sign
from tests.prerequisites import tool
from tests.test_no_leaks import every_log, everything_logged  # noqa: F401 - a fixture

SLUG = "free-them"


@dataclass(frozen=True)
class Canary:
    name: str
    email: str
    city: str
    display: str
    confirms: bool = True

    def private_parts(self) -> list[str]:
        """What must be nowhere on the server: the address (whole and its mailbox part),
        the city, and the typed name unless the signer chose to be shown by it, each whole
        and word by word (all but the last word, the run's mark, which is only hex)."""
        private = [self.city] if self.display == "full" else [self.city, self.name]
        words = [word for text in private for word in text.split()[:-1]]
        return [self.email, self.email.split("@")[0], *private, *words]


def invented_canaries() -> list[Canary]:
    """Strings found nowhere else: invented words, and a mark of this run in each."""
    mark = secrets.token_hex(4)
    return [
        Canary(
            f"Zelvina Quorrath {mark}",
            f"zelvina.{mark}@anon-canary.example",
            f"Vorthmere {mark}",
            "anonymous",
        ),
        Canary(
            f"Ярополк Щедрослав {mark}",
            f"yaropolk.{mark}@initials-canary.example",
            f"Бжезанів {mark}",
            "initials",
        ),
        Canary(
            f"Brannoc Velliquist {mark}",
            f"brannoc.{mark}@full-canary.example",
            f"Ostravelle {mark}",
            "full",
        ),
        Canary(
            f"Pellidor Ashquen {mark}",
            f"pellidor.{mark}@pending-canary.example",
            f"Quillmarsh {mark}",
            "initials",
            confirms=False,
        ),
    ]


@dataclass(frozen=True)
class RepresentativeCanary:
    name: str
    role: str
    email: str

    def private_parts(self) -> list[str]:
        """All of it, whole and word by word but the run's mark; the address's mailbox."""
        words = [word for text in (self.name, self.role) for word in text.split()[:-1]]
        return [self.email, self.email.split("@")[0], self.name, self.role, *words]


def invented_representative() -> RepresentativeCanary:
    mark = secrets.token_hex(4)
    return RepresentativeCanary(
        f"Orsolya Thendrakis {mark}",
        f"Warden Quillovar {mark}",
        f"orsolya.{mark}@rep-canary.example",
    )


def join_and_be_approved(app: Flask, mailbox: Mailbox, rep: RepresentativeCanary) -> int:
    """The organisation signs on through the real form and confirms; a moderator approves
    it. The decision mail is still queued."""
    joined = join(app.test_client(), rep_name=rep.name, rep_role=rep.role, rep_email=rep.email)
    assert joined.status_code == 302
    app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    [mail] = mailbox.to(rep.email)
    assert confirm_link(app.test_client(), link_in(mailbox.text_of(mail))).status_code == 200
    organisation = db.session.scalars(select(Organisation)).one()
    assert organisation.status is OrganisationStatus.AWAITING_REVIEW
    moderator = make_staff(Role.MODERATOR)
    approve(organisation.id, seen_status="awaiting_review", actor=moderator)
    db.session.commit()
    return organisation.id


def assert_representative_unsealed(organisation_id: int, rep: RepresentativeCanary) -> None:
    organisation = db.session.get(Organisation, organisation_id)
    assert organisation is not None
    assert open_representative(organisation.rep_sealed or b"", CUSTODIAN) == Representative(
        name=rep.name, role=rep.role, email=rep.email
    )


@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The app's instance folder, of this test alone, so that all of it can be searched."""
    folder = tmp_path / "instance"
    monkeypatch.setenv("INSTANCE_PATH", str(folder))
    return folder


@pytest.fixture
def server(instance: Path, mailbox: Mailbox) -> Iterator[Flask]:
    """The app on a database of its own (SQLite's file in the instance folder, as by
    default), migrated before the logs are captured (Alembic configures logging)."""
    with fresh_database(instance) as uri:
        app = make_app(uri, mailbox)
        with app.app_context():
            upgrade()
            make_campaign(SLUG)
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


@pytest.fixture
def logs(server: Flask, every_log: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:  # noqa: F811 - the fixture
    """Every log record at DEBUG, captured from after the migration on."""
    return every_log


def sign_all(app: Flask, canaries: list[Canary]) -> None:
    for canary in canaries:
        response = sign(
            app.test_client(),
            name=canary.name,
            email=canary.email,
            city=canary.city,
            display=canary.display,
            country="UA",
        )
        assert response.status_code == 302


def send_confirm_and_close(app: Flask, mailbox: Mailbox, canaries: list[Canary]) -> None:
    """The worker sends, the signers confirm, the worker sends what that queued; then the
    app's connections close (SQLite then folds its write-ahead log into the file)."""
    runner = app.test_cli_runner()
    worker = runner.invoke(args=["outbox", "run", "--once"])
    assert worker.output == f"{len(canaries)} message(s) handled.\n", worker.output
    for canary in canaries:
        if canary.confirms:
            [mail] = mailbox.to(canary.email)
            confirmed = confirm_link(app.test_client(), link_in(mailbox.text_of(mail)))
            assert confirmed.status_code == 302
    runner.invoke(args=["outbox", "run", "--once"])
    db.session.remove()
    db.engine.dispose()


def sqlite_files(app: Flask) -> bytes:
    """The database file and its -wal and -shm, as far as they exist."""
    db.session.commit()
    database = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database or "")
    files = [database.with_name(database.name + suffix) for suffix in ("", "-wal", "-shm")]
    return b"\n".join(path.read_bytes() for path in files if path.exists())


def instance_bytes(instance: Path) -> bytes:
    files = [path for path in sorted(instance.rglob("*")) if path.is_file()]
    return b"\n".join(path.read_bytes() for path in files)


def pg_dump() -> bytes:
    dumped = subprocess.run(  # noqa: S603 - our own arguments
        [
            tool("pg_dump"),
            "--format=plain",
            "--no-owner",
            f"--dbname={os.environ['TEST_DATABASE_URL']}",
        ],
        capture_output=True,
        check=True,
    )
    return dumped.stdout


def leaks(canaries: list[Canary | RepresentativeCanary], *places: bytes) -> list[str]:
    private = [part for canary in canaries for part in canary.private_parts()]
    return [part for part in private if any(part.encode() in place for place in places)]


def unsealed(app: Flask, tmp_path: Path) -> dict[str, dict[str, str]]:
    """`flask unseal` with the custodian's identity, kept outside the server's folders."""
    key_file = tmp_path / "custodian.key"
    write_identity(CUSTODIAN, key_file)
    out = tmp_path / "unsealed.csv"
    result = app.test_cli_runner().invoke(
        args=["unseal", SLUG, "--identity", str(key_file), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as handle:
        return {row["email"]: row for row in csv.DictReader(handle)}


def assert_every_canary_unsealed(app: Flask, tmp_path: Path, canaries: list[Canary]) -> None:
    rows = unsealed(app, tmp_path)
    assert len(rows) == len(canaries)
    for canary in canaries:
        row = rows[canary.email]
        status = "confirmed" if canary.confirms else "pending"
        assert (row["name"], row["city"], row["display"], row["status"]) == (
            canary.name,
            canary.city,
            canary.display,
            status,
        )


def assert_age_opens_a_sealed_value(tmp_path: Path, canary: Canary) -> None:
    age = tool("age")
    key_file = tmp_path / "age-custodian.key"
    write_identity(CUSTODIAN, key_file)
    sealed = tmp_path / "signature.age"
    signatures = db.session.scalars(select(Signature).where(Signature.public_name == canary.name))
    sealed.write_bytes(signatures.one().sealed or b"")

    opened = subprocess.run(  # noqa: S603 - our own arguments
        [age, "--decrypt", "-i", str(key_file), str(sealed)], capture_output=True, check=True
    )

    record = json.loads(opened.stdout)
    assert (record["name"], record["email"], record["city"]) == (
        canary.name,
        canary.email,
        canary.city,
    )


def nothing_names_a_signer(
    app: Flask,
    mailbox: Mailbox,
    logs: pytest.LogCaptureFixture,
    tmp_path: Path,
    database_bytes: Callable[[], bytes],
) -> None:
    rep = invented_representative()
    organisation_id = join_and_be_approved(app, mailbox, rep)
    assert rep.name.encode() in database_bytes()  # staff can answer them until it is mailed
    sent = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    assert sent.output == "1 message(s) handled.\n", sent.output
    assert "/coalition/manage/" in mailbox.text_of(mailbox.to(rep.email)[-1])
    mailbox.clear()

    canaries = invented_canaries()
    sign_all(app, canaries)
    waiting = database_bytes()  # the addresses wait in the outbox until the mail is sent
    assert all(canary.email.encode() in waiting for canary in canaries)

    send_confirm_and_close(app, mailbox, canaries)
    stored = database_bytes()
    everything = instance_bytes(Path(app.instance_path))
    logged = everything_logged(logs).encode()

    full = next(canary for canary in canaries if canary.display == "full")
    assert full.name.encode() in stored  # the name the signer chose to show is there
    assert any(record.name.startswith("sqlalchemy.engine") for record in logs.records)
    assert leaks([*canaries, rep], stored, everything, logged) == []
    assert_every_canary_unsealed(app, tmp_path, canaries)
    assert_representative_unsealed(organisation_id, rep)
    assert_age_opens_a_sealed_value(tmp_path, full)


@pytest.mark.sqlite
def test_on_sqlite_no_file_and_no_log_names_a_signer(server, mailbox, logs, instance, tmp_path):
    database = Path(make_url(server.config["SQLALCHEMY_DATABASE_URI"]).database or "")
    assert database.parent == instance  # searched twice: as the database and in the folder
    nothing_names_a_signer(server, mailbox, logs, tmp_path, lambda: sqlite_files(server))


@pytest.mark.postgresql
def test_on_postgresql_no_dump_and_no_log_names_a_signer(server, mailbox, logs, tmp_path):
    nothing_names_a_signer(server, mailbox, logs, tmp_path, pg_dump)
