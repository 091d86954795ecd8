"""`flask backup -o FILE` and `flask restore FILE`: the site survives a lost host.

Data goes in as in production (canary signers through the HTTP forms and the outbox worker,
an approved organisation with a stored logo, a delivery package built into DELIVERY_DIR);
the real commands back it up; the database and the instance folder are lost; a new host
(the database empty, a new instance folder elsewhere) restores the archive, and everything
is compared with what was there before.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import stat
import subprocess
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from flask_migrate import downgrade, upgrade
from PIL import Image
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import make_url

from petition.coalition.logos import logo_folder, store_logo
from petition.delivery.background import delivery_dir
from petition.delivery.package import build_package
from petition.delivery.service import package_zip
from petition.extensions import db
from petition.models import Campaign, DeliveryPackage, Organisation, Signature
from petition.models.types import utcnow
from tests.conftest import fresh_database, make_app
from tests.delivery.outputs import add_target
from tests.factories import make_campaign, make_organisation
from tests.mailbox import Mailbox
from tests.prerequisites import tool
from tests.test_sealed_canaries import (
    SLUG,
    Canary,
    assert_every_canary_unsealed,
    invented_canaries,
    leaks,
    send_confirm_and_close,
    sign_all,
)

# What an instance folder holds that must never leave the host in a backup.
SECRETS = {
    "secret_key": b"invented-development-secret-key-0f3a",
    "demo-custodian.key": b"AGE-SECRET-KEY-1INVENTEDDEMOKEY0F3A",
    "mail/0001.eml": b"To: saved.mail@mail-canary.example\r\n\r\nInvented saved mail.",
    "deliveries/notes/custodian.key": b"AGE-SECRET-KEY-1INVENTEDSTRAYKEY0F3A",
}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    """A database of this test alone, which the test loses and restores."""
    with fresh_database(tmp_path) as uri:
        yield uri


def host(instance: Path, database: str, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app as a host runs it: on `database`, with `instance` as its instance folder."""
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    return make_app(database, mailbox)


@pytest.fixture
def old_host(
    tmp_path: Path, database: str, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    app = host(tmp_path / "old-instance", database, mailbox, monkeypatch)
    with app.app_context():
        upgrade()
        make_campaign(SLUG)
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def new_host(
    tmp_path: Path, database: str, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Flask]:
    """Another machine, whose instance folder is somewhere else, on the old one's database
    address (empty, once `lose` has run); the test enters its app context."""
    app = host(tmp_path / "new-instance", database, mailbox, monkeypatch)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def cli(app: Flask, *args: str) -> Any:
    """Run a command as an operator would, with the test's own transaction ended first (on
    SQLite it would hold the write lock)."""
    db.session.commit()
    runner: FlaskCliRunner = app.test_cli_runner()
    return runner.invoke(args=list(args))


def archive_path(tmp_path: Path) -> Path:
    """Where the operator keeps archives: a folder of their own, off the instance folder."""
    folder = tmp_path / "backups"
    folder.mkdir()
    return folder / "petition.tar.gz"


def a_logo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (400, 200), (30, 90, 150)).save(buffer, "PNG")
    return buffer.getvalue()


def fill(app: Flask, mailbox: Mailbox) -> list[Canary]:
    """Signers (confirmed and pending) through the forms and the worker, an approved
    organisation with a logo, a built delivery package, and the files that must stay."""
    canaries = invented_canaries()
    sign_all(app, canaries)
    send_confirm_and_close(app, mailbox, canaries)
    campaign = db.session.scalars(select(Campaign)).one()
    make_organisation(campaign, logo=store_logo(a_logo()))
    target = add_target(campaign, "en", name="International Committee of the Red Cross")
    db.session.commit()
    build_package(campaign, target, cutoff=utcnow(), out_dir=delivery_dir())
    db.session.commit()
    for name, content in SECRETS.items():
        planted = Path(app.instance_path) / name
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.write_bytes(content)
    return canaries


def snapshot() -> dict[str, Any]:
    """What the site holds: every table's count, each signature's sealed bytes and status,
    the organisations, the packages' records, and the bytes of logos and package files."""
    packages = db.session.scalars(select(DeliveryPackage).order_by(DeliveryPackage.id)).all()
    logos = {path.name: path.read_bytes() for path in logo_folder().iterdir()}
    return {
        "counts": {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        },
        "signatures": db.session.execute(
            select(
                Signature.id,
                Signature.sealed,
                Signature.status,
                Signature.display,
                Signature.public_name,
                Signature.email_hash,
            ).order_by(Signature.id)
        ).all(),
        "organisations": db.session.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.status,
                Organisation.logo,
                Organisation.rep_sealed,
            ).order_by(Organisation.id)
        ).all(),
        "packages": [
            (p.id, p.status, p.manifest_sha256, p.files, Path(p.folder or "").name)
            for p in packages
        ],
        "logos": logos,
        "package_files": {
            str(path.relative_to(delivery_dir())): path.read_bytes()
            for package in packages
            for path in sorted(Path(package.folder or "").rglob("*"))
            if path.is_file()
        },
    }


def lose(app: Flask) -> None:
    """The host is gone: its database emptied (SQLite: the file deleted; PostgreSQL: the
    schema dropped and made again, empty) and its instance folder deleted."""
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        db.engine.dispose()
        database = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database or "")
        for suffix in ("", "-wal", "-shm"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
    else:
        with db.engine.begin() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar_one()
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        db.engine.dispose()
    shutil.rmtree(app.instance_path)


def members(archive: Path) -> dict[str, bytes]:
    """Each member's content, readable: a PostgreSQL custom dump (compressed) as plain SQL."""
    with tarfile.open(archive, mode="r:gz") as tar:
        found = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]
    if "database.pgdump" in found:
        found["database.pgdump"] = subprocess.run(  # noqa: S603 - our own dump, as plain SQL
            [tool("pg_restore"), "--file=-"],
            input=found["database.pgdump"],
            capture_output=True,
            check=True,
        ).stdout
    return found


def test_a_new_host_restores_signatures_organisations_logos_and_packages(
    old_host, new_host, mailbox, tmp_path
):
    canaries = fill(old_host, mailbox)
    before = snapshot()
    archive = archive_path(tmp_path)

    made = cli(old_host, "backup", "-o", str(archive))
    checked = cli(old_host, "restore", "--check", str(archive))

    assert checked.exit_code == 0, checked.output
    assert checked.output.startswith("archive: ok, made ")
    assert checked.output.endswith(" file(s)\n")
    assert made.exit_code == 0, made.output
    assert made.output.splitlines()[1:] == [
        "files: 1 logo(s), 8 delivery package file(s)",
        f"done: {archive}, {archive.stat().st_size} bytes",
    ]
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert [path.name for path in archive.parent.iterdir()] == [archive.name]
    lose(old_host)

    with new_host.app_context():
        restored = cli(new_host, "restore", str(archive))

        assert restored.exit_code == 0, restored.output
        assert "done: the database is at revision" in restored.output
        assert "db upgrade" not in restored.output
        assert snapshot() == before
        assert len(before["signatures"]) == len(canaries)
        assert len(before["logos"]) == 1
        assert len(before["package_files"]) == 8
        [package] = db.session.scalars(select(DeliveryPackage)).all()
        assert Path(package.folder or "").parent == delivery_dir()  # this host's folder
        with zipfile.ZipFile(package_zip(package)) as downloaded:
            assert f"{Path(package.folder or '').name}/manifest.json" in downloaded.namelist()
        assert_every_canary_unsealed(new_host, tmp_path, canaries)


def shared_storage(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Package and logo folders outside the instance folder, set in the environment as an
    operator with several web hosts sets them."""
    deliveries, logos = root / "deliveries", root / "logos"
    monkeypatch.setenv("DELIVERY_DIR", str(deliveries))
    monkeypatch.setenv("LOGO_FOLDER", str(logos))
    return deliveries, logos


def test_the_folders_the_environment_names_are_backed_up_and_restored_into_the_new_hosts(
    tmp_path, database, mailbox, monkeypatch
):
    old_storage = shared_storage(tmp_path / "old-storage", monkeypatch)
    old_host = host(tmp_path / "old-instance", database, mailbox, monkeypatch)
    archive = archive_path(tmp_path)
    with old_host.app_context():
        upgrade()
        make_campaign(SLUG)
        fill(old_host, mailbox)
        assert (delivery_dir(), logo_folder()) == old_storage
        before = snapshot()
        assert cli(old_host, "backup", "-o", str(archive)).exit_code == 0
        lose(old_host)
    shutil.rmtree(tmp_path / "old-storage")

    new_storage = shared_storage(tmp_path / "new-storage", monkeypatch)
    new_host = host(tmp_path / "new-instance", database, mailbox, monkeypatch)
    with new_host.app_context():
        restored = cli(new_host, "restore", str(archive))

        assert restored.exit_code == 0, restored.output
        assert "files: 1 logo(s), 8 delivery package file(s)" in restored.output
        assert (delivery_dir(), logo_folder()) == new_storage
        assert snapshot() == before
        [package] = db.session.scalars(select(DeliveryPackage)).all()
        assert Path(package.folder or "").parent == new_storage[0]
        db.session.remove()
        db.engine.dispose()


def test_the_archive_holds_no_key_no_saved_mail_and_no_signer_in_the_clear(
    old_host, mailbox, tmp_path
):
    canaries = fill(old_host, mailbox)
    archive = archive_path(tmp_path)

    assert cli(old_host, "backup", "-o", str(archive)).exit_code == 0

    contents = members(archive)
    assert [name for name in contents if name.endswith((".key", ".eml", "secret_key"))] == []
    everything = [*contents.values(), "\n".join(contents).encode(), archive.read_bytes()]
    assert [name for name, secret in SECRETS.items() if any(secret in c for c in everything)] == []
    [database] = [content for name, content in contents.items() if name.startswith("database.")]
    full = next(canary for canary in canaries if canary.display == "full")
    assert full.name.encode() in database  # the search finds what is there in the clear
    assert leaks(canaries, *everything) == []


def damage_by_truncating(archive: Path) -> None:
    content = archive.read_bytes()
    archive.write_bytes(content[: len(content) * 2 // 3])


def damage_by_changing_the_logo(archive: Path) -> None:
    """A new archive with the same manifest whose logo has one byte changed."""
    with tarfile.open(archive, mode="r:gz") as tar:
        entries = [(m, tar.extractfile(m).read()) for m in tar]  # type: ignore[union-attr]
    with tarfile.open(archive, mode="w:gz") as tar:
        for member, content in entries:
            changed = content[:-1] + bytes([content[-1] ^ 1])
            logo = member.name.startswith("files/logos/")
            tar.addfile(member, io.BytesIO(changed if logo else content))


@pytest.mark.parametrize("damage", [damage_by_truncating, damage_by_changing_the_logo])
def test_a_damaged_archive_restores_nothing(old_host, new_host, tmp_path, damage):
    campaign = db.session.scalars(select(Campaign)).one()
    make_organisation(campaign, logo=store_logo(a_logo()))
    archive = archive_path(tmp_path)
    assert cli(old_host, "backup", "-o", str(archive)).exit_code == 0
    damage(archive)
    lose(old_host)

    with new_host.app_context():
        checked = cli(new_host, "restore", "--check", str(archive))
        restored = cli(new_host, "restore", str(archive))

        for result in (checked, restored):
            assert result.exit_code == 1
            assert "the archive is damaged or not a backup" in result.output
            assert "nothing was restored" in result.output
        assert not inspect(db.engine).has_table("campaign")
        assert not logo_folder().exists()


def replace_the_database_and_its_hash(archive: Path, content: bytes) -> None:
    """An archive whose manifest is right about a database member that is no database."""
    with tarfile.open(archive, mode="r:gz") as tar:
        entries = {m.name: (m, tar.extractfile(m).read()) for m in tar}  # type: ignore[union-attr]
    manifest = json.loads(entries["manifest.json"][1])
    [name] = [name for name in entries if name.startswith("database.")]
    manifest["members"][name] = hashlib.sha256(content).hexdigest()
    entries[name] = (entries[name][0], content)
    entries["manifest.json"] = (entries["manifest.json"][0], json.dumps(manifest).encode())
    with tarfile.open(archive, mode="w:gz") as tar:
        for member, data in entries.values():
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))


def test_an_archive_whose_database_cannot_be_read_restores_nothing_and_says_why(
    old_host, new_host, tmp_path
):
    archive = archive_path(tmp_path)
    assert cli(old_host, "backup", "-o", str(archive)).exit_code == 0
    replace_the_database_and_its_hash(archive, b"invented bytes that are no database " * 100)
    lose(old_host)

    with new_host.app_context():
        restored = cli(new_host, "restore", str(archive))

        assert restored.exit_code == 1
        assert "Traceback" not in restored.output
        why = {
            "sqlite": "SQLite's backup stopped: file is not a database",
            "postgresql": "pg_restore failed:\npg_restore: error: input file does not appear",
        }
        assert why[db.engine.dialect.name] in restored.output, restored.output
        assert not inspect(db.engine).has_table("campaign")


def test_a_database_with_campaigns_is_replaced_only_when_forced(old_host, tmp_path):
    archive = archive_path(tmp_path)
    assert cli(old_host, "backup", "-o", str(archive)).exit_code == 0
    make_campaign("made-after-the-backup")

    refused = cli(old_host, "restore", str(archive))

    assert refused.exit_code == 1
    assert "already holds campaigns" in refused.output
    assert "--force" in refused.output
    slugs = set(db.session.scalars(select(Campaign.slug)))
    assert slugs == {SLUG, "made-after-the-backup"}

    forced = cli(old_host, "restore", "--force", str(archive))

    assert forced.exit_code == 0, forced.output
    assert set(db.session.scalars(select(Campaign.slug))) == {SLUG}


def test_an_archive_is_never_written_over_a_file_unless_forced(old_host, tmp_path):
    archive = archive_path(tmp_path)
    archive.write_bytes(b"an operator's own file")

    refused = cli(old_host, "backup", "-o", str(archive))

    assert refused.exit_code == 1
    assert f"{archive} exists; choose a new file or use --force" in refused.output
    assert archive.read_bytes() == b"an operator's own file"
    assert [path.name for path in archive.parent.iterdir()] == [archive.name]

    forced = cli(old_host, "backup", "-o", str(archive), "--force")

    assert forced.exit_code == 0, forced.output
    assert "manifest.json" in members(archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600


def test_an_archive_of_an_older_revision_is_restored_and_says_to_upgrade(
    old_host, new_host, tmp_path
):
    downgrade(revision="-1")
    archive = archive_path(tmp_path)
    assert cli(old_host, "backup", "-o", str(archive)).exit_code == 0
    lose(old_host)

    with new_host.app_context():
        restored = cli(new_host, "restore", str(archive))

        assert restored.exit_code == 0, restored.output
        assert "run `flask --app petition db upgrade`" in restored.output
        upgrade()
        assert set(db.session.scalars(select(Campaign.slug))) == {SLUG}


PASSWORD = "invented-password-9c4e"


def with_password(database: str) -> str:
    return make_url(database).set(password=PASSWORD).render_as_string(hide_password=False)


def test_a_database_that_cannot_be_opened_is_a_clear_error_naming_no_password(
    database, mailbox, monkeypatch, tmp_path
):
    if make_url(database).get_backend_name() == "sqlite":
        unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'petition.db'}"
    else:
        unreachable = with_password(
            make_url(database).set(database="no_such_database_9c4e").render_as_string(False)
        )
    app = host(tmp_path / "instance", unreachable, mailbox, monkeypatch)
    archive = archive_path(tmp_path)

    with app.app_context():
        made = cli(app, "backup", "-o", str(archive))

    assert made.exit_code == 1
    assert "cannot be used (" in made.output
    assert "check DATABASE_URL" in made.output
    assert PASSWORD not in made.output
    assert list(archive.parent.iterdir()) == []


@pytest.mark.postgresql
def test_the_password_goes_to_pg_dump_and_pg_restore_but_is_never_printed(
    database, mailbox, monkeypatch, tmp_path
):
    app = host(tmp_path / "instance", with_password(database), mailbox, monkeypatch)
    archive = archive_path(tmp_path)
    with app.app_context():
        upgrade()
        make_campaign(SLUG)
        made = cli(app, "backup", "-o", str(archive))
        restored = cli(app, "restore", "--force", str(archive))

        assert made.exit_code == 0, made.output
        assert restored.exit_code == 0, restored.output
        assert set(db.session.scalars(select(Campaign.slug))) == {SLUG}
        db.session.remove()
        db.engine.dispose()
    assert PASSWORD not in made.output + restored.output
    assert not any(PASSWORD.encode() in content for content in members(archive).values())


@pytest.mark.postgresql
def test_without_pg_dump_on_the_path_the_backup_says_what_to_install(
    old_host, tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    archive = archive_path(tmp_path)

    made = cli(old_host, "backup", "-o", str(archive))

    assert made.exit_code == 1
    assert "pg_dump is not on the PATH: install PostgreSQL's client tools" in made.output
    assert list(archive.parent.iterdir()) == []


@pytest.mark.postgresql
def test_a_restore_replaces_the_apps_tables_and_leaves_the_rest_of_the_schema(old_host, tmp_path):
    archive = archive_path(tmp_path)
    assert cli(old_host, "backup", "-o", str(archive)).exit_code == 0
    db.session.execute(text("CREATE TABLE operators_own_notes (note text)"))
    db.session.execute(text("INSERT INTO operators_own_notes VALUES ('kept')"))
    make_campaign("made-after-the-backup")

    forced = cli(old_host, "restore", "--force", str(archive))

    assert forced.exit_code == 0, forced.output
    assert set(db.session.scalars(select(Campaign.slug))) == {SLUG}
    assert db.session.scalars(text("SELECT note FROM operators_own_notes")).all() == ["kept"]
