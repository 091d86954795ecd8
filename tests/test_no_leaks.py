"""Nothing about a signer leaks: not into logs, not into caches, not through mail errors."""

from __future__ import annotations

import logging
import re
import runpy
import socket
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskClient
from gunicorn.config import Config
from sqlalchemy import select
from werkzeug.test import TestResponse

from petition.access_log import RedactingLogger
from petition.extensions import db
from petition.mail.sending import deliver_due
from petition.models import Organisation, OrganisationStatus, OutboxMessage, Role
from petition.retention import purge
from tests.factories import make_campaign, make_staff
from tests.mailbox import Mailbox
from tests.pages import (
    confirm_link,
    hidden_inputs,
    join,
    link_in,
    manage_link_in,
    path_of,
    send_mail,
    sign,
    sign_in_staff,
    submit_form,
)

ROOT = Path(__file__).resolve().parent.parent
SLUG = "free-them"

# Values found nowhere else, so any appearance in a log is a leak.
ADDRESS = "203.0.113.199"
AGENT = "CanaryAgent/9.9"
SIGNER = {
    "name": "Zorvath Qelmiran",
    "email": "Zorvath.Qelmiran+petition@canary-mail.example",
    "city": "Xyloquenta",
}
REPRESENTATIVE = {
    "rep_name": "Brisveld Ommatur",
    "rep_role": "Quarnexian Director",
    "rep_email": "brisveld.ommatur@canary-rights.example",
}
CANARIES = (
    ADDRESS,
    AGENT,
    "Zorvath",
    "Qelmiran",
    "Xyloquenta",
    "canary-mail",
    "Brisveld",
    "Ommatur",
    "Quarnexian",
    "canary-rights",
)


def leaked(output: str) -> list[str]:
    folded = output.casefold()
    return [canary for canary in CANARIES if canary.casefold() in folded]


@pytest.fixture
def campaign(app: Flask) -> Any:
    return make_campaign(SLUG)


@pytest.fixture
def every_log(caplog: pytest.LogCaptureFixture, live_loggers: None) -> Iterator[Any]:
    """Everything every logger emits, at DEBUG: the root, werkzeug, the app's own loggers,
    and SQLAlchemy's statement log at INFO, as an operator debugging might switch it on (its
    DEBUG level prints result rows: that is reading the database, not logging)."""
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "petition", "flask", "gunicorn", *logging.root.manager.loggerDict):
        statements = name == "sqlalchemy.engine" or name.startswith("sqlalchemy.engine.")
        caplog.set_level(logging.INFO if statements else logging.DEBUG, logger=name)
    # A logger that does not propagate would bypass the capture; hand it the handler too.
    private = [
        logger
        for logger in logging.root.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in private:
        logger.addHandler(caplog.handler)
    yield caplog
    for logger in private:
        logger.removeHandler(caplog.handler)


# aiosmtpd's logger: the test's stand-in for the recipient's mail server, not the app.
OUTSIDE_THE_APP = ("mail.log",)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    parts = []
    for record in caplog.records:
        if record.name in OUTSIDE_THE_APP:
            continue
        parts.append(caplog.handler.format(record))
        parts += [record.getMessage(), repr(record.args), record.exc_text or ""]
        parts.append(repr({k: v for k, v in vars(record).items() if k not in {"msg", "args"}}))
    return "\n".join(parts)


def as_visitor(client: FlaskClient) -> FlaskClient:
    client.environ_base.update(
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT=AGENT,
        HTTP_X_FORWARDED_FOR=ADDRESS,
        HTTP_REFERER=f"https://{ADDRESS}/from",
    )
    return client


def only_link(mailbox: Mailbox, address: str, path: str) -> str:
    [message] = mailbox.to(address)
    match = re.search(rf"https?://\S+{re.escape(path)}[\w-]+", mailbox.text_of(message))
    assert match, mailbox.text_of(message)
    return match.group(0)


def test_signing_confirming_and_joining_leave_none_of_it_in_the_logs(
    client, campaign, mailbox, every_log
):
    as_visitor(client)
    # Mistakes first: the form comes back with what was typed, and nothing is logged.
    assert sign(client, **{**SIGNER, "email": "Zorvath.Qelmiran@"}).status_code == 422
    assert sign(client, **SIGNER, country="RU", display="full").status_code == 302
    assert sign(client, **SIGNER, country="RU", display="full").status_code == 302  # again
    assert send_mail() == 2
    first, _second = mailbox.to("canary-mail.example")
    page = client.get(path_of(link_in(mailbox.text_of(first))))
    assert page.status_code == 200
    assert confirm_link(client, link_in(mailbox.text_of(first))).status_code == 302
    assert sign(client, **SIGNER, country="RU").status_code == 302  # already signed
    assert send_mail() == 1

    assert join(client, **REPRESENTATIVE).status_code == 302
    assert send_mail() == 1
    confirm = only_link(mailbox, REPRESENTATIVE["rep_email"], "/coalition/confirm/")
    assert confirm_link(client, confirm).status_code == 200
    submit_form(client, f"/en/{SLUG}/coalition/manage", email=REPRESENTATIVE["rep_email"])
    assert send_mail() == 1

    # A refused delivery, a failed staff sign-in with a signer's address, and a purge.
    mailbox.refusals.append(550)
    assert sign(client, name="Zorvath Second", email="second@canary-mail.example").status_code
    assert send_mail() == 1
    staff = submit_form(client, "/staff/sign-in", email=SIGNER["email"], password="wrong")
    assert staff.status_code == 401
    purge()

    assert len(every_log.records) > 0
    # The statement log was on: the statements are there, their values are not.
    assert any(r.name.startswith("sqlalchemy.engine") for r in every_log.records)
    assert leaked(everything_logged(every_log)) == []


def test_a_refusal_that_quotes_the_address_leaves_it_nowhere(app, campaign, every_log):
    """Real SMTP servers often name the address in a refusal; it must reach neither the log
    nor the outbox row."""

    class QuotingRefusal:
        async def handle_DATA(self, server, session, envelope):
            return f"554 5.7.1 <{envelope.rcpt_tos[0]}>: message refused for {SIGNER['email']}"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(QuotingRefusal(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config["MAIL_PORT"] = port
        client = as_visitor(app.test_client())
        assert sign(client, **SIGNER).status_code == 302
        assert deliver_due() == 1
    finally:
        controller.stop()
    db.session.expire_all()
    [message] = db.session.scalars(select(OutboxMessage))
    assert message.last_error is not None
    assert "554" in message.last_error
    assert message.recipient is None
    assert leaked(message.last_error) == []
    assert "failed" in every_log.text
    assert leaked(everything_logged(every_log)) == []


# The production access log and the app's logging configuration


def gunicorn_settings() -> dict[str, Any]:
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


# Gunicorn's atoms that say nothing about who sent the request: time, method, path without
# the query (tokens blanked), status, size, duration, process id.
HARMLESS_ATOMS = {"t", "m", "U", "s", "B", "b", "M", "T", "D", "L", "p"}


def test_access_log_format_names_no_client_detail():
    settings = gunicorn_settings()
    atoms = set(re.findall(r"%\(([^)]*)\)s", settings["access_log_format"]))
    assert atoms, settings["access_log_format"]
    assert atoms <= HARMLESS_ATOMS, atoms - HARMLESS_ATOMS
    assert settings["logger_class"] == "petition.access_log.RedactingLogger"
    # No other logging set-up that could bring the address back.
    for name in ("logconfig", "logconfig_dict", "logconfig_json", "syslog", "statsd_host"):
        assert not settings.get(name), name


def access_line(path: str, query: str = "") -> str:
    settings = gunicorn_settings()
    config = Config()
    config.set("access_log_format", settings["access_log_format"])
    logger = RedactingLogger(config)
    environ = {
        "REMOTE_ADDR": ADDRESS,
        "HTTP_X_FORWARDED_FOR": ADDRESS,
        "HTTP_USER_AGENT": AGENT,
        "HTTP_REFERER": f"https://{ADDRESS}/from",
        "RAW_URI": f"{path}?{query}" if query else path,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", response_length=10, headers=[], sent=10)
    request = SimpleNamespace(headers=[("X-FORWARDED-FOR", ADDRESS)], method="GET", path=path)
    timing = SimpleNamespace(seconds=0, microseconds=1500)
    return str(settings["access_log_format"] % logger.atoms(response, request, environ, timing))


def test_access_log_line_holds_no_client_detail_or_search_terms():
    line = access_line("/staff/signatures", query="q=Zorvath.Qelmiran%40canary-mail.example")
    assert "/staff/signatures" in line
    assert leaked(line) == []


def test_access_log_blanks_the_token_of_every_link_route(app):
    """Every route that takes a token (now or added later) has it blanked in the log."""
    token = "Tq8cAnArY-tOkEn_value1234567890abcdefghijk"
    rules = [rule for rule in app.url_map.iter_rules() if "token" in rule.arguments]
    assert len(rules) >= 5
    for rule in rules:
        values = {name: "en" if name == "lang" else "x" for name in rule.arguments}
        path = app.url_map.bind("localhost").build(rule.endpoint, {**values, "token": token})
        line = access_line(path)
        assert token not in line, (rule.rule, line)


def test_the_app_adds_no_client_detail_to_any_log_format(app):
    forbidden = re.compile(r"remote|addr|client|agent|referr?er|forwarded|email|\bip\b", re.I)
    formats: list[str] = []
    for logger in [logging.root, *logging.root.manager.loggerDict.values()]:
        for handler in getattr(logger, "handlers", []):
            formatter = handler.formatter
            if formatter is not None and formatter._fmt:
                formats.append(formatter._fmt)
    for format_ in formats:
        assert not forbidden.search(format_), format_
    # No record factory that stamps requests onto every record either.
    record = logging.getLogRecordFactory()("x", logging.INFO, __file__, 1, "m", (), None)
    assert not [key for key in vars(record) if forbidden.search(key)]


# Pages with personal data are never cached


def assert_private(response: TestResponse) -> None:
    cache_control = response.headers.get("Cache-Control", "")
    assert "no-store" in cache_control, (response.request.path, cache_control)


def test_signer_pages_are_never_cached(client, campaign, mailbox):
    response = sign(client, **{**SIGNER, "email": "not-an-address"})
    assert response.status_code == 422  # the form comes back holding what was typed
    assert_private(response)
    sign(client, **SIGNER)
    send_mail()
    [message] = mailbox.to("canary-mail.example")
    confirm = path_of(link_in(mailbox.text_of(message)))
    page = client.get(confirm)
    assert page.status_code == 200
    assert_private(page)
    posted = client.post(confirm, data=hidden_inputs(page.get_data(as_text=True)))
    assert posted.status_code == 302
    assert_private(posted)
    assert_private(client.get(confirm))  # the link again: still private
    assert_private(client.get("/en/confirm/unknown-token"))

    manage = path_of(manage_link_in(mailbox.text_of(message)))
    assert_private(client.get(manage))
    assert_private(client.get(f"{manage}/withdraw"))


def test_representative_pages_are_never_cached(client, campaign, mailbox):
    response = join(client, **{**REPRESENTATIVE, "rep_email": "not-an-address"})
    assert response.status_code == 422
    assert_private(response)
    join(client, **REPRESENTATIVE)
    send_mail()
    confirm = path_of(only_link(mailbox, REPRESENTATIVE["rep_email"], "/coalition/confirm/"))
    page = client.get(confirm)
    assert page.status_code == 200
    assert_private(page)
    posted = client.post(confirm, data=hidden_inputs(page.get_data(as_text=True)))
    assert posted.status_code == 200
    assert_private(posted)

    organisation = db.session.scalar(select(Organisation))
    organisation.status = OrganisationStatus.APPROVED
    db.session.commit()
    mailbox.clear()
    submit_form(client, f"/en/{SLUG}/coalition/manage", email=REPRESENTATIVE["rep_email"])
    send_mail()
    manage = path_of(only_link(mailbox, REPRESENTATIVE["rep_email"], "/coalition/manage/"))
    page = client.get(manage)
    assert page.status_code == 200
    assert_private(page)
    assert_private(client.get("/en/coalition/manage/unknown-token"))


def test_staff_pages_are_never_cached(client, campaign, mailbox):
    sign(client, **SIGNER)
    join(client, **REPRESENTATIVE)
    send_mail()
    assert_private(client.get("/staff/sign-in"))
    sign_in_staff(client, make_staff(Role.ADMIN))
    organisation = db.session.scalar(select(Organisation))
    pages = [
        "/staff/",
        "/staff/signatures",
        "/staff/organisations",
        f"/staff/organisations/{organisation.id}",
        "/staff/accounts",
        "/staff/audit",
        f"/staff/campaigns/{campaign.id}/dashboard",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_private(response)
