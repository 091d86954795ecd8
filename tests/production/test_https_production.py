"""The production shape, end to end over https://: the installed wheel under gunicorn with
`gunicorn.conf.py`, behind nginx terminating TLS (`PROXY_COUNT=1`), on PostgreSQL, with
rate limits in Redis and an outbox worker; a real browser signs in Ukrainian, confirms from
the mail that arrived, a new admin sets a password and signs in with TOTP, and an
organisation's representative, once approved and mailed, is in no `pg_dump`."""

from __future__ import annotations

import csv
import json
import os
import re
import secrets
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from babel import Locale
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import create_engine, make_url, text

from petition.config import database_url
from tests.factories import STAFF_PASSWORD
from tests.mailbox import Mailbox
from tests.production.conftest import ROOT, Installed, catalogue_text, operator_env, run_flask
from tests.production.processes import UNVERIFIED, Process, Visitor, free_port
from tests.production.proxy import start_tls_proxy

pytestmark = [pytest.mark.browser, pytest.mark.postgresql]


@dataclass
class Stack:
    origin: str
    env: dict[str, str]
    cwd: Path

    def counts(self) -> dict[str, int]:
        url = f"{self.origin}/api/v1/campaigns/people-first"
        with urllib.request.urlopen(url, context=UNVERIFIED, timeout=10) as answer:  # noqa: S310
            return json.load(answer)["counts"]


@contextmanager
def new_database() -> Iterator[str]:
    """A database of its own on the suite's PostgreSQL server, dropped afterwards."""
    server = database_url(os.environ["TEST_DATABASE_URL"], Path())
    name = f"petition_production_{secrets.token_hex(4)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def production_database() -> Iterator[str]:
    with new_database() as url:
        yield url


@pytest.fixture
def stack(installed: Installed, production_database, mailbox: Mailbox, tmp_path) -> Iterator[Stack]:
    https_port, web_port = free_port(), free_port()
    origin = f"https://127.0.0.1:{https_port}"
    env = operator_env(
        DATABASE_URL=production_database,
        SECRET_KEY=secrets.token_urlsafe(32),
        BASE_URL=origin,
        PROXY_COUNT="1",
        REDIS_URL="redis://127.0.0.1:6379/0",
        RATELIMIT_KEY_PREFIX=f"petition-production-{secrets.token_hex(4)}",
        MAIL_SERVER=mailbox.host,
        MAIL_PORT=str(mailbox.port),
        MAIL_DEFAULT_SENDER="Campaign <campaign@example.org>",
        INSTANCE_PATH=str(tmp_path / "instance"),
        COUNTS_TTL_SECONDS="0",
        SIGN_MIN_SECONDS="0",
        PORT=str(web_port),
        WEB_CONCURRENCY="2",
    )
    cwd = tmp_path / "srv"
    cwd.mkdir()
    run_flask(installed, env, cwd, "db", "upgrade")
    run_flask(installed, env, cwd, "demo", "load")
    gunicorn = [installed.command("gunicorn"), "-c", str(ROOT / "gunicorn.conf.py")]
    web = Process("gunicorn", [*gunicorn, "petition.wsgi:app"], env, cwd, tmp_path / "web.log")
    flask = [installed.command("flask"), "--app", "petition"]
    worker = Process(
        "worker", [*flask, "outbox", "run", "--poll", "0.2"], env, cwd, tmp_path / "worker.log"
    )
    web.start()
    worker.start()
    proxy = start_tls_proxy(https_port, web_port, tmp_path / "nginx.log")
    try:
        web.wait_for_url(f"http://127.0.0.1:{web_port}/readyz")
        proxy.process.wait_for_url(f"{origin}/readyz")
        yield Stack(origin=origin, env=env, cwd=cwd)
    finally:
        for process in (proxy, worker, web):
            process.stop()
    for process in (web, worker):
        assert "Traceback" not in process.output(), process.output()[-4000:]


def wait_for_mail(mailbox: Mailbox, address: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := mailbox.to(address):
            return found[-1]
        time.sleep(0.2)
    raise AssertionError(f"no mail for {address}")


def uk(message: str) -> str:
    translated = catalogue_text("uk", message)
    assert translated != message, f"not translated into Ukrainian: {message!r}"
    return translated


def test_a_signer_signs_in_ukrainian_and_confirms_over_https(stack, secure_context, mailbox):
    before = stack.counts()["individuals"]
    page = secure_context.new_page()
    answer = page.goto(f"{stack.origin}/uk/people-first/sign")
    assert answer.status == 200
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert answer.headers["referrer-policy"] == "same-origin"
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    assert "Your name" not in page.content()

    page.get_by_label(uk("Your name"), exact=True).fill("Олена Тестова")
    page.get_by_label(uk("Email address"), exact=True).fill("olena.https@example.org")
    page.get_by_label(uk("Country"), exact=True).select_option(label=Locale("uk").territories["UA"])
    page.get_by_role("button", name=uk("Sign"), exact=True).click()
    expect(page).to_have_url(f"{stack.origin}/uk/people-first/check-email")
    expect(page.get_by_role("heading", level=1)).to_have_text(uk("Check your email"))

    mail = wait_for_mail(mailbox, "olena.https@example.org")
    assert mail["Subject"] == uk("Confirm your signature")
    link = re.search(r"https://\S+/uk/confirm/[\w-]+", Mailbox.text_of(mail)).group(0)
    assert link.startswith(stack.origin)
    page.goto(link)
    page.get_by_role("button", name=uk("Confirm"), exact=True).click()
    expect(
        page.get_by_text(uk("Thank you. Your signature is confirmed and counted."))
    ).to_be_visible()
    assert stack.counts()["individuals"] == before + 1
    assert_cookies_are_secure(secure_context)


def test_a_new_admin_signs_in_with_totp_over_https(stack, installed, secure_context):
    page = new_staff_signed_in(stack, installed, secure_context, "admin@staff.example.org")
    assert page.url == f"{stack.origin}/staff/"
    assert_cookies_are_secure(secure_context)


def new_staff_signed_in(
    stack: Stack, installed: Installed, context: BrowserContext, email: str, role: str = "admin"
) -> Page:
    """`staff add`, then the new member sets a password and signs in with TOTP, in a page
    of `context` left on the console's dashboard."""
    output = run_flask(installed, stack.env, stack.cwd, "staff", "add", email, "--role", role)
    secret = pyotp.parse_uri(re.search(r"otpauth://\S+", output).group(0)).secret
    link = re.search(rf"{re.escape(stack.origin)}/staff/password/\S+", output).group(0)
    page = context.new_page()
    page.goto(link)
    fill_staff_form(
        page, {"New password": STAFF_PASSWORD, "The same password again": STAFF_PASSWORD}
    )
    page.get_by_role("button", name=staff_text(page, "Save password")).click()
    fill_staff_form(page, {"Email address": email, "Password": STAFF_PASSWORD})
    page.get_by_role("button", name=staff_text(page, "Continue")).click()
    expect(page.get_by_role("img", name=staff_text(page, "QR code to scan"))).to_be_visible()
    fill_staff_form(page, {"Code": pyotp.TOTP(secret).now()})
    page.get_by_role("button", name=staff_text(page, "Confirm and sign in")).click()
    expect(page.locator("ul.codes code")).to_have_count(8)
    page.get_by_role("link", name=staff_text(page, "I have saved them, continue")).click()
    expect(page.get_by_role("heading", name=staff_text(page, "Dashboard"))).to_be_visible()
    return page


REPRESENTATIVE = {
    "rep_name": "Zoriana Canarova",
    "rep_role": "Chair of Canary Watch",
    "rep_email": "zoriana.canary@watch.example.org",
}


def test_an_approved_representative_is_sealed_in_production_and_the_custodian_reads_them(
    stack, installed, secure_context, mailbox, tmp_path
):
    """An organisation joins over https and confirms; a moderator approves it on the
    console; the worker mails the decision and seals the representative: a `pg_dump`
    names them nowhere, and the demo custodian's key reads them back."""
    address = REPRESENTATIVE["rep_email"]
    visitor = Visitor(stack.origin)
    joined, _ = visitor.submit(
        "/en/people-first/join",
        name="Canary Watch Ukraine",
        country="UA",
        kind="human_rights",
        authorised="y",
        listing="public",
        **REPRESENTATIVE,
    )
    assert joined == 302
    link = re.search(
        r"https://\S+/coalition/confirm/[\w-]+", Mailbox.text_of(wait_for_mail(mailbox, address))
    )
    confirmed, _ = visitor.submit(link.group(0).removeprefix(stack.origin))
    assert confirmed in (200, 302)
    database = create_engine(database_url(stack.env["DATABASE_URL"], Path()))
    organisation = "SELECT id, rep_email FROM organisation WHERE name = 'Canary Watch Ukraine'"
    with database.connect() as connection:
        organisation_id, readable = connection.execute(text(organisation)).one()
    assert readable == address  # awaiting review: staff can still answer

    mailbox.clear()
    page = new_staff_signed_in(
        stack, installed, secure_context, "mod@staff.example.org", "moderator"
    )
    page.goto(f"{stack.origin}/staff/organisations/{organisation_id}")
    page.locator("form:has(input[name=action][value=approve]) button").click()
    assert "/coalition/manage/" in Mailbox.text_of(wait_for_mail(mailbox, address))
    deadline = time.monotonic() + 30
    while readable is not None and time.monotonic() < deadline:
        time.sleep(0.2)
        with database.connect() as connection:
            readable = connection.execute(text(organisation)).one().rep_email
    database.dispose()
    assert readable is None, "the worker did not seal the representative"

    libpq = make_url(stack.env["DATABASE_URL"]).set(drivername="postgresql")
    dump = subprocess.run(  # noqa: S603 - our own arguments
        ["pg_dump", "--dbname", libpq.render_as_string(hide_password=False)],  # noqa: S607
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "Canary Watch Ukraine" in dump  # the organisation itself stays readable
    for typed in (*REPRESENTATIVE.values(), "zoriana.canary", "Canarova"):
        assert typed not in dump

    out = tmp_path / "representatives.csv"
    key = Path(stack.env["INSTANCE_PATH"]) / "demo-custodian.key"
    run_flask(
        installed,
        stack.env,
        stack.cwd,
        "unseal",
        "people-first",
        "--organisations",
        "--identity",
        str(key),
        "-o",
        str(out),
    )
    with out.open(encoding="utf-8", newline="") as handle:
        [row] = [
            row for row in csv.DictReader(handle) if row["organisation"] == "Canary Watch Ukraine"
        ]
    assert (row["name"], row["role"], row["email"], row["status"]) == (
        *REPRESENTATIVE.values(),
        "approved",
    )


def staff_text(page: Page, message: str) -> str:
    """The console in the language it chose for this browser (Ukrainian, from its locale)."""
    return catalogue_text(page.evaluate("document.documentElement.lang"), message)


def fill_staff_form(page: Page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        page.get_by_label(staff_text(page, label), exact=True).fill(value)


def assert_cookies_are_secure(context: BrowserContext) -> None:
    cookies = context.cookies()
    assert cookies
    for cookie in cookies:
        assert cookie["secure"], cookie["name"]
        assert cookie["httpOnly"], cookie["name"]


def test_a_partner_site_frames_the_signing_form_over_https(
    stack, production_database, partner_site, secure_context, mailbox
):
    """Behind the TLS proxy the framed form's POST comes from the site's own https origin,
    which the app must recognise as its own (host and port through the proxy)."""
    partner = partner_site(
        f'<!doctype html><html lang="uk"><head><title>Partner</title></head><body>'
        f'<iframe id="form" title="form" width="900" height="1600" '
        f'src="{stack.origin}/uk/people-first/embed"></iframe></body></html>'
    )
    engine = create_engine(database_url(production_database, Path()))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE campaign SET embed_origins = :origin WHERE slug = 'people-first'"),
            {"origin": partner.rstrip("/")},
        )
    engine.dispose()
    page = secure_context.new_page()
    page.goto(partner)

    frame = page.frame_locator("#form")
    frame.get_by_label(uk("Your name"), exact=True).fill("Марта Фрейм")
    frame.get_by_label(uk("Email address"), exact=True).fill("marta.frame@example.org")
    ukraine = Locale("uk").territories["UA"]
    frame.get_by_label(uk("Country"), exact=True).select_option(label=ukraine)
    frame.get_by_role("button", name=uk("Sign"), exact=True).click()

    expect(frame.get_by_role("heading", level=1)).to_have_text(uk("Check your email"))
    mail = wait_for_mail(mailbox, "marta.frame@example.org")
    assert mail["Subject"] == uk("Confirm your signature")
