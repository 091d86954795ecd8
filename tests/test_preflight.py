"""`flask --app petition check`: each check against a real database, SMTP server and Redis."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import write_po
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import delete, func, select, text

from petition import preflight
from petition.extensions import db
from petition.models import CampaignStatus, CustodianKey, OutboxMessage
from petition.preflight import Status
from tests.conftest import fresh_database, make_app
from tests.factories import make_campaign
from tests.pages import send_mail, sign

UPGRADE = "run `flask --app petition db upgrade`"


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def check(app: Flask) -> tuple[int, list[str]]:
    result = app.test_cli_runner().invoke(args=["check"])
    return result.exit_code, result.output.splitlines()


def line(lines: list[str], name: str) -> str:
    return next(found for found in lines if f" {name}: " in found)


def test_a_migrated_deployment_passes_every_check(app):
    make_campaign()

    exit_code, lines = check(app)

    assert exit_code == 0, lines
    assert line(lines, "database").startswith("ok ")
    assert "latest revision" in line(lines, "database")
    for name in ("translations", "fonts", "file storage", "mail server", "custodian keys"):
        assert line(lines, name).startswith("ok "), lines
    assert line(lines, "redis").startswith("skip redis: REDIS_URL is unset")
    assert line(lines, "BASE_URL") == (
        "ok   BASE_URL: http://localhost (http on this machine: for development only)"
    )


def test_an_unmigrated_database_fails_with_the_upgrade_command(tmp_path, mailbox):
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, mailbox)

        exit_code, lines = check(app)

        assert exit_code == 1
        assert line(lines, "database").startswith("FAIL database: ")
        assert line(lines, "database").endswith(f"is not migrated: {UPGRADE}")
        assert line(lines, "custodian keys") == (
            "skip custodian keys: the database is not ready (above)"
        )
        assert "Error: 1 check(s) failed" in lines
        with app.app_context():
            db.engine.dispose()


def test_a_database_behind_or_ahead_of_the_code_fails(tmp_path, mailbox):
    with fresh_database(tmp_path) as uri:
        app = make_app(uri, mailbox)
        with app.app_context():
            upgrade()
            downgrade(revision="-1")
            behind = preflight.database()
            upgrade()
            db.session.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
            db.session.commit()
            ahead = preflight.database()
            db.engine.dispose()

    assert behind.status is Status.FAIL
    assert ", behind " in behind.detail
    assert behind.detail.endswith(UPGRADE)
    assert ahead.status is Status.FAIL
    assert "9999_future, which this code does not know" in ahead.detail


def test_an_unreachable_database_fails_without_showing_its_password(mailbox):
    port = closed_port()
    url = f"postgresql://petition:n0t-this-one@127.0.0.1:{port}/petition"
    unreachable = make_app(url, mailbox)

    with unreachable.app_context():
        result = preflight.database()

    assert result.status is Status.FAIL
    assert f"postgresql://petition:***@127.0.0.1:{port}/petition does not answer" in (result.detail)
    assert "check DATABASE_URL" in result.detail
    assert "n0t-this-one" not in result.line


def test_the_mail_server_answers_and_a_closed_port_fails(app, mailbox):
    assert preflight.mail_server() == preflight.Result(
        "mail server", Status.OK, f"{mailbox.host}:{mailbox.port} answers"
    )

    app.config["MAIL_PORT"] = closed_port()
    closed = preflight.mail_server()

    assert closed.status is Status.FAIL
    assert "does not answer (Connection refused)" in closed.detail
    assert "check MAIL_SERVER, MAIL_PORT" in closed.detail


def test_starttls_asked_of_a_server_without_it_fails(app):
    app.config["MAIL_USE_TLS"] = True

    result = preflight.mail_server()

    assert result.status is Status.FAIL
    assert "STARTTLS extension not supported by server; check MAIL_USE_TLS" in result.detail


class _Accepting:
    """Takes any message; remembers, for each NOOP, whether it came over TLS."""

    def __init__(self) -> None:
        self.noops_over_tls: list[bool] = []
        self.received: list[list[str]] = []

    async def handle_NOOP(self, server, session, envelope, arg) -> str:
        self.noops_over_tls.append(server.transport.get_extra_info("ssl_object") is not None)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture(scope="module")
def tls_certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1, and its key."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    request += ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(  # noqa: S603 - fixed arguments
        ["openssl", *request, "-keyout", str(key), "-out", str(cert)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def tls_context(tls_certificate) -> ssl.SSLContext:
    """The server side of TLS with that certificate."""
    cert, key = tls_certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@pytest.fixture
def tls_server(tls_context) -> Iterator[Callable[..., tuple[int, _Accepting]]]:
    """Starts SMTP servers over TLS (STARTTLS, or TLS from the first byte): their ports and
    handlers."""
    controllers: list[Controller] = []

    def start(*, implicit: bool) -> tuple[int, _Accepting]:
        port, handler = closed_port(), _Accepting()
        where = {"ssl_context": tls_context} if implicit else {"tls_context": tls_context}
        controller = Controller(handler, hostname="127.0.0.1", port=port, **where)
        controller.start()
        controllers.append(controller)
        return port, handler

    yield start
    for controller in controllers:
        controller.stop()


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "ssl"])
def test_the_mail_server_answers_over_tls_as_the_settings_ask(
    app, tls_server, tls_certificate, implicit
):
    port, server = tls_server(implicit=implicit)
    app.config.update(MAIL_PORT=port, MAIL_USE_TLS=not implicit, MAIL_USE_SSL=implicit)
    app.config["MAIL_TLS_CA_FILE"] = str(tls_certificate[0])

    assert preflight.mail_server().status is Status.OK
    assert server.noops_over_tls == [True]


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "ssl"])
def test_a_mail_server_whose_certificate_does_not_verify_fails(app, tls_server, implicit):
    """Someone between the app and its relay, with a certificate of their own: the links in
    every mail would be theirs to read."""
    port, server = tls_server(implicit=implicit)
    app.config.update(MAIL_PORT=port, MAIL_USE_TLS=not implicit, MAIL_USE_SSL=implicit)

    result = preflight.mail_server()

    assert result.status is Status.FAIL
    assert "certificate verify failed" in result.detail
    assert server.noops_over_tls == []


@pytest.mark.parametrize("trusted", [True, False], ids=["trusted", "untrusted"])
def test_the_worker_sends_only_over_tls_it_can_verify(
    app, client, tls_server, tls_certificate, trusted
):
    port, server = tls_server(implicit=False)
    app.config.update(MAIL_PORT=port, MAIL_USE_TLS=True)
    if trusted:
        app.config["MAIL_TLS_CA_FILE"] = str(tls_certificate[0])
    make_campaign()
    sign(client, email="olena@example.org")

    send_mail()

    assert server.received == ([["olena@example.org"]] if trusted else [])
    queued = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
    assert queued == (0 if trusted else 1)  # kept to try again, never sent in the clear


def test_without_a_mail_server_the_check_is_skipped(app):
    app.config["MAIL_SERVER"] = None

    assert preflight.mail_server().status is Status.SKIP


@pytest.fixture
def authenticating_server() -> Iterator[tuple[str, int]]:
    """An SMTP server that takes one account (over plain text: it is local)."""

    def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and auth_data.password == b"right-one"
        return AuthResult(success=good, handled=False)

    port = closed_port()
    controller = Controller(
        _Accepting(),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield "127.0.0.1", port
    controller.stop()


def test_the_mail_account_is_tried_and_its_password_never_shown(app, authenticating_server):
    host, port = authenticating_server
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port, MAIL_USERNAME="campaign")

    app.config["MAIL_PASSWORD"] = "right-one"
    assert preflight.mail_server().status is Status.OK

    app.config["MAIL_PASSWORD"] = "wrong-one"
    refused = preflight.mail_server()
    assert refused.status is Status.FAIL
    assert refused.detail == f"{host}:{port} refused MAIL_USERNAME and MAIL_PASSWORD"


def test_redis_answers_and_a_closed_port_fails_without_showing_its_password(app, redis_url):
    app.config["REDIS_URL"] = redis_url
    assert preflight.redis_server().status is Status.OK

    port = closed_port()
    app.config["REDIS_URL"] = f"redis://:n0t-this-one@127.0.0.1:{port}/15"
    closed = preflight.redis_server()

    assert closed.status is Status.FAIL
    assert f"redis://:***@127.0.0.1:{port}/15 does not answer" in closed.detail
    assert "n0t-this-one" not in closed.line


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("https://petition.example.org", Status.OK),
        ("http://127.0.0.1:5000", Status.OK),
        ("http://[::1]:8080", Status.OK),
        ("http://petition.example.org", Status.FAIL),
        ("http://127.0.0.1.example.org", Status.FAIL),
        ("petition.example.org", Status.FAIL),
    ],
)
def test_base_url_must_be_https_off_this_machine(app, url, status):
    app.config["BASE_URL"] = url

    assert preflight.base_url().status is status


def test_an_http_base_url_on_a_public_host_fails_the_command(app):
    app.config["BASE_URL"] = "http://petition.example.org"

    exit_code, lines = check(app)

    assert exit_code == 1
    assert line(lines, "BASE_URL").startswith("FAIL BASE_URL: http://petition.example.org is http")
    assert "set BASE_URL=https://" in line(lines, "BASE_URL")


def test_an_open_or_closed_campaign_without_a_custodian_key_fails(app):
    """A closed campaign still seals representatives and is resealed: it needs a key too
    (as `keys remove` has it); a draft seals nothing yet."""
    make_campaign("keyed")
    keyless = make_campaign("keyless")
    closed = make_campaign("ended", status=CampaignStatus.CLOSED)
    draft = make_campaign("still-a-draft", status=CampaignStatus.DRAFT)
    keyless_ids = [keyless.id, closed.id, draft.id]
    db.session.execute(delete(CustodianKey).where(CustodianKey.campaign_id.in_(keyless_ids)))
    db.session.commit()

    exit_code, lines = check(app)

    assert exit_code == 1
    assert line(lines, "custodian keys").startswith(
        "FAIL custodian keys: no custodian key: ended (closed), keyless (open);"
        " run `flask --app petition keys new"
    )


def write_catalogue(folder: Path, lang: str, translation: str, *, compiled: bool) -> Path:
    catalogue = Catalog(locale=lang)
    catalogue.add("Sign the petition", translation)
    source = folder / lang / "LC_MESSAGES" / "messages.po"
    source.parent.mkdir(parents=True, exist_ok=True)
    with source.open("wb") as po:
        write_po(po, catalogue)
    if compiled:
        with source.with_suffix(".mo").open("wb") as mo:
            write_mo(mo, catalogue)
    return source


def test_a_catalogue_not_compiled_or_compiled_before_its_source_changed_fails(tmp_path):
    write_catalogue(tmp_path, "en", "Sign the petition", compiled=True)
    write_catalogue(tmp_path, "uk", "Підпишіть петицію", compiled=True)
    write_catalogue(tmp_path, "ru", "Подпишите петицию", compiled=True)
    assert preflight.catalogues(tmp_path).status is Status.OK

    write_catalogue(tmp_path, "uk", "Підпишіть звернення", compiled=False)
    write_catalogue(tmp_path, "ru", "Подпишите", compiled=False).with_suffix(".mo").unlink()
    stale = preflight.catalogues(tmp_path)

    assert stale.status is Status.FAIL
    assert "before their .po changed: ru, uk; run `make install`" in stale.detail


def test_a_folder_the_app_cannot_write_to_fails_naming_its_setting(app, tmp_path):
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    app.config["DELIVERY_DIR"] = str(in_the_way / "deliveries")
    app.config["LOGO_FOLDER"] = str(tmp_path / "shared" / "logos")  # made on first use

    exit_code, lines = check(app)

    assert exit_code == 1
    assert line(lines, "file storage") == (
        f"FAIL file storage: DELIVERY_DIR {in_the_way / 'deliveries'} cannot be made:"
        f" {in_the_way} is not a folder: let the app's user write there (and list the folder"
        " in the units' ReadWritePaths=)"
    )


def test_missing_fonts_fail_saying_what_to_install(app, tmp_path):
    app.config["PDF_FONT_DIR"] = str(tmp_path)

    result = preflight.fonts()

    assert result.status is Status.FAIL
    assert "fonts-noto-core" in result.detail


def test_no_line_shows_a_secret(app):
    app.config.update(MAIL_USERNAME="campaign", MAIL_PASSWORD="n0t-this-one")
    app.config["REDIS_URL"] = f"redis://:n0t-this-one@127.0.0.1:{closed_port()}/15"

    _, lines = check(app)

    assert lines
    assert not [found for found in lines if "n0t-this-one" in found]
    assert app.config["SECRET_KEY"] not in "\n".join(lines)
