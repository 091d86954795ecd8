"""`flask unseal`: a custodian's key turns the sealed signatures into a private CSV.

The file is the most sensitive thing the platform writes: readable by its owner only, never
over another file unless asked, nothing left behind when the key is wrong, and every cell
safe to open in a spreadsheet.
"""

from __future__ import annotations

import csv
import os
import pty
import select as selectors
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from petition.extensions import db
from petition.models import AuditEvent, Display, OrganisationStatus, SignatureStatus
from petition.models.organisation import REPRESENTATIVE_COLUMNS as REPRESENTATIVE_DATA
from petition.sealing import new_identity, recipient_of, write_identity
from petition.signing.self_service import forget_person
from tests.factories import CUSTODIAN, make_campaign, make_organisation, make_signature

SLUG = "free-them"
CONTRACT = ["name", "email", "city", "display", "country", "status"]


@pytest.fixture
def campaign(app):
    return make_campaign(SLUG)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "custodian.key"
    path.parent.mkdir()
    write_identity(CUSTODIAN, path)
    return path


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def unseal(app, *args: str):
    db.session.commit()  # the test's own transaction ends, as the command's process would see
    return app.test_cli_runner().invoke(args=["unseal", SLUG, *args])


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_pending_and_confirmed_signer_comes_out_as_typed(app, campaign, key_file, out_dir):
    full = make_signature(
        campaign, name="Олена Петренко", email="Olena.P+camp@Example.org", city="Харків"
    )
    pending = make_signature(
        campaign,
        name="Ivan Test",
        email="ivan@example.org",
        display=Display.INITIALS,
        status=SignatureStatus.PENDING,
        country="PL",
    )
    anonymous = make_signature(
        campaign, name="Nobody Shown", email="nobody@example.net", display=Display.ANONYMOUS
    )
    make_signature(campaign, status=SignatureStatus.INVALIDATED)
    withdrawn = make_signature(campaign, status=SignatureStatus.WITHDRAWN)
    forget_person(withdrawn)
    other = make_campaign("another-one")
    make_signature(other, name="Elsewhere Signer")
    out = out_dir / "signers.csv"

    result = unseal(app, "--identity", str(key_file), "-o", str(out))

    assert result.exit_code == 0, result.output
    assert result.stdout == f"3 signature(s) written to {out}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert header[:6] == CONTRACT
    rows = read_rows(out)
    assert [row["id"] for row in rows] == [str(s.id) for s in (full, pending, anonymous)]
    found = [{name: row[name] for name in CONTRACT} for row in rows]
    assert found == [
        {
            "name": "Олена Петренко",
            "email": "Olena.P+camp@Example.org",
            "city": "Харків",
            "display": "full",
            "country": "UA",
            "status": "confirmed",
        },
        {
            "name": "Ivan Test",
            "email": "ivan@example.org",
            "city": "",
            "display": "initials",
            "country": "PL",
            "status": "pending",
        },
        {
            "name": "Nobody Shown",
            "email": "nobody@example.net",
            "city": "",
            "display": "anonymous",
            "country": "UA",
            "status": "confirmed",
        },
    ]
    assert rows[1]["confirmed_at"] == ""
    assert rows[0]["created_at"].endswith("+00:00")
    assert rows[0]["lang"] == "en"


def test_a_signature_not_sealed_yet_comes_out_of_its_plain_columns(
    app, campaign, key_file, out_dir
):
    signed_before_sealing = make_signature(
        campaign,
        legacy_name="Old Signer",
        legacy_email="old@example.org",
        legacy_email_normalised="old@example.org",
        legacy_city="Lviv",
    )
    for column in ("sealed", "public_name", "email_hash", "mailbox_hash", "email_domain"):
        setattr(signed_before_sealing, column, None)
    out = out_dir / "signers.csv"

    result = unseal(app, "--identity", str(key_file), "-o", str(out))

    assert result.exit_code == 0, result.output
    [row] = read_rows(out)
    assert (row["name"], row["email"], row["city"]) == ("Old Signer", "old@example.org", "Lviv")


def test_cells_that_start_like_a_formula_cannot_run(app, campaign, key_file, out_dir):
    make_signature(campaign, name="=HYPERLINK(1)", email="+1@example.org", city="@SUM(A1)")
    out = out_dir / "signers.csv"

    assert unseal(app, "--identity", str(key_file), "-o", str(out)).exit_code == 0

    [row] = read_rows(out)
    cells = (row["name"], row["email"], row["city"])
    assert cells == ("'=HYPERLINK(1)", "'+1@example.org", "'@SUM(A1)")


def test_a_key_that_cannot_open_the_signatures_writes_nothing(
    app, campaign, key_file, out_dir, tmp_path
):
    for number in range(3):
        make_signature(campaign, name=f"Sealed Signer {number}")
    stranger = tmp_path / "keys" / "stranger.key"
    write_identity(new_identity(), stranger)
    out = out_dir / "signers.csv"

    result = unseal(app, "--identity", str(stranger), "-o", str(out))

    assert result.exit_code == 1
    assert "cannot open signature" in result.output
    assert "nothing written" in result.output
    assert list(out_dir.iterdir()) == []  # neither the file nor the rows written so far
    db.session.rollback()
    assert not db.session.scalars(select(AuditEvent).where(actions_unsealed())).all()


def test_a_file_that_holds_no_identity_is_refused(app, campaign, out_dir, tmp_path):
    not_a_key = tmp_path / "notes.txt"
    not_a_key.write_text(f"# public key: {recipient_of(CUSTODIAN)}\n")
    out = out_dir / "signers.csv"

    result = unseal(app, "--identity", str(not_a_key), "-o", str(out))

    assert result.exit_code == 1
    assert "holds no age identity" in result.output
    assert list(out_dir.iterdir()) == []


def test_an_existing_file_is_replaced_only_when_asked(app, campaign, key_file, out_dir):
    make_signature(campaign, name="Kept Signer")
    out = out_dir / "signers.csv"
    out.write_text("someone's spreadsheet\n")
    out.chmod(0o644)

    refused = unseal(app, "--identity", str(key_file), "-o", str(out))
    assert refused.exit_code == 1
    assert "exists" in refused.output
    assert out.read_text() == "someone's spreadsheet\n"

    forced = unseal(app, "--identity", str(key_file), "-o", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    assert [row["name"] for row in read_rows(out)] == ["Kept Signer"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert [path.name for path in out_dir.iterdir()] == ["signers.csv"]


def test_a_folder_that_does_not_exist_is_named(app, campaign, key_file, out_dir):
    make_signature(campaign)
    out = out_dir / "missing" / "signers.csv"

    result = unseal(app, "--identity", str(key_file), "-o", str(out))

    assert result.exit_code == 1
    assert f"cannot write {out}" in result.output
    assert list(out_dir.iterdir()) == []


def test_an_unsealing_is_audited_with_the_custodians_public_key(app, campaign, key_file, out_dir):
    make_signature(campaign)
    make_signature(campaign)

    assert unseal(app, "--identity", str(key_file), "-o", str(out_dir / "a.csv")).exit_code == 0

    [event] = db.session.scalars(select(AuditEvent).where(actions_unsealed()))
    assert event.object_id == str(campaign.id)
    assert event.detail == f"2 signature(s) with the key {recipient_of(CUSTODIAN)}"


def actions_unsealed():
    return AuditEvent.action == "campaign.signatures_unsealed"


def test_an_unknown_campaign_is_named(app, key_file, out_dir):
    result = app.test_cli_runner().invoke(
        args=["unseal", "no-such-campaign", "--identity", str(key_file), "-o", str(out_dir / "x")]
    )
    assert result.exit_code == 1
    assert "no-such-campaign" in result.output


def test_on_a_terminal_a_progress_bar_shows_on_stderr(app, campaign, key_file, out_dir):
    """The real command in a process of its own, its stderr a terminal (pty)."""
    for _ in range(3):
        make_signature(campaign)
    db.session.commit()
    out = out_dir / "signers.csv"

    done, shown = run_on_a_terminal(
        app, out_dir, "unseal", SLUG, "--identity", str(key_file), "-o", str(out)
    )

    assert done.returncode == 0, shown
    assert done.stdout.decode() == f"3 signature(s) written to {out}\n"
    assert "Unsealing" in shown
    assert "100%" in shown
    assert len(read_rows(out)) == 3


def run_on_a_terminal(app, folder: Path, *args: str) -> tuple[subprocess.CompletedProcess, str]:
    """`flask --app petition ARGS` on the test's database in a process of its own, its
    stderr a terminal (pty); the finished process and what the terminal showed."""
    flask = shutil.which("flask", path=str(Path(sys.executable).parent))
    assert flask
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "INSTANCE_PATH": str(folder.parent / "instance"),
    }
    terminal, stderr = pty.openpty()
    try:
        done = subprocess.run(  # noqa: S603 - our own arguments
            [flask, "--app", "petition", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            timeout=120,
            check=False,
        )
        shown = read_all(terminal)
    finally:
        os.close(stderr)
        os.close(terminal)
    return done, shown


def read_all(terminal: int) -> str:
    chunks = []
    while selectors.select([terminal], [], [], 0.5)[0]:
        chunk = os.read(terminal, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode(errors="replace")


# --- organisations' representatives: `unseal --organisations` ----------------------------

REPRESENTATIVE_COLUMNS = ["organisation", "name", "role", "email", "status", "decided_at"]


def test_every_representative_comes_out_sealed_or_not(app, campaign, key_file, out_dir):
    decided = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    sealed = make_organisation(
        campaign,
        name="Права Людини",
        rep_name="Марія Представниця",
        rep_role="Голова",
        rep_email="Maria.Rep@Rights.example.org",
        reviewed_at=decided,
    )
    waiting = make_organisation(
        campaign,
        sealed=False,
        name="Waiting Group",
        rep_name="=Waiting Rep",
        rep_email="waiting@example.net",
        status=OrganisationStatus.AWAITING_REVIEW,
    )
    erased = make_organisation(campaign)
    for column in REPRESENTATIVE_DATA:  # as retention's erasure leaves it
        setattr(erased, column, None)
    make_organisation(make_campaign("another-one"), rep_name="Elsewhere Rep")
    out = out_dir / "representatives.csv"

    result = unseal(app, "--organisations", "--identity", str(key_file), "-o", str(out))

    assert result.exit_code == 0, result.output
    assert result.stdout == f"2 representative(s) written to {out}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    rows = read_rows(out)
    assert list(rows[0])[:6] == REPRESENTATIVE_COLUMNS
    assert [row["id"] for row in rows] == [str(sealed.id), str(waiting.id)]
    assert [[row[name] for name in REPRESENTATIVE_COLUMNS] for row in rows] == [
        [
            "Права Людини",
            "Марія Представниця",
            "Голова",
            "Maria.Rep@Rights.example.org",
            "approved",
            "2025-03-04T05:06:07+00:00",
        ],
        [
            "Waiting Group",
            "'=Waiting Rep",
            "Director",
            "waiting@example.net",
            "awaiting_review",
            "",
        ],
    ]
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "campaign.representatives_unsealed")
    )
    assert event.detail == f"2 representative(s) with the key {recipient_of(CUSTODIAN)}"
    again = unseal(app, "--organisations", "--identity", str(key_file), "-o", str(out))
    assert again.exit_code == 1
    assert "exists" in again.output


def test_a_key_that_cannot_open_a_representative_writes_nothing(app, campaign, out_dir, tmp_path):
    organisation = make_organisation(campaign)
    stranger = tmp_path / "stranger.key"
    write_identity(new_identity(), stranger)
    out = out_dir / "representatives.csv"

    result = unseal(app, "--organisations", "--identity", str(stranger), "-o", str(out))

    assert result.exit_code == 1
    assert f"cannot open the representative of organisation {organisation.id}" in result.output
    assert "nothing written" in result.output
    assert list(out_dir.iterdir()) == []
