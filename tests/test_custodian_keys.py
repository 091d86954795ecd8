"""Custodian keys: `flask keys new|add|list`, the demo's key, and sealing with age.

The server keeps only public keys; a private key is written once, to the operator's file,
readable by its owner only, and can open what was sealed offline with Debian's `age`.
"""

from __future__ import annotations

import stat
import subprocess

import pytest
from sqlalchemy import select

from petition import sealing
from petition.extensions import db
from petition.models import AuditEvent, Campaign, CustodianKey
from tests.factories import CUSTODIAN, make_campaign
from tests.prerequisites import tool

SLUG = "free-them"


def keys(app, *args):
    return app.test_cli_runner().invoke(args=["keys", *args])


def stored_text() -> str:
    """Every custodian-key and audit row, as text: what a copy of the database would show."""
    rows = [key.recipient for key in db.session.scalars(select(CustodianKey))]
    rows += [f"{e.action} {e.detail}" for e in db.session.scalars(select(AuditEvent))]
    return "\n".join(rows)


@pytest.fixture
def campaign(app) -> Campaign:
    return make_campaign(SLUG)


def test_keys_new_writes_a_private_file_and_registers_only_the_public_key(app, campaign, tmp_path):
    out = tmp_path / "custodian.key"
    result = keys(app, "new", SLUG, "--identity-out", str(out))

    assert result.exit_code == 0, result.output
    recipient = result.output.strip()
    assert recipient.startswith("age1")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    identity = sealing.read_identity(out)
    assert sealing.recipient_of(identity) == recipient
    assert f"# public key: {recipient}" in out.read_text()
    listed = keys(app, "list", SLUG)
    assert recipient in listed.output
    assert "AGE-SECRET-KEY" not in stored_text() + result.output + listed.output
    assert "campaign.custodian_key_added" in stored_text()


def registered() -> list[str]:
    """The recipients registered beyond the one every test campaign starts with."""
    every = db.session.scalars(select(CustodianKey.recipient))
    return [recipient for recipient in every if recipient != sealing.recipient_of(CUSTODIAN)]


def test_keys_new_never_overwrites_a_file_and_then_registers_nothing(app, campaign, tmp_path):
    out = tmp_path / "custodian.key"
    out.write_text("someone's only copy of another key\n")

    result = keys(app, "new", SLUG, "--identity-out", str(out))

    assert result.exit_code != 0
    assert "exists" in result.output
    assert out.read_text() == "someone's only copy of another key\n"
    db.session.rollback()
    assert registered() == []


def test_keys_add_takes_an_age_public_key_once(app, campaign):
    recipient = sealing.recipient_of(sealing.new_identity())

    added = keys(app, "add", SLUG, recipient.upper())
    again = keys(app, "add", SLUG, recipient)
    not_a_key = keys(app, "add", SLUG, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI")

    assert added.exit_code == 0, added.output
    assert again.exit_code != 0
    assert "already has this key" in again.output
    assert not_a_key.exit_code != 0
    assert "not an age public key" in not_a_key.output
    db.session.rollback()
    assert registered() == [recipient]


def test_a_campaign_that_does_not_exist_is_named_in_the_error(app):
    result = keys(app, "list", "no-such-campaign")
    assert result.exit_code != 0
    assert "no-such-campaign" in result.output


def test_any_one_custodian_opens_what_was_sealed_to_all_and_nobody_else_does():
    first, second, stranger = (sealing.new_identity() for _ in range(3))
    sealed = sealing.seal(
        "Олена, Харків".encode(), [sealing.recipient_of(first), sealing.recipient_of(second)]
    )

    assert "Олена".encode() not in sealed
    assert (
        sealing.unseal(sealed, first) == sealing.unseal(sealed, second) == "Олена, Харків".encode()
    )
    with pytest.raises(sealing.CannotUnseal):
        sealing.unseal(sealed, stranger)
    with pytest.raises(sealing.NotARecipient):
        sealing.seal(b"x", [])


def test_the_standard_age_tool_opens_sealed_data_offline(tmp_path):
    age = tool("age")
    identity = sealing.new_identity()
    key_file = tmp_path / "custodian.key"
    sealing.write_identity(identity, key_file)
    sealed = tmp_path / "row.age"
    sealed.write_bytes(sealing.seal("Іван, Одеса".encode(), [sealing.recipient_of(identity)]))

    opened = subprocess.run(  # noqa: S603 - our own arguments
        [age, "--decrypt", "-i", str(key_file), str(sealed)], capture_output=True, check=True
    )

    assert opened.stdout.decode() == "Іван, Одеса"


def test_demo_load_gives_the_demo_a_key_in_the_instance_folder_once(app, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo", "load"])
    key_file = tmp_path / "demo-custodian.key"
    written = key_file.read_text()
    second = runner.invoke(args=["demo", "load"])

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "for development only" in first.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.read_text() == written  # a second load keeps the key
    (recipient,) = [key.recipient for key in db.session.scalars(select(CustodianKey))]
    assert sealing.recipient_of(sealing.read_identity(key_file)) == recipient
