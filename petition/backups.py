"""Backups: one archive that lets the site come back on a new host, and restoring it.

An archive is a gzipped tar of the database (PostgreSQL: `pg_dump` custom format of the
app's schema; SQLite: a copy made with SQLite's online backup API, consistent while the
site runs), the instance files that cannot be made again (organisation logos, the delivery
packages in DELIVERY_DIR) and, last, `manifest.json`: the format, the database's Alembic
revision, when it was made, and the SHA-256 of every other member.

The database holds signers only sealed (ARCHITECTURE.md, sealed personal data), so neither
does the archive. It never holds the keys that would undo that or forge the site: SECRET_KEY
and EMAIL_HASH_KEY live in the environment, not in files it reads; the instance folder's
`secret_key`, custodian identities (`*.key`) and the development mail folder (`.eml` files,
which hold addresses) are never taken, whatever folder the settings point at.

A restore reads the whole archive and checks every hash before it changes anything: a
damaged or truncated archive restores nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import current_app
from psycopg.conninfo import make_conninfo
from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.engine import URL, make_url

from petition.coalition.logos import is_logo_name, logo_folder
from petition.delivery.background import delivery_dir
from petition.extensions import db
from petition.models import Campaign, DeliveryPackage
from petition.models.types import utcnow
from petition.private_files import replaced_privately

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE_MEMBERS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
LOGOS = PurePosixPath("files/logos")
PACKAGES = PurePosixPath("files/deliveries")
# Never in an archive, whichever folder they turn up in.
NEVER_NAMES = frozenset({"secret_key"})
NEVER_SUFFIXES = frozenset({".key", ".eml"})
CHUNK = 1024 * 1024
# `pg_restore --list` lines for the schema itself: `6; 2615 16392 SCHEMA - public owner`, and
# `3349; 0 0 COMMENT - SCHEMA public owner`.
SCHEMA_ENTRY = re.compile(r"\d+; \d+ \d+ (SCHEMA|COMMENT - SCHEMA) ")
SQLITE_BUSY_SECONDS = 10.0  # the app's busy_timeout (petition/database.py)

Report = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


class ArchiveDamaged(BackupError):
    """The archive is not one this app wrote, or has changed since: nothing was restored."""

    def __init__(self, why: str) -> None:
        super().__init__(f"the archive is damaged or not a backup ({why}): nothing was restored")


class DatabaseNotEmpty(BackupError):
    """The configured database already holds campaigns."""


@dataclass(frozen=True)
class Manifest:
    """What an archive says about itself."""

    revision: str | None
    backend: str
    schema: str | None
    delivery_dir: str
    created_at: str
    members: dict[str, str]  # name → SHA-256

    @property
    def summary(self) -> str:
        return (
            f"made {self.created_at}, {self.backend} at revision {self.revision},"
            f" {len(self.members)} file(s)"
        )

    def as_json(self) -> bytes:
        fields = {"format": FORMAT, **asdict(self)}
        return (json.dumps(fields, indent=2, sort_keys=True) + "\n").encode()


@dataclass(frozen=True)
class Restored:
    """What a restore put back, and whether the database must be migrated after it."""

    revision: str | None
    head: str | None

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head


# Writing


def write_backup(out: Path, *, force: bool, report: Report) -> int:
    """Write an archive of the database and the instance files to `out` (mode 0600, whole
    or not at all) and return its size in bytes. FileExistsError if `out` exists, unless
    `force`."""
    backend = _backend()
    with (
        replaced_privately(out, force=force) as fd,
        os.fdopen(fd, "wb") as handle,
        tempfile.TemporaryDirectory(prefix=".petition-backup-", dir=out.parent) as staging,
    ):
        dumped = Path(staging) / DATABASE_MEMBERS[backend]
        revision = _current_revision()
        schema = _dump_database(backend, dumped)
        report(f"database: {backend}, {dumped.stat().st_size} bytes")
        with tarfile.open(fileobj=handle, mode="w:gz") as tar:
            members = {dumped.name: _add_file(tar, dumped.name, dumped)}
            logos = _add_files(tar, members, LOGOS, _logo_files())
            packages = _add_files(tar, members, PACKAGES, _package_files())
            report(f"files: {logos} logo(s), {packages} delivery package file(s)")
            manifest = Manifest(
                revision=revision,
                backend=backend,
                schema=schema,
                delivery_dir=str(delivery_dir()),
                created_at=utcnow().isoformat(timespec="seconds"),
                members=members,
            )
            _add_bytes(tar, MANIFEST, manifest.as_json())
    return out.stat().st_size


def _dump_database(backend: str, target: Path) -> str | None:
    """Write the database to `target`; the PostgreSQL schema it came from (SQLite: None)."""
    if backend == "postgresql":
        return _dump_postgresql(target)
    _copy_sqlite(target)
    return None


def _backend() -> str:
    name = db.engine.dialect.name
    if name not in DATABASE_MEMBERS:
        raise BackupError(f"cannot back up a {name} database (PostgreSQL or SQLite only)")
    return name


def _add_files(
    tar: tarfile.TarFile,
    members: dict[str, str],
    prefix: PurePosixPath,
    files: Iterator[tuple[PurePosixPath, Path]],
) -> int:
    """Add each file under `prefix` (by its path below its folder) and record its hash."""
    added = 0
    for relative, path in files:
        name = str(prefix / relative)
        try:
            members[name] = _add_file(tar, name, path)
        except FileNotFoundError:
            continue  # removed since it was listed (retention): not part of the backup
        added += 1
    return added


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> str:
    """Add `path` as member `name`, reading it once: the hash is of the bytes archived."""
    with path.open("rb") as source:
        status = os.fstat(source.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = status.st_size, int(status.st_mtime), 0o600
        hashing = _Hashing(source)
        tar.addfile(info, hashing)
    return hashing.hash.hexdigest()


def _add_bytes(tar: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(content), int(utcnow().timestamp()), 0o600
    tar.addfile(info, _Hashing(io.BytesIO(content)))


class _Hashing:
    """A reader that hashes what passes through it."""

    def __init__(self, source: IO[bytes]) -> None:
        self.source = source
        self.hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.source.read(size)
        self.hash.update(chunk)
        return chunk


def _is_never_archived(path: PurePosixPath | Path) -> bool:
    """Keys and saved mail: never in an archive, and never taken out of one."""
    return path.name in NEVER_NAMES or path.suffix in NEVER_SUFFIXES


def _logo_files() -> Iterator[tuple[PurePosixPath, Path]]:
    folder = logo_folder()
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if is_logo_name(path.name) and path.is_file() and not path.is_symlink():
            yield PurePosixPath(path.name), path


def _package_files() -> Iterator[tuple[PurePosixPath, Path]]:
    """Every file of every finished package folder (a half-built one is hidden: `.…`)."""
    root = delivery_dir()
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            relative = PurePosixPath(path.relative_to(root).as_posix())
            if _is_archivable(relative) and path.is_file() and not path.is_symlink():
                yield relative, path


def _is_archivable(relative: PurePosixPath) -> bool:
    hidden = any(part.startswith(".") for part in relative.parts)
    return not hidden and not _is_never_archived(relative)


# The databases


def _copy_sqlite(target: Path) -> None:
    """A consistent copy of the live file, through SQLite's online backup API, in one file
    (no write-ahead log beside it)."""
    with closing(_connect(_sqlite_file())) as source, closing(_connect(target)) as copy:
        _sqlite_backup(source, copy)
        copy.execute("PRAGMA journal_mode = DELETE").close()


def _sqlite_file() -> Path:
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("the SQLite database is in memory: there is no file to back up")
    return Path(database)


def _connect(path: Path) -> sqlite3.Connection:
    """A plain connection that waits for a writer as long as the app's connections do."""
    try:
        return sqlite3.connect(path, timeout=SQLITE_BUSY_SECONDS)
    except sqlite3.Error as error:
        raise BackupError(f"cannot open the SQLite database {path}: {error}") from error


def _sqlite_backup(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    try:
        source.backup(target)
    except sqlite3.Error as error:  # busy for too long, a full disk, not a database
        raise BackupError(f"SQLite's backup stopped: {error}") from error


def _dump_postgresql(target: Path) -> str:
    """`pg_dump` of the schema the app's tables are in (its search_path's first, which is
    `public` unless the URL says otherwise); returns that schema's name."""
    schema = _current_schema()
    exactly = '"' + schema.replace('"', '""') + '"'  # a pattern matching this name alone
    _run("pg_dump", "--format=custom", "--no-owner", f"--schema={exactly}", f"--file={target}")
    return schema


def _current_schema() -> str:
    schema = db.session.execute(text("SELECT current_schema()")).scalar_one_or_none()
    db.session.commit()
    if schema is None:
        raise BackupError("the database URL's search_path names no schema that exists")
    return str(schema)


def _run(tool: str, *arguments: str) -> str:
    """Run a PostgreSQL client tool against the app's database. The password goes to it in
    PGPASSWORD, never on the command line or in what is printed."""
    found = shutil.which(tool)
    if found is None:
        raise BackupError(
            f"{tool} is not on the PATH: install PostgreSQL's client tools"
            " (Debian: postgresql-client, the server's major version or newer)"
        )
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    env = {**os.environ, "PGPASSWORD": url.password} if url.password else dict(os.environ)
    ran = subprocess.run(  # noqa: S603 - our own arguments, no shell
        [found, *arguments, f"--dbname={_conninfo(url)}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if ran.returncode != 0:
        raise BackupError(f"{tool} failed:\n{_errors_only(ran.stderr)}")
    return ran.stdout


def _conninfo(url: URL) -> str:
    """libpq's connection string for a SQLAlchemy URL, without the password."""
    params: dict[str, Any] = {
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "dbname": url.database,
    }
    params.update({key: value for key, value in url.query.items() if isinstance(value, str)})
    return make_conninfo(**{key: value for key, value in params.items() if value is not None})


def _errors_only(stderr: str) -> str:
    """The tool's error lines, without the statement or row context that may follow them."""
    context = ("DETAIL:", "CONTEXT:", "Command was:", "LINE ")
    lines = [line for line in stderr.splitlines() if not line.lstrip().startswith(context)]
    return "\n".join(line[:300] for line in lines[-10:])


def _current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


# Checking and restoring


def check_archive(archive: Path) -> Manifest:
    """Read every member of `archive` and check it against the manifest; ArchiveDamaged
    unless each member is one a backup writes and has the hash the manifest gives."""
    hashes: dict[str, str] = {}
    manifest: bytes | None = None
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member, content in _members(tar):
                if member.name == MANIFEST:
                    manifest = content.read()
                else:
                    hashes[member.name] = _sha256(content)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise ArchiveDamaged(str(error) or type(error).__name__) from error
    if manifest is None:
        raise ArchiveDamaged("it has no manifest")
    found = _parse_manifest(manifest)
    if found.members != hashes:
        raise ArchiveDamaged("its files do not match the hashes in its manifest")
    _check_revision_known(found.revision)
    return found


def _members(tar: tarfile.TarFile) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    for member in tar:
        content = tar.extractfile(member) if member.isfile() else None
        if content is None or not _is_member_name(member.name):
            raise ArchiveDamaged(f"it holds {member.name!r}, which no backup writes")
        yield member, content


def _is_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    if name in (MANIFEST, *DATABASE_MEMBERS.values()):
        return True
    if path.parent == LOGOS:
        return is_logo_name(path.name)
    if path.is_relative_to(PACKAGES) and len(path.parts) > len(PACKAGES.parts) + 1:
        relative = path.relative_to(PACKAGES)
        return ".." not in relative.parts and _is_archivable(relative)
    return False


def _sha256(content: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := content.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _parse_manifest(raw: bytes) -> Manifest:
    try:
        fields = json.loads(raw)
        if fields.pop("format") != FORMAT:
            raise ArchiveDamaged(f"it is not of format {FORMAT}")
        manifest = Manifest(**fields)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ArchiveDamaged("its manifest cannot be read") from error
    if manifest.backend not in DATABASE_MEMBERS:
        raise ArchiveDamaged("its manifest names no database this app runs on")
    return manifest


def _check_revision_known(revision: str | None) -> None:
    if revision is None:
        return
    try:
        _script().get_revision(revision)
    except CommandError as error:
        raise BackupError(
            f"the archive's database is at revision {revision}, which this version of the"
            " app does not know: restore it with the version that made it"
        ) from error


def restore_backup(archive: Path, *, force: bool, report: Report) -> Restored:
    """Put the archive's database and files in place of the configured ones: the archive is
    checked first; a database that holds campaigns is replaced only with `force`."""
    manifest = check_archive(archive)
    report(f"archive: checked, {manifest.summary}")
    backend = _backend()
    if manifest.backend != backend:
        raise BackupError(
            f"the archive holds a {manifest.backend} database; this app is set up for {backend}"
        )
    if _holds_campaigns() and not force:
        raise DatabaseNotEmpty(
            "the configured database already holds campaigns: restore into an empty database,"
            " or give --force to replace what it holds"
        )
    with (
        tempfile.TemporaryDirectory(prefix=".petition-restore-", dir=archive.parent) as staging,
        tarfile.open(archive, mode="r:gz") as tar,
    ):
        dumped = _extract(tar, DATABASE_MEMBERS[backend], Path(staging))
        db.session.remove()
        db.engine.dispose()
        if backend == "postgresql":
            _restore_postgresql(dumped, manifest.schema)
        else:
            _restore_sqlite(dumped)
        report(f"database: restored ({backend})")
        logos, packages = _restore_files(tar)
    _move_package_folders(manifest.delivery_dir)
    report(f"files: {logos} logo(s), {packages} delivery package file(s)")
    return Restored(manifest.revision, _script().get_current_head())


def _holds_campaigns() -> bool:
    if not inspect(db.engine).has_table("campaign"):
        return False
    held = db.session.scalar(select(func.count(Campaign.id)))
    db.session.commit()
    return bool(held)


def _extract(tar: tarfile.TarFile, name: str, folder: Path) -> Path:
    target = folder / PurePosixPath(name).name
    content = tar.extractfile(name)
    if content is None:
        raise ArchiveDamaged(f"it has no {name}")
    with target.open("wb") as handle:
        shutil.copyfileobj(content, handle, CHUNK)
    return target


def _restore_sqlite(copy: Path) -> None:
    """Write the copy into the configured file with the backup API: the live file's
    connections see the whole restored database or the one before, never a mixture."""
    target = _sqlite_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(_connect(copy)) as source, closing(_connect(target)) as live:
        _sqlite_backup(source, live)
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)").close()


def _restore_postgresql(dumped: Path, schema: str | None) -> None:
    """`pg_restore` in one transaction: a failure leaves the database as it was. It drops
    and makes again the archive's tables, sequences and indexes, but not their schema: that
    stays as it is (its owner, its privileges, whatever else it holds, like an extension's
    objects), so the app's database user needs to own only its own tables."""
    here = _current_schema()
    if schema != here:
        raise BackupError(
            f"the archive's tables are in the schema {schema!r}, but this database's"
            f" search_path puts the app's tables in {here!r}: set the same schema"
        )
    listing = dumped.with_suffix(".list")
    listing.write_text(_without_schema(_run("pg_restore", "--list", str(dumped))))
    _run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--use-list={listing}",
        str(dumped),
    )


def _without_schema(listing: str) -> str:
    """A `pg_restore --list` without the entries that make or comment the schema itself."""
    return "".join(
        line for line in listing.splitlines(keepends=True) if not SCHEMA_ENTRY.match(line)
    )


def _restore_files(tar: tarfile.TarFile) -> tuple[int, int]:
    """Each logo and package file into the folders the settings name now."""
    counts = {LOGOS: 0, PACKAGES: 0}
    folders = {LOGOS: logo_folder(), PACKAGES: delivery_dir()}
    for member in tar:
        path = PurePosixPath(member.name)
        prefix = LOGOS if path.parent == LOGOS else PACKAGES
        if not path.is_relative_to(prefix):
            continue  # the manifest and the database
        content = tar.extractfile(member)
        if content is not None:
            _write_in_place(folders[prefix] / path.relative_to(prefix), content)
            counts[prefix] += 1
    return counts[LOGOS], counts[PACKAGES]


def _write_in_place(target: Path, content: IO[bytes]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with replaced_privately(target, force=True) as fd, os.fdopen(fd, "wb") as handle:
        shutil.copyfileobj(content, handle, CHUNK)


def _move_package_folders(old_root: str) -> None:
    """Point the packages recorded under the old host's DELIVERY_DIR at this one's."""
    new_root = str(delivery_dir())
    if old_root == new_root:
        return
    rows = db.session.execute(select(DeliveryPackage.id, DeliveryPackage.folder)).all()
    for package_id, folder in rows:
        if folder and Path(folder).is_relative_to(old_root):
            moved = str(Path(new_root) / Path(folder).relative_to(old_root))
            db.session.execute(
                update(DeliveryPackage).where(DeliveryPackage.id == package_id).values(folder=moved)
            )
    db.session.commit()
