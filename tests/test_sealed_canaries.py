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

Organisations' representatives are canaries too, one for each way out of review: one
approved, whose name, role and address are nowhere once the worker has mailed the
decision; a duplicate merged into it and one that withdrew, nowhere from that moment (no
decision mail ever goes to them); and one whose rejection the recipient's server refused
for good, nowhere once the outbox gave up. `flask unseal --organisations` with the
custodian's key gives every one of them back.
"""

from __future__ import annotations

import csv
import json
import os
import re
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

from petition.coalition.review import approve, merge, reject
from petition.extensions import db
from petition.models import Organisation, OrganisationStatus, Role, Signature
from petition.personal import Representative, open_representative
from petition.sealing import write_identity
from tests.conftest import fresh_database, make_app
from tests.factories import CUSTODIAN, make_campaign, make_staff
from tests.mailbox import Mailbox
from tests.pages import confirm_link, hidden_inputs, join, link_in, sign, submit_form
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
    organisation: str

    def private_parts(self) -> list[str]:
        """All of it, whole and word by word but the run's mark; the address's mailbox."""
        words = [word for text in (self.name, self.role) for word in text.split()[:-1]]
        return [self.email, self.email.split("@")[0], self.name, self.role, *words]


@dataclass(frozen=True)
class Representatives:
    approved: RepresentativeCanary
    merged: RepresentativeCanary
    withdrawn: RepresentativeCanary
    refused: RepresentativeCanary  # their server refuses the decision mail for good

    def all(self) -> list[RepresentativeCanary]:
        return [self.approved, self.merged, self.withdrawn, self.refused]


def invented_representatives() -> Representatives:
    mark = secrets.token_hex(4)
    return Representatives(
        RepresentativeCanary(
            f"Orsolya Thendrakis {mark}",
            f"Warden Quillovar {mark}",
            f"orsolya.{mark}@rep-canary.example",
            "Invented Rights Group",
        ),
        RepresentativeCanary(
            f"Таїсія Врублевська {mark}",
            f"Скарбничка Зорелад {mark}",
            f"taisiia.{mark}@merged-canary.example",
            "Invented Rights Group NGO",  # a duplicate of the first
        ),
        RepresentativeCanary(
            f"Kestrin Malvoure {mark}",
            f"Steward Yrrelin {mark}",
            f"kestrin.{mark}@withdrawn-canary.example",
            "Quorvane Civic Watch",
        ),
        RepresentativeCanary(
            f"Евстафий Гремиславский {mark}",
            f"Ключарь Осмомысл {mark}",
            f"evstafii.{mark}@refused-canary.example",
            "Belmarsh Solidarity Circle",
        ),
    )


def worker_once(app: Flask, handled: int | None = None) -> None:
    sent = app.test_cli_runner().invoke(args=["outbox", "run", "--once"])
    if handled is not None:
        assert sent.output == f"{handled} message(s) handled.\n", sent.output


def join_and_confirm(app: Flask, mailbox: Mailbox, rep: RepresentativeCanary) -> int:
    """The organisation signs on through the real form and confirms; it awaits review."""
    client = app.test_client()
    joined = join(
        client, name=rep.organisation, rep_name=rep.name, rep_role=rep.role, rep_email=rep.email
    )
    assert joined.status_code == 302
    worker_once(app, 1)
    [mail] = mailbox.to(rep.email)
    assert confirm_link(client, link_in(mailbox.text_of(mail))).status_code == 200
    organisation = db.session.scalars(
        select(Organisation).where(Organisation.rep_email == rep.email)
    ).one()
    assert organisation.status is OrganisationStatus.AWAITING_REVIEW
    return organisation.id


def withdraw_by_manage_link(app: Flask, mailbox: Mailbox, rep: RepresentativeCanary) -> None:
    """The representative asks for a manage link on the public page and withdraws by it."""
    client = app.test_client()
    asked = submit_form(client, f"/en/{SLUG}/coalition/manage", email=rep.email)
    assert asked.status_code == 302
    worker_once(app, 1)
    text = mailbox.text_of(mailbox.to(rep.email)[-1])
    path = re.search(r"/en/coalition/manage/[\w-]+", text)
    assert path, text
    page = client.get(path.group(0))
    assert page.status_code == 200
    token = hidden_inputs(page.get_data(as_text=True))["csrf_token"]
    withdrawn = client.post(f"{path.group(0)}/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 302


def leave_review_every_way(
    app: Flask, mailbox: Mailbox, reps: Representatives, database_bytes: Callable[[], bytes]
) -> None:
    """Each representative leaves review their own way; each is checked to be gone from
    the database at the moment they should be (the approved one is checked at the end)."""
    moderator = make_staff(Role.MODERATOR)
    approved = join_and_confirm(app, mailbox, reps.approved)
    approve(approved, seen_status="awaiting_review", actor=moderator)
    db.session.commit()
    assert reps.approved.name.encode() in database_bytes()  # staff can answer until mailed
    worker_once(app, 1)
    assert "/coalition/manage/" in mailbox.text_of(mailbox.to(reps.approved.email)[-1])

    duplicate = join_and_confirm(app, mailbox, reps.merged)
    assert reps.merged.name.encode() in database_bytes()
    merge(duplicate, approved, seen_status="awaiting_review", actor=moderator)
    db.session.commit()
    assert leaks([reps.merged], database_bytes()) == []  # at once: nobody mails them

    join_and_confirm(app, mailbox, reps.withdrawn)
    withdraw_by_manage_link(app, mailbox, reps.withdrawn)
    assert leaks([reps.withdrawn], database_bytes()) == []

    refused = join_and_confirm(app, mailbox, reps.refused)
    reject(refused, seen_status="awaiting_review", reason="Not verified.", actor=moderator)
    db.session.commit()
    mailbox.refusals = [550]
    worker_once(app, 1)
    assert len(mailbox.to(reps.refused.email)) == 1
    assert leaks([reps.refused], database_bytes()) == []
    mailbox.clear()


def assert_every_representative_unsealed(app: Flask, tmp_path: Path, reps: Representatives) -> None:
    """`flask unseal --organisations` names every one, as typed, with where they stand."""
    rows = unsealed(app, tmp_path, "--organisations")
    expected = {
        reps.approved.email: "approved",
        reps.merged.email: "merged",
        reps.withdrawn.email: "withdrawn",
        reps.refused.email: "rejected",
    }
    assert {email: row["status"] for email, row in rows.items()} == expected
    for rep in reps.all():
        row = rows[rep.email]
        assert (row["organisation"], row["name"], row["role"]) == (
            rep.organisation,
            rep.name,
            rep.role,
        )
    approved = db.session.scalars(
        select(Organisation).where(Organisation.name == reps.approved.organisation)
    ).one()
    assert open_representative(approved.rep_sealed or b"", CUSTODIAN) == Representative(
        name=reps.approved.name, role=reps.approved.role, email=reps.approved.email
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


def unsealed(app: Flask, tmp_path: Path, *options: str) -> dict[str, dict[str, str]]:
    """`flask unseal` with the custodian's identity, kept outside the server's folders."""
    key_file = tmp_path / f"custodian{len(options)}.key"
    write_identity(CUSTODIAN, key_file)
    out = tmp_path / f"unsealed{len(options)}.csv"
    result = app.test_cli_runner().invoke(
        args=["unseal", SLUG, "--identity", str(key_file), "-o", str(out), *options]
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
    reps = invented_representatives()
    leave_review_every_way(app, mailbox, reps, database_bytes)

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
    assert leaks([*canaries, *reps.all()], stored, everything, logged) == []
    assert_every_canary_unsealed(app, tmp_path, canaries)
    assert_every_representative_unsealed(app, tmp_path, reps)
    assert_age_opens_a_sealed_value(tmp_path, full)


@pytest.mark.sqlite
def test_on_sqlite_no_file_and_no_log_names_a_signer(server, mailbox, logs, instance, tmp_path):
    database = Path(make_url(server.config["SQLALCHEMY_DATABASE_URI"]).database or "")
    assert database.parent == instance  # searched twice: as the database and in the folder
    nothing_names_a_signer(server, mailbox, logs, tmp_path, lambda: sqlite_files(server))


@pytest.mark.postgresql
def test_on_postgresql_no_dump_and_no_log_names_a_signer(server, mailbox, logs, tmp_path):
    nothing_names_a_signer(server, mailbox, logs, tmp_path, pg_dump)
