"""On SQLite, erased data leaves the files too: not in free pages, not in the WAL."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from petition.extensions import db
from petition.retention import purge
from tests.factories import make_campaign
from tests.pages import confirm_link, link_in, manage_link_in, path_of, post_from_page, send_mail
from tests.pages import sign as sign_form

pytestmark = pytest.mark.sqlite


@pytest.fixture
def database_files(app) -> list[Path]:
    make_campaign()
    main = Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database or "")
    return [main, main.with_name(main.name + "-wal")]


def raw_bytes(files: list[Path]) -> bytes:
    db.session.commit()  # the test's own reads end, as a request's would
    return b"".join(path.read_bytes() for path in files if path.exists())


def canary() -> tuple[str, str]:
    mark = secrets.token_hex(8)
    return f"canary-{mark}@example.org", f"Canary {mark}"


def test_a_withdrawn_signer_is_gone_from_the_database_files(client, mailbox, database_files):
    email, name = canary()
    sign_form(client, email=email, name=name, city="Canarytown" + email[7:15])
    send_mail()
    text = mailbox.text_of(mailbox.to(email)[0])
    confirm_link(client, link_in(text))
    assert email.encode() in raw_bytes(database_files)  # the test can see it while it is there

    manage = path_of(manage_link_in(text))
    done = post_from_page(client, f"{manage}/withdraw", f"{manage}/withdraw")
    assert done.status_code == 200
    stored = raw_bytes(database_files)
    for trace in (email, name, email.split("@")[0]):
        assert trace.encode() not in stored, trace


def test_a_purged_signature_is_gone_from_the_database_files(client, mailbox, database_files, clock):
    email, name = canary()
    sign_form(client, email=email, name=name)
    send_mail()
    assert email.encode() in raw_bytes(database_files)

    clock.advance(days=8)
    assert purge().counts["unconfirmed_signatures"] == 1
    stored = raw_bytes(database_files)
    for trace in (email, name):
        assert trace.encode() not in stored, trace
