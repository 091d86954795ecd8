"""Checks an operator runs after deploying (`flask --app petition check`).

Each check is a small function returning a Result: ok, a failure that says how to fix it, or
a skip that says why the check does not apply. No result holds a secret: a URL is shown
without its password or query, an error by its reason only.
"""

from __future__ import annotations

import enum
import ipaddress
import os
import smtplib
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import redis
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.exc import SQLAlchemyError

from petition.coalition.logos import logo_folder
from petition.delivery.background import delivery_dir
from petition.delivery.pdf import FontsMissing, require_fonts
from petition.extensions import db
from petition.mail.transport import open_smtp, tls_context
from petition.models import Campaign, CampaignStatus, CustodianKey
from petition.ratelimit import shared_networks

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
TIMEOUT_SECONDS = 5
UPGRADE = "flask --app petition db upgrade"


class Status(enum.StrEnum):
    OK = "ok"
    SKIP = "skip"
    FAIL = "FAIL"


@dataclass(frozen=True)
class Result:
    name: str
    status: Status
    detail: str

    @property
    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.detail}"


def shown_url(url: str) -> str:
    """A URL fit to print: scheme, user, host, port and path; never a password or query."""
    parts = urlsplit(url)
    user = (
        f"{parts.username}{':***' if parts.password else ''}@" if parts.username is not None else ""
    )
    host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""
    return f"{parts.scheme}://{user}{host}{parts.path}"


def reason_for(error: BaseException) -> str:
    """What went wrong, in words that name no secret."""
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the server answered {error.smtp_code}"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    if isinstance(error, SQLAlchemyError | redis.RedisError):
        # The driver's first line ("connection refused", "password authentication failed
        # for user …"), never SQLAlchemy's echo of the statement and its parameters.
        text = str(getattr(error, "orig", None) or error).strip()
        return text.splitlines()[0] if text else type(error).__name__
    return type(error).__name__


def database() -> Result:
    """The database answers and its schema is at the migrations' head."""
    name = "database"
    url = shown_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    heads = set(script.get_heads())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        return Result(
            name, Status.FAIL, f"{url} does not answer ({reason_for(error)}); check DATABASE_URL"
        )
    if current == heads:
        return Result(
            name, Status.OK, f"{url} is at the latest revision ({', '.join(sorted(heads))})"
        )
    if not current:
        return Result(name, Status.FAIL, f"{url} is not migrated: run `{UPGRADE}`")
    at = ", ".join(sorted(current))
    if current - {revision.revision for revision in script.walk_revisions()}:
        return Result(
            name,
            Status.FAIL,
            f"{url} is at revision {at}, which this code does not know: deploy the release"
            " that migrated it",
        )
    return Result(
        name,
        Status.FAIL,
        f"{url} is at revision {at}, behind {', '.join(sorted(heads))}: run `{UPGRADE}`",
    )


def _messages(catalogue: Catalog) -> dict[object, object]:
    def hashable(value: object) -> object:
        return tuple(value) if isinstance(value, list | tuple) else value

    return {(m.context, hashable(m.id)): hashable(m.string) for m in catalogue if m.id}


def _compiled_from(source: Path) -> bool:
    """Whether the `.mo` beside `source` holds what compiling `source` now would give (a
    comparison of messages, not of file times, which an install need not keep)."""
    with source.open("rb") as po:
        expected = BytesIO()
        write_mo(expected, read_po(po, locale=source.parent.parent.name))
    expected.seek(0)
    try:
        with source.with_suffix(".mo").open("rb") as mo:
            found = read_mo(mo)
    except (OSError, struct.error):  # missing, or not a catalogue
        return False
    return _messages(read_mo(expected)) == _messages(found)


def catalogues(folder: Path = TRANSLATIONS) -> Result:
    """A compiled `.mo` beside every `.po`, holding what the `.po` says now."""
    name = "translations"
    sources = sorted(folder.glob("*/LC_MESSAGES/messages.po"))
    if not sources:
        return Result(
            name, Status.FAIL, f"no catalogue (.po) under {folder}: the install is incomplete"
        )
    stale = [source.parent.parent.name for source in sources if not _compiled_from(source)]
    if stale:
        return Result(
            name,
            Status.FAIL,
            f"not compiled, or compiled before their .po changed: {', '.join(stale)};"
            f" run `make install` (or `pybabel compile -d {folder}`)",
        )
    return Result(name, Status.OK, f"compiled: {', '.join(p.parent.parent.name for p in sources)}")


def fonts() -> Result:
    folder = Path(current_app.config["PDF_FONT_DIR"])
    try:
        require_fonts(folder)
    except FontsMissing as error:
        return Result("fonts", Status.FAIL, str(error))
    return Result("fonts", Status.OK, f"delivery package fonts found in {folder}")


def file_storage() -> Result:
    """The folders delivery packages and logos are written to: each a folder (or one this
    user can make) this user can write to."""
    folders = {"DELIVERY_DIR": delivery_dir(), "LOGO_FOLDER": logo_folder()}
    problems = [
        f"{setting} {folder} {why}"
        for setting, folder in folders.items()
        if (why := _why_unwritable(folder))
    ]
    if problems:
        return Result(
            "file storage",
            Status.FAIL,
            "; ".join(problems) + ": let the app's user write there (and list the folder in"
            " the units' ReadWritePaths=)",
        )
    return Result("file storage", Status.OK, ", ".join(map(str, folders.values())))


def _why_unwritable(folder: Path) -> str | None:
    """Why the app cannot write in `folder` (made on first use if absent), or None."""
    existing = next(path for path in (folder, *folder.parents) if path.exists())
    if not existing.is_dir():
        return f"cannot be made: {existing} is not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"is not writable ({existing})"
    return None


def mail_server() -> Result:
    """The SMTP server answers EHLO and NOOP, over TLS when the settings ask for it, and
    takes the account when one is set."""
    name = "mail server"
    config = current_app.config
    host, port = config["MAIL_SERVER"], config["MAIL_PORT"]
    if not host:
        return Result(name, Status.SKIP, "MAIL_SERVER is unset: mail is printed to the console")
    try:
        with open_smtp(TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            if config["MAIL_USE_TLS"]:
                smtp.starttls(context=tls_context())
                smtp.ehlo()
            if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            smtp.noop()
    except smtplib.SMTPNotSupportedError as error:  # STARTTLS or AUTH, as smtplib says
        return Result(
            name,
            Status.FAIL,
            f"{host}:{port}: {str(error).rstrip('.')}; check MAIL_USE_TLS, MAIL_USERNAME",
        )
    except smtplib.SMTPAuthenticationError:
        return Result(name, Status.FAIL, f"{host}:{port} refused MAIL_USERNAME and MAIL_PASSWORD")
    except (OSError, smtplib.SMTPException) as error:
        return Result(
            name,
            Status.FAIL,
            f"{host}:{port} does not answer ({reason_for(error)}): check MAIL_SERVER, MAIL_PORT,"
            " MAIL_USE_TLS and MAIL_USE_SSL",
        )
    return Result(name, Status.OK, f"{host}:{port} answers")


def redis_server() -> Result:
    name = "redis"
    url = current_app.config["REDIS_URL"]
    if not url:
        return Result(
            name,
            Status.SKIP,
            "REDIS_URL is unset: rate limits are kept per process (one process only)",
        )
    client = redis.Redis.from_url(
        url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )
    try:
        client.ping()
    except redis.RedisError as error:
        return Result(
            name,
            Status.FAIL,
            f"{shown_url(url)} does not answer ({reason_for(error)}): check REDIS_URL",
        )
    finally:
        client.close()
    return Result(name, Status.OK, f"{shown_url(url)} answers")


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url() -> Result:
    """Links in mail point at https, except on this machine during development."""
    name = "BASE_URL"
    url = current_app.config["BASE_URL"]
    parts = urlsplit(url)
    shown = shown_url(url)
    if parts.scheme == "https" and parts.hostname:
        return Result(name, Status.OK, shown)
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        return Result(name, Status.OK, f"{shown} (http on this machine: for development only)")
    if parts.scheme == "http" and parts.hostname:
        return Result(
            name,
            Status.FAIL,
            f"{shown} is http: links in mail and staff sessions would travel unencrypted;"
            " set BASE_URL=https://… (with PROXY_COUNT behind a TLS proxy)",
        )
    return Result(
        name, Status.FAIL, f"{shown!r} is not an absolute https URL; set BASE_URL=https://…"
    )


def onion_service() -> Result:
    """With an onion service, the tor daemon's address is a crowd's, not one client's."""
    name = "onion service"
    config = current_app.config
    if not config["ONION_LOCATION"]:
        return Result(name, Status.SKIP, "ONION_LOCATION is unset")
    if not shared_networks(config["SHARED_CLIENT_ADDRESSES"]):
        return Result(
            name,
            Status.FAIL,
            "SHARED_CLIENT_ADDRESSES is unset: every visitor over Tor would share the rate"
            " limits of one address; set it to where tor connects from (127.0.0.1, ::1)",
        )
    return Result(name, Status.OK, f"{config['ONION_LOCATION']} in Onion-Location")


def custodian_keys() -> Result:
    """Every campaign that seals data (any but a draft) has a key to seal it to."""
    name = "custodian keys"
    keyless = db.session.execute(
        select(Campaign.slug, Campaign.status)
        .where(Campaign.status != CampaignStatus.DRAFT)
        .where(~exists().where(CustodianKey.campaign_id == Campaign.id))
        .order_by(Campaign.slug)
    ).all()
    if keyless:
        listed = ", ".join(f"{slug} ({status})" for slug, status in keyless)
        return Result(
            name,
            Status.FAIL,
            f"no custodian key: {listed}; run `flask --app petition keys new SLUG"
            " --identity-out FILE` (or `keys add SLUG age1…`)",
        )
    return Result(name, Status.OK, "every open or closed campaign has one")


def run_checks() -> Iterator[Result]:
    """Every check in turn (a caller can print each as it comes: a server may take seconds
    to time out). The campaigns are checked only in a database that is ready."""
    ready = database()
    yield ready
    yield catalogues()
    yield fonts()
    yield file_storage()
    yield mail_server()
    yield redis_server()
    yield base_url()
    yield onion_service()
    if ready.status is Status.OK:
        yield custodian_keys()
    else:
        yield Result("custodian keys", Status.SKIP, "the database is not ready (above)")
